// SPDX-License-Identifier: GPL-2.0
/*
 * ring-test [DEVICE]: the shared ring through libdmae, in the guest.
 * Prints TAP lines ("ok - ..." / "not ok - ..."): copies of many sizes at
 * random offsets with the bytes around the destination checked, batches,
 * FILL, COMPARE, COPY_CRC32C, the CPU path, huge pages, a file-backed
 * MAP_SHARED mapping, CQ overflow, eventfd and poll, and bad input with
 * the exact error for each. An operation the device does not offer
 * (dmae_uring_params.ops: a dmaengine-backed device copies only) must
 * complete with -EOPNOTSUPP instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libdmae.h"
#include "tap.h"

#define GUARD 64
#define POISON 0xa5

static const char *dev = "/dev/dma_engine0";
/* the operations the device offers (DMAE_FEAT_OPS), as 1 << DMAE_UOP_* */
static unsigned dev_ops = ~0u;
/* completions with an error so far that the operations' absence caused */
static unsigned unoffered;

static bool has_op(int op)
{
	return dev_ops & (1u << op);
}

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line(ok, "", fmt, ap);
	va_end(ap);
}

static uint32_t rnd(void)
{
	static uint64_t x = 88172645463325252ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

static void fill_random(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = rnd();
}

/* Run one prepared entry; return its completion's res (or -errno). */
static int run_one(struct dmae_ring *ring, struct dmae_cqe *out)
{
	struct dmae_cqe *cqe;
	int ret;

	ret = dmae_submit_and_wait(ring, 1);
	if (ret < 0)
		return ret;
	ret = dmae_wait_cqe(ring, &cqe);
	if (ret < 0)
		return ret;
	if (out)
		*out = *cqe;
	ret = cqe->res;
	dmae_cqe_seen(ring, cqe);
	return ret;
}

/* Copy @len bytes between fresh buffers at offsets; check everything. */
static bool check_copy(struct dmae_ring *ring, size_t len, size_t soff,
		       size_t doff, unsigned flags, bool *cpu)
{
	size_t n = len + GUARD * 2 + 8192;
	uint8_t *src = alloc_buf(n), *dst = alloc_buf(n);
	struct dmae_cqe cqe;
	bool ok = src && dst;
	size_t i;

	if (!ok)
		return false;
	fill_random(src + soff, len);
	memset(dst, POISON, n);
	dmae_prep_copy(dmae_get_sqe(ring), dst + GUARD + doff, src + soff, len);
	ring->sq.sqes[(ring->sq.sqe_tail - 1) & ring->sq.ring_mask].flags = flags;
	ok = run_one(ring, &cqe) == (int)len &&
	     !memcmp(src + soff, dst + GUARD + doff, len);
	for (i = 0; ok && i < GUARD + doff; i++)
		ok = dst[i] == POISON;
	for (i = GUARD + doff + len; ok && i < n; i++)
		ok = dst[i] == POISON;
	if (cpu)
		*cpu = cqe.flags & DMAE_CQE_F_CPU;
	munmap(src, n);
	munmap(dst, n);
	return ok;
}

static void test_sizes(struct dmae_ring *ring)
{
	static const size_t sizes[] = {
		1, 2, 63, 4095, 4096, 4097, 65536, 65537, 253952, 253953,
		1 << 20, (1 << 20) + 4093, 16 << 20, 64 << 20,
	};
	unsigned i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t so = rnd() % 4096, doff = rnd() % 4096;

		tap(check_copy(ring, sizes[i], so, doff, DMAE_SQE_NO_CPU, NULL),
		    "copy %zu bytes, offsets %zu/%zu, data and guards", sizes[i],
		    so, doff);
	}
}

/* Completions may come in any order; each must come once. */
static void test_batch(struct dmae_ring *ring, unsigned n)
{
	size_t len = 5000;
	uint8_t *src = alloc_buf(n * len), *dst = alloc_buf(n * len);
	uint8_t seen_ud[256] = { 0 };
	struct dmae_cqe *cqe;
	unsigned i, seen = 0, bad = 0;
	int ret;

	fill_random(src, n * len);
	memset(dst, 0, n * len);
	for (i = 0; i < n; i++) {
		struct dmae_sqe *sqe = dmae_get_sqe(ring);

		dmae_prep_copy(sqe, dst + i * len, src + i * len, len);
		dmae_sqe_set_data(sqe, 1000 + i);
	}
	ret = dmae_submit_and_wait(ring, n);
	while (seen < n && !dmae_wait_cqe(ring, &cqe)) {
		uint64_t k = cqe->user_data - 1000;

		bad += cqe->res != (int)len || k >= n || seen_ud[k]++;
		dmae_cqe_seen(ring, cqe);
		seen++;
	}
	tap(ret == (int)n && seen == n && !bad && !memcmp(src, dst, n * len),
	    "batch of %u copies in one submit, each completed once, data checked",
	    n);
	munmap(src, n * len);
	munmap(dst, n * len);
}

/* An operation the device does not offer: -EOPNOTSUPP, memory untouched. */
static void test_unoffered(struct dmae_ring *ring, const char *what,
			   uint8_t *a, size_t len)
{
	uint8_t *copy = malloc(len);
	bool ok = copy != NULL;

	if (ok) {
		memcpy(copy, a, len);
		ok = run_one(ring, NULL) == -EOPNOTSUPP && !memcmp(copy, a, len);
	}
	unoffered++;
	tap(ok, "%s, not offered by %s: EOPNOTSUPP, memory untouched", what, dev);
	free(copy);
}

static void test_ops(struct dmae_ring *ring)
{
	size_t len = 100000;
	uint8_t *a = alloc_buf(len), *b = alloc_buf(len);
	struct dmae_cqe cqe;
	bool ok = true;
	size_t i;

	dmae_prep_fill(dmae_get_sqe(ring), a, 0x0807060504030201ULL, len);
	if (has_op(DMAE_UOP_FILL)) {
		ok = run_one(ring, NULL) == (int)len;
		for (i = 0; ok && i < len; i++)
			ok = a[i] == i % 8 + 1;
		tap(ok, "fill 100000 bytes with an 8-byte pattern");
	} else {
		test_unoffered(ring, "fill", a, len);
		for (i = 0; i < len; i++)
			a[i] = i % 8 + 1;
	}

	memcpy(b, a, len);
	dmae_prep_compare(dmae_get_sqe(ring), a, b, len);
	if (has_op(DMAE_UOP_COMPARE)) {
		tap(run_one(ring, &cqe) == 0 && cqe.result == len,
		    "compare equal buffers: res 0, result len");
		b[77777] ^= 1;
		dmae_prep_compare(dmae_get_sqe(ring), a, b, len);
		ok = run_one(ring, &cqe) == 1 && cqe.result == 77777;
		tap(ok, "compare different buffers: res 1, result the offset (%u)",
		    cqe.result);
	} else {
		test_unoffered(ring, "compare", a, len);
	}

	memcpy(a, "123456789", 9);
	memset(b, 0, 9);
	dmae_prep_copy_crc32c(dmae_get_sqe(ring), b, a, 9);
	if (has_op(DMAE_UOP_COPY_CRC32C)) {
		ok = run_one(ring, &cqe) == 9 && cqe.result == 0xe3069283 &&
		     !memcmp(b, "123456789", 9);
		tap(ok, "copy with CRC32C of \"123456789\" = 0xe3069283 (0x%08x)",
		    cqe.result);
	} else {
		test_unoffered(ring, "copy with CRC32C", b, 9);
	}
	dmae_prep_nop(dmae_get_sqe(ring));
	tap(run_one(ring, NULL) == 0, "nop completes with 0");
	munmap(a, len);
	munmap(b, len);
}

static void test_cpu_path(void)
{
	struct dmae_ring ring;
	bool cpu = false, ok;

	if (dmae_queue_init_dev(dev, 8, &ring, 4096)) {
		tap(false, "ring with a CPU threshold");
		return;
	}
	ok = check_copy(&ring, 1000, 3, 5, 0, &cpu);
	tap(ok && cpu, "copy below the threshold runs on the CPU (flag set)");
	ok = check_copy(&ring, 1000, 3, 5, DMAE_SQE_NO_CPU, &cpu);
	tap(ok && !cpu, "DMAE_SQE_NO_CPU sends it to the engine");
	ok = check_copy(&ring, 5000, 3, 5, 0, &cpu);
	tap(ok && !cpu, "copy above the threshold runs on the engine");
	dmae_queue_exit(&ring);
}

static void test_hugepage_and_file(struct dmae_ring *ring)
{
	size_t len = 2 << 20;
	uint8_t *h = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	uint8_t *src = alloc_buf(len), *f;
	char path[] = "/tmp/ring-test-XXXXXX";
	int fd;

	fill_random(src, len);
	if (h == MAP_FAILED) {
		printf("ok - huge page destination # SKIP no huge pages\n");
	} else {
		dmae_prep_copy(dmae_get_sqe(ring), h, src, len);
		tap(run_one(ring, NULL) == (int)len && !memcmp(h, src, len),
		    "copy 2 MiB into a huge page");
		munmap(h, len);
	}

	fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, len)) {
		tap(false, "file-backed destination: cannot make the file");
		return;
	}
	f = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	dmae_prep_copy(dmae_get_sqe(ring), f, src, len);
	tap(f != MAP_FAILED && run_one(ring, NULL) == (int)len &&
	    !memcmp(f, src, len), "copy into a file-backed MAP_SHARED mapping");
	if (f != MAP_FAILED) {
		uint8_t *back = alloc_buf(len);

		munmap(f, len);
		tap(pread(fd, back, len, 0) == (ssize_t)len &&
		    !memcmp(back, src, len),
		    "the file holds the copied bytes (page cache dirtied)");
		munmap(back, len);
	}
	close(fd);
	unlink(path);
	munmap(src, len);
}

static struct dmae_sqe *sqe_nop(struct dmae_ring *ring, uint64_t data)
{
	struct dmae_sqe *sqe = dmae_get_sqe(ring);

	if (sqe) {
		dmae_prep_nop(sqe);
		dmae_sqe_set_data(sqe, data);
	}
	return sqe;
}

/*
 * Fill the CQ (16) without reaping, then submit 8 more NOPs: the kernel
 * takes one, keeps its completion (overflow), and refuses the rest with
 * EBUSY until completions are reaped; then everything arrives, in order.
 */
static void test_overflow_eventfd_poll(void)
{
	struct dmae_ring ring;
	struct dmae_cqe *cqe;
	struct pollfd pfd;
	unsigned i, n = 0, cqn;
	uint64_t ev = 0;
	int efd, ret, r2;
	bool ok;

	if (dmae_queue_init_dev(dev, 8, &ring, 0)) {
		tap(false, "small ring");
		return;
	}
	efd = eventfd(0, EFD_NONBLOCK);
	tap(dmae_register_eventfd(&ring, efd) == 0, "register an eventfd");
	tap(dmae_register_eventfd(&ring, efd) == -EBUSY,
	    "a second eventfd is refused with EBUSY");
	cqn = ring.cq.ring_entries;
	for (i = 0; i < cqn; i++) {
		sqe_nop(&ring, i);
		if (dmae_sq_ready(&ring) == 8)
			dmae_submit(&ring);
	}
	for (; i < cqn + 8; i++)
		sqe_nop(&ring, i);
	ret = dmae_submit(&ring);
	r2 = dmae_submit(&ring);
	ok = ret == 1 && r2 == -EBUSY && dmae_cq_ready(&ring) == cqn &&
	     dmae_cq_overflow(&ring) == 1 &&
	     (*ring.sq.kflags & DMAE_SQ_CQ_OVERFLOW);
	tap(ok, "CQ full: one more completion kept (overflow %u), flag set, then EBUSY (%d, %d)",
	    dmae_cq_overflow(&ring), ret, r2);
	pfd = (struct pollfd){ .fd = ring.fd, .events = POLLIN };
	tap(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN),
	    "poll says POLLIN");
	/* Reap; the rest of the SQ goes in when there is room again. */
	while (n < cqn + 8) {
		if (dmae_wait_cqe_timeout(&ring, &cqe, 1000000000LL))
			break;
		if (cqe->user_data != n)
			break;
		dmae_cqe_seen(&ring, cqe);
		n++;
		if (!dmae_cq_overflow(&ring) && dmae_sq_ready(&ring))
			dmae_submit(&ring);
	}
	tap(n == cqn + 8, "all %u completions arrive, in order, none lost", n);
	ok = read(efd, &ev, sizeof(ev)) == 8 && ev == cqn + 8;
	tap(ok, "the eventfd counted every completion (%llu)",
	    (unsigned long long)ev);
	tap(dmae_unregister_eventfd(&ring) == 0, "unregister the eventfd");
	pfd.revents = 0;
	tap(poll(&pfd, 1, 0) == 0, "nothing to reap: poll says nothing");
	tap(dmae_wait_cqe_timeout(&ring, &cqe, 20000000LL) == -ETIME,
	    "waiting with a timeout and nothing in flight gives ETIME");
	close(efd);
	dmae_queue_exit(&ring);
}

/* One bad entry: its completion must carry @want. */
static void bad_entry(struct dmae_ring *ring, const char *what,
		      void (*prep)(struct dmae_sqe *, uint8_t *), int want)
{
	static uint8_t *buf;
	struct dmae_sqe *sqe = dmae_get_sqe(ring);
	int res;

	if (!buf)
		buf = alloc_buf(1 << 16);
	prep(sqe, buf);
	res = run_one(ring, NULL);
	tap(res == want, "%s: %s (got %s)", what, strerror(-want),
	    res < 0 ? strerror(-res) : "success");
}

static void p_null(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, b, NULL, 100);
}

static void p_kernel(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, (void *)0xffffffff81000000UL, b, 100);
}

static void p_unmapped(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, b, (void *)0x100000, 100);
}

static void p_readonly(struct dmae_sqe *s, uint8_t *b)
{
	static uint8_t *ro;

	if (!ro)
		ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	dmae_prep_copy(s, ro, b, 100);
}

static void p_overlap(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, b + 10, b, 100);
}

static void p_zero(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, b + 1000, b, 0);
}

static void p_huge_len(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, b + 1000, b, 0x80000000U);
}

static void p_wrap(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, (void *)0xfffffffffffff000ULL, b, 0x2000);
}

static void p_op(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, b + 1000, b, 100);
	s->opcode = 99;
}

static void p_flags(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, b + 1000, b, 100);
	s->flags = 0x80;
}

static void p_resv(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, b + 1000, b, 100);
	s->resv2 = 1;
}

static void p_fixed(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, b + 1000, b, 100);
	s->flags = DMAE_SQE_FIXED_SRC;
}

static void p_nop_len(struct dmae_sqe *s, uint8_t *b)
{
	(void)b;
	dmae_prep_nop(s);
	s->len = 5;
}

static void test_bad_entries(struct dmae_ring *ring)
{
	bad_entry(ring, "NULL source", p_null, -EFAULT);
	bad_entry(ring, "kernel address", p_kernel, -EFAULT);
	bad_entry(ring, "unmapped source", p_unmapped, -EFAULT);
	bad_entry(ring, "read-only destination", p_readonly, -EFAULT);
	bad_entry(ring, "overlapping source and destination", p_overlap,
		  -EINVAL);
	bad_entry(ring, "zero length", p_zero, -EINVAL);
	bad_entry(ring, "length above max_len", p_huge_len, -EINVAL);
	bad_entry(ring, "address range that wraps", p_wrap, -EFAULT);
	bad_entry(ring, "unknown opcode", p_op, -EINVAL);
	bad_entry(ring, "unknown flag", p_flags, -EINVAL);
	bad_entry(ring, "reserved field set", p_resv, -EINVAL);
	bad_entry(ring, "registered buffer, none registered", p_fixed,
		  -EINVAL);
	bad_entry(ring, "NOP with a length", p_nop_len, -EINVAL);
}

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
	p.resv[2] = 1;
	tap(ioctl(fd, DMAE_IOC_SETUP, &p) < 0 && errno == EINVAL,
	    "setup with a reserved word set: EINVAL");
	p.resv[2] = 0;
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

static bool range_is(const uint8_t *p, size_t n, uint8_t v)
{
	while (n--)
		if (*p++ != v)
			return false;
	return true;
}

static void test_fixed(void)
{
	const size_t len = 4 << 20, n = (1 << 20) + 123;
	uint8_t *a = alloc_buf(len), *b = alloc_buf(len), *ro;
	struct iovec iov[2] = { { a, len }, { b, len } };
	struct dmae_ring ring;
	struct dmae_sqe *sqe;
	bool ok;

	if (dmae_queue_init_dev(dev, 16, &ring, 0)) {
		tap(false, "ring for registered buffers");
		return;
	}
	tap(ring.features & DMAE_FEAT_FIXED_BUFS, "the ring offers registered buffers");
	fill_random(a, len);
	memset(b, POISON, len);
	tap(dmae_register_buffers(&ring, iov, 2) == 0,
	    "register two 4 MiB buffers");
	tap(dmae_register_buffers(&ring, iov, 2) == -EBUSY,
	    "a second registration: EBUSY");

	dmae_prep_copy_fixed(dmae_get_sqe(&ring), 1, 4101, 0, 777, n);
	ok = run_one(&ring, NULL) == (int)n && !memcmp(a + 777, b + 4101, n) &&
	     range_is(b, 4101, POISON) &&
	     range_is(b + 4101 + n, len - 4101 - n, POISON);
	tap(ok, "copy %zu bytes between registered buffers at offsets, guards intact", n);

	dmae_prep_fill_fixed(dmae_get_sqe(&ring), 1, 3, 0x4141414141414141ULL, 10);
	if (has_op(DMAE_UOP_FILL))
		tap(run_one(&ring, NULL) == 10 && range_is(b + 3, 10, 0x41) &&
		    b[2] == POISON && b[13] == POISON,
		    "fill part of a registered buffer, nothing around it");
	else
		tap(run_one(&ring, NULL) == -EOPNOTSUPP && range_is(b, 4101, POISON),
		    "fill of a registered buffer, not offered: EOPNOTSUPP, untouched");

	/* A registered source, a plain destination */
	sqe = dmae_get_sqe(&ring);
	dmae_prep_copy(sqe, b + 2 * n + 8192, NULL, 5000);
	sqe->flags = DMAE_SQE_FIXED_SRC;
	sqe->src_buf = 0;
	sqe->src = 100;
	tap(run_one(&ring, NULL) == 5000 && !memcmp(a + 100, b + 2 * n + 8192, 5000),
	    "registered source, plain destination");

	dmae_prep_copy_fixed(dmae_get_sqe(&ring), 2, 0, 0, 0, 100);
	tap(run_one(&ring, NULL) == -EINVAL, "buffer index beyond the table: EINVAL");
	dmae_prep_copy_fixed(dmae_get_sqe(&ring), 1, len - 50, 0, 0, 100);
	tap(run_one(&ring, NULL) == -EINVAL, "range past the buffer's end: EINVAL");
	dmae_prep_copy_fixed(dmae_get_sqe(&ring), 1, 0, 0, 0xffffffffffffff00ULL, 0x200);
	tap(run_one(&ring, NULL) == -EINVAL, "offset that wraps: EINVAL");
	dmae_prep_copy_fixed(dmae_get_sqe(&ring), 0, 100, 0, 0, 200);
	tap(run_one(&ring, NULL) == -EINVAL, "overlap inside one buffer: EINVAL");
	sqe = dmae_get_sqe(&ring);
	dmae_prep_fill_fixed(sqe, 1, 0, 0, 10);
	sqe->flags |= DMAE_SQE_FIXED_SRC;
	tap(run_one(&ring, NULL) == -EINVAL, "FILL with a registered source: EINVAL");

	tap(dmae_unregister_buffers(&ring) == 0, "unregister");
	tap(dmae_unregister_buffers(&ring) == -ENXIO, "unregister again: ENXIO");
	dmae_prep_copy_fixed(dmae_get_sqe(&ring), 1, 0, 0, 0, 100);
	tap(run_one(&ring, NULL) == -EINVAL, "a registered copy after unregister: EINVAL");

	ro = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	iov[0] = (struct iovec){ ro, 8192 };
	tap(dmae_register_buffers(&ring, iov, 1) == -EFAULT,
	    "registering read-only memory: EFAULT");
	tap(dmae_register_buffers(&ring, iov, 0) == -EINVAL, "registering 0 buffers: EINVAL");
	tap(dmae_register_buffers(&ring, iov, 2000) == -EINVAL,
	    "registering 2000 buffers: EINVAL");
	iov[0] = (struct iovec){ a, 0 };
	tap(dmae_register_buffers(&ring, iov, 1) == -EINVAL,
	    "registering an empty buffer: EINVAL");
	dmae_queue_exit(&ring);
	munmap(ro, 8192);
	munmap(a, len);
	munmap(b, len);
}

/* In a child without CAP_IPC_LOCK: RLIMIT_MEMLOCK bounds registration. */
static int memlock_child(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	struct rlimit rl = { 65536, 65536 };
	uint8_t *a = alloc_buf(1 << 20);
	struct iovec iov = { a, 1 << 20 };
	struct dmae_ring ring;

	if (syscall(SYS_capget, &h, d))
		return 10;
	d[0].effective &= ~(1U << CAP_IPC_LOCK);
	if (syscall(SYS_capset, &h, d) || setrlimit(RLIMIT_MEMLOCK, &rl))
		return 11;
	if (dmae_queue_init_dev(dev, 8, &ring, 0))
		return 12;
	if (dmae_register_buffers(&ring, &iov, 1) != -ENOMEM)
		return 13;
	iov.iov_len = 32768;
	if (dmae_register_buffers(&ring, &iov, 1))
		return 14;
	dmae_queue_exit(&ring);
	return 0;
}

static void test_memlock(void)
{
	int st = -1;
	pid_t p = fork();

	if (!p)
		_exit(memlock_child());
	waitpid(p, &st, 0);
	tap(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "without CAP_IPC_LOCK, RLIMIT_MEMLOCK (64 KiB) refuses 1 MiB with ENOMEM and allows 32 KiB (exit %d)",
	    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void test_signal_and_close(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	const size_t len = 4 << 20;
	uint8_t *src = alloc_buf(8 * len), *dst = alloc_buf(8 * len);
	struct dmae_ring ring;
	struct dmae_cqe *cqe;
	unsigned i;
	int ret;

	if (dmae_queue_init_dev(dev, 8, &ring, 0)) {
		tap(false, "ring for the signal test");
		return;
	}
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	ret = dmae_wait_cqe(&ring, &cqe);
	tap(ret == -EINTR, "a signal interrupts a wait with EINTR (%d)", ret);

	/* Close with 32 MiB in flight: close waits, so the data is there. */
	fill_random(src, 8 * len);
	memset(dst, 0, 8 * len);
	for (i = 0; i < 8; i++)
		dmae_prep_copy(dmae_get_sqe(&ring), dst + i * len, src + i * len,
			       len);
	ret = dmae_submit(&ring);
	dmae_queue_exit(&ring);
	tap(ret == 8 && !memcmp(src, dst, 8 * len),
	    "closing with 8 copies in flight waits for them (data complete after close)");
	munmap(src, 8 * len);
	munmap(dst, 8 * len);
}

static int stress(double secs);

static void *stress_thread(void *arg)
{
	return (void *)(intptr_t)stress(*(double *)arg);
}

/* --threads N SECONDS: N threads, each with its own ring, all checked. */
static int threads(int n, double secs)
{
	pthread_t t[16];
	void *rc;
	int i, bad = 0;

	if (n < 1 || n > 16)
		return 2;
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, stress_thread, &secs))
			return 1;
	for (i = 0; i < n; i++) {
		pthread_join(t[i], &rc);
		bad += rc != NULL;
	}
	return bad ? 1 : 0;
}

/* --stress: 4 copies of 4 MiB in flight, checked, for @secs seconds. */
static int stress(double secs)
{
	const size_t len = 4 << 20;
	uint8_t *src = alloc_buf(4 * len), *dst = alloc_buf(4 * len);
	struct dmae_ring ring;
	struct dmae_cqe *cqe;
	unsigned rounds = 0;
	size_t i;
	time_t end = time(NULL) + (time_t)secs;

	if (!src || !dst || dmae_queue_init_dev(dev, 8, &ring, 0))
		return 1;
	for (i = 0; i < 4 * len; i++)
		src[i] = i * 31 + (i >> 12);
	do {
		memset(dst, 0, 4 * len);
		for (i = 0; i < 4; i++)
			dmae_prep_copy(dmae_get_sqe(&ring), dst + i * len,
				       src + i * len, len);
		if (dmae_submit_and_wait(&ring, 4) != 4)
			return 1;
		for (i = 0; i < 4; i++) {
			if (dmae_wait_cqe(&ring, &cqe) || cqe->res != (int)len)
				return 1;
			dmae_cqe_seen(&ring, cqe);
		}
		if (memcmp(src, dst, 4 * len))
			return 1;
		rounds++;
	} while (time(NULL) < end);
	printf("stress: %u rounds of 4 x 4 MiB, all checked\n", rounds);
	dmae_queue_exit(&ring);
	return 0;
}

int main(int argc, char **argv)
{
	struct dmae_ring ring;
	struct dmae_ctx_stats st;
	int ret;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: ring-test [DEVICE]\n"
		       "       ring-test --stress SECONDS [DEVICE]\n"
		       "       ring-test --threads N SECONDS [DEVICE]\n"
		       "Tests the shared ring (TAP output), or keeps 4 checked\n"
		       "4 MiB copies in flight for SECONDS (exit 0 if all good).\n");
		return 0;
	}
	if (argc > 3 && !strcmp(argv[1], "--threads")) {
		if (argc > 4)
			dev = argv[4];
		return threads(atoi(argv[2]), atof(argv[3]));
	}
	if (argc > 2 && !strcmp(argv[1], "--stress")) {
		if (argc > 3)
			dev = argv[3];
		return stress(atof(argv[2]));
	}
	if (argc > 1)
		dev = argv[1];
	dev_ops = dev_query_ops(dev);
	ret = dmae_queue_init_dev(dev, 64, &ring, 0);
	tap(!ret, "set up a 64-entry ring on %s (%s)", dev,
	    ret ? strerror(-ret) : "ok");
	if (ret)
		return 1;
	test_sizes(&ring);
	test_batch(&ring, 64);
	test_ops(&ring);
	test_hugepage_and_file(&ring);
	test_bad_entries(&ring);
	ret = dmae_get_stats(&ring, &st);
	tap(!ret && st.submitted == st.completed && st.errors == 13 + unoffered &&
	    st.bytes > (64 << 20),
	    "stats: %llu submitted, %llu completed, %llu errors",
	    (unsigned long long)st.submitted,
	    (unsigned long long)st.completed, (unsigned long long)st.errors);
	dmae_queue_exit(&ring);
	test_cpu_path();
	test_fixed();
	test_memlock();
	test_overflow_eventfd_poll();
	test_signal_and_close();
	test_bad_setup();
	test_garbage_tail();
	return failures ? 1 : 0;
}
