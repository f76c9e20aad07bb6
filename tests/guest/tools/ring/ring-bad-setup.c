// SPDX-License-Identifier: GPL-2.0
/*
 * ring-bad-setup [DEVICE]: calls before setup, bad setup parameters,
 * mmap at wrong offsets and sizes, bad ENTER arguments, an unknown
 * ioctl, and garbage ring indices written by the process.
 */
#include "ring.h"

#include <fcntl.h>
#include <sys/ioctl.h>

static void test_bad_setup(void)
{
	struct dmae_uring_params p;
	struct dmae_enter e = { 0 };
	void *m;
	bool ok;
	int fd = open(dev, O_RDWR);

	memset(&p, 0, sizeof(p));
	tap(ioctl(fd, DMAE_IOC_ENTER, &e) < 0 && errno == EBADFD,
	    "enter before setup: EBADFD");
	tap(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED &&
	    errno == EBADFD, "mmap before setup: EBADFD");
	p.sq_entries = 0;
	tap(ioctl(fd, DMAE_IOC_SETUP, &p) < 0 && errno == EINVAL,
	    "setup with 0 entries: EINVAL");
	p.sq_entries = 8192;
	tap(ioctl(fd, DMAE_IOC_SETUP, &p) < 0 && errno == EINVAL,
	    "setup with too many entries: EINVAL");
	p.sq_entries = 8;
	p.cq_entries = 4;
	tap(ioctl(fd, DMAE_IOC_SETUP, &p) < 0 && errno == EINVAL,
	    "setup with a CQ smaller than the SQ: EINVAL");
	p.cq_entries = 0;
	p.flags = 1u << 31;
	tap(ioctl(fd, DMAE_IOC_SETUP, &p) < 0 && errno == EINVAL,
	    "setup with unknown flags: EINVAL");
	p.flags = 0;
	p.cpu_threshold = 1 << 20;
	tap(ioctl(fd, DMAE_IOC_SETUP, &p) < 0 && errno == EINVAL,
	    "setup with a CPU threshold above 64 KiB: EINVAL");
	p.cpu_threshold = 0;
	p.ops = 1;
	tap(ioctl(fd, DMAE_IOC_SETUP, &p) < 0 && errno == EINVAL,
	    "setup with ops set on the way in: EINVAL");
	p.ops = 0;
	p.resv[1] = 1;
	tap(ioctl(fd, DMAE_IOC_SETUP, &p) < 0 && errno == EINVAL,
	    "setup with a reserved word set: EINVAL");
	p.resv[1] = 0;
	ok = ioctl(fd, DMAE_IOC_SETUP, &p) == 0 && p.sq_entries == 8 &&
	     p.cq_entries == 16 && p.version == DMAE_URING_VERSION;
	tap(ok, "setup: 8 SQ entries, 16 CQ entries, version %u", p.version);
	ok = (p.features & DMAE_FEAT_OPS) &&
	     (p.ops & (1u << DMAE_UOP_NOP)) && (p.ops & (1u << DMAE_UOP_COPY)) &&
	     !(p.ops >> (DMAE_UOP_LAST + 1));
	tap(ok, "setup reports the operations offered (ops 0x%x): NOP and COPY at least, none unknown",
	    p.ops);
	tap(ioctl(fd, DMAE_IOC_SETUP, &p) < 0 && errno == EBUSY,
	    "a second setup: EBUSY");
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0x1000);
	tap(m == MAP_FAILED && errno == EINVAL, "mmap at a wrong offset: EINVAL");
	m = mmap(NULL, p.sq_ring_size + 4096, PROT_READ, MAP_SHARED, fd,
		 DMAE_OFF_SQ_RING);
	tap(m == MAP_FAILED && errno == EINVAL,
	    "mmap larger than the region: EINVAL");
	e.flags = 0x10;
	tap(ioctl(fd, DMAE_IOC_ENTER, &e) < 0 && errno == EINVAL,
	    "enter with unknown flags: EINVAL");
	e.flags = DMAE_ENTER_GETEVENTS;
	e.min_complete = 1000;
	tap(ioctl(fd, DMAE_IOC_ENTER, &e) < 0 && errno == EINVAL,
	    "waiting for more than the CQ holds: EINVAL");
	tap(ioctl(fd, 0xdead) < 0 && errno == ENOTTY,
	    "unknown ioctl: ENOTTY");
	close(fd);
}

static void test_garbage_tail(void)
{
	struct dmae_ring ring;
	struct dmae_enter e = { .to_submit = 1 };

	if (dmae_queue_init_dev(dev, 8, &ring, 0)) {
		tap(false, "ring for the garbage-tail test");
		return;
	}
	*ring.sq.ktail = 12345;
	tap(ioctl(ring.fd, DMAE_IOC_ENTER, &e) < 0 && errno == EINVAL,
	    "an SQ tail far beyond the head: EINVAL, nothing taken");
	*ring.sq.ktail = 0;
	*ring.cq.khead = 999;	/* garbage CQ head: must not crash anything */
	dmae_prep_nop(dmae_get_sqe(&ring));
	tap(dmae_submit(&ring) == 1, "a garbage CQ head is survived");
	dmae_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	if (!ring_start(argc, argv, "ring-bad-setup [DEVICE]"))
		return 77;
	test_bad_setup();
	test_garbage_tail();
	return failures ? 1 : 0;
}
