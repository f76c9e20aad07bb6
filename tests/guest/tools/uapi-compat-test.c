// SPDX-License-Identifier: GPL-2.0
/*
 * uapi-compat-test DEVICE: version 2 of the uapi beside version 1's
 * numbers and layouts, which old binaries still pass: ENTER with and
 * without its reserved word, REGISTER_BUFFERS with native iovecs and with
 * the fixed-layout descriptors, URING_CMD with the raw and the
 * _IOWR-encoded cmd_ops. TAP lines "ok - compat: ...". Exit 0 when all
 * pass, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "libdmae.h"
#include "libdmae_uring.h"
#include "tap.h"

static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line(cond, "compat: ", fmt, ap);
	va_end(ap);
}

/* Version 1's struct dmae_enter, as an old binary has it */
struct enter_v1 {
	__u32 to_submit, min_complete, flags, submitted;
	__s64 timeout_ns;
};

static int ioc(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/* One URING_CMD COPY of 4 KiB with @cmd_op: its res */
static int ucmd_copy(struct io_uring *u, int fd, unsigned cmd_op, bool inline_sqe)
{
	static struct dmae_sqe op;
	uint8_t *buf = alloc_buf(8192);
	struct io_uring_sqe *sqe = io_uring_get_sqe(u);
	struct io_uring_cqe *cqe;
	int ret;

	if (!buf || !sqe)
		return -ENOMEM;
	memset(buf, 0x3c, 4096);
	dmae_prep_copy(&op, buf + 4096, buf, 4096);
	op.flags = DMAE_SQE_NO_CPU;
	dmae_io_uring_prep(sqe, fd, &op, inline_sqe ? IORING_SETUP_SQE128 : 0);
	sqe->cmd_op = cmd_op;
	ret = io_uring_submit_and_wait(u, 1);
	if (ret >= 0)
		ret = io_uring_wait_cqe(u, &cqe);
	if (ret >= 0) {
		ret = cqe->res;
		io_uring_cqe_seen(u, cqe);
	}
	if (ret == 4096 && memcmp(buf, buf + 4096, 4096))
		ret = -EILSEQ;
	munmap(buf, 8192);
	return ret;
}

int main(int argc, char **argv)
{
	struct io_uring_params up = { .flags = IORING_SETUP_SQE128 };
	uint8_t *buf = alloc_buf(1 << 20);
	struct dmae_buf_desc d = { .len = 65536 };
	struct iovec iov = { buf, 65536 };
	struct dmae_buf_reg reg = { .nr = 1 };
	struct dmae_enter e = { 0 };
	struct enter_v1 e1 = { 0 };
	struct dmae_ring ring;
	struct io_uring u, u64b;
	struct dmae_sqe *sqe;
	struct dmae_cqe *cqe;
	int ret;

	if (argc != 2 || !buf) {
		fprintf(stderr, "usage: uapi-compat-test DEVICE\n");
		return 2;
	}
	ret = dmae_queue_init_dev(argv[1], 8, &ring, 0);
	if (ret) {
		printf("not ok - compat: ring setup: %s\n", strerror(-ret));
		return 1;
	}
	ok(ring.features & DMAE_FEAT_BUF_DESC, "setup reports DMAE_FEAT_BUF_DESC (%#x)",
	   ring.features);

	/* ENTER: version 1's 24 bytes, version 2's 32 */
	ok(DMAE_IOC_ENTER != DMAE_IOC_ENTER_V1, "ENTER's two numbers differ");
	sqe = dmae_get_sqe(&ring);
	dmae_prep_nop(sqe);
	/* publish the tail by hand, as dmae_submit() would before its ENTER */
	__atomic_store_n(ring.sq.ktail, ring.sq.sqe_tail, __ATOMIC_RELEASE);
	ring.sq.sqe_head = ring.sq.sqe_tail;
	e1.to_submit = 1;
	ret = ioc(ring.fd, DMAE_IOC_ENTER_V1, &e1);
	ok(ret == 0 && e1.submitted == 1, "ENTER_V1 (24 bytes) takes an entry (%d, %u)",
	   ret, e1.submitted);
	ok(dmae_wait_cqe(&ring, &cqe) == 0 && cqe->res == 0, "and it completes");
	dmae_cqe_seen(&ring, cqe);
	e.resv = 1;
	ok(ioc(ring.fd, DMAE_IOC_ENTER, &e) == -EINVAL, "ENTER with resv set is EINVAL");
	e.resv = 0;
	ok(ioc(ring.fd, DMAE_IOC_ENTER, &e) == 0, "ENTER with resv 0 works");

	/* REGISTER_BUFFERS: native iovecs (flags 0) and descriptors */
	reg.iovs = (uintptr_t)&iov;
	ok(ioc(ring.fd, DMAE_IOC_REGISTER_BUFFERS, &reg) == 0,
	   "REGISTER_BUFFERS with a struct iovec (version 1) works");
	ok(dmae_unregister_buffers(&ring) == 0, "unregistered");
	d.addr = (uintptr_t)buf;
	reg.iovs = (uintptr_t)&d;
	reg.flags = DMAE_BUF_REG_DESC;
	ok(ioc(ring.fd, DMAE_IOC_REGISTER_BUFFERS, &reg) == 0,
	   "REGISTER_BUFFERS with a struct dmae_buf_desc works");
	sqe = dmae_get_sqe(&ring);
	memset(buf, 0x77, 4096);
	dmae_prep_copy_fixed(sqe, 0, 8192, 0, 0, 4096);
	ret = dmae_submit_and_wait(&ring, 1);
	ok(ret >= 0 && dmae_wait_cqe(&ring, &cqe) == 0 && cqe->res == 4096 &&
	   !memcmp(buf, buf + 8192, 4096),
	   "a copy in the buffer registered by descriptor");
	dmae_cqe_seen(&ring, cqe);
	ok(dmae_unregister_buffers(&ring) == 0, "unregistered");
	reg.flags = 2;
	ok(ioc(ring.fd, DMAE_IOC_REGISTER_BUFFERS, &reg) == -EINVAL,
	   "REGISTER_BUFFERS with an unknown flag is EINVAL");
	reg.flags = DMAE_BUF_REG_DESC;
	d.len = (64ULL << 20) + 1;
	ok(ioc(ring.fd, DMAE_IOC_REGISTER_BUFFERS, &reg) == -EINVAL,
	   "a descriptor longer than DMAE_MAX_LEN is EINVAL");
	d.len = 1ULL << 40;
	ok(ioc(ring.fd, DMAE_IOC_REGISTER_BUFFERS, &reg) == -EINVAL,
	   "a descriptor of 1 TiB is EINVAL");
	d.len = 0;
	ok(ioc(ring.fd, DMAE_IOC_REGISTER_BUFFERS, &reg) == -EINVAL,
	   "a descriptor of 0 bytes is EINVAL");
	reg.iovs = 16;
	d.len = 4096;
	ok(ioc(ring.fd, DMAE_IOC_REGISTER_BUFFERS, &reg) == -EFAULT,
	   "descriptors at an unmapped address are EFAULT");

	/* URING_CMD: the raw numbers and the encoded ones */
	ret = io_uring_queue_init_params(4, &u, &up);
	if (ret || io_uring_queue_init(4, &u64b, 0)) {
		printf("not ok - compat: io_uring setup: %s\n", strerror(-ret));
		return 1;
	}
	ok(ucmd_copy(&u, ring.fd, DMAE_UCMD_SUBMIT, true) == 4096,
	   "URING_CMD DMAE_UCMD_SUBMIT (0x01) copies");
	ok(ucmd_copy(&u, ring.fd, DMAE_UCMD_SQE, true) == 4096,
	   "URING_CMD DMAE_UCMD_SQE (_IOWR) copies");
	ok(ucmd_copy(&u64b, ring.fd, DMAE_UCMD_SUBMIT_PTR, false) == 4096,
	   "URING_CMD DMAE_UCMD_SUBMIT_PTR (0x02) copies");
	ok(ucmd_copy(&u64b, ring.fd, DMAE_UCMD_SQE_PTR, false) == 4096,
	   "URING_CMD DMAE_UCMD_SQE_PTR (_IOWR) copies");
	ok(ucmd_copy(&u, ring.fd, 0x03, true) == -ENOTTY,
	   "URING_CMD with cmd_op 0x03 is ENOTTY");
	ok(ucmd_copy(&u, ring.fd, _IOWR(DMAE_IOC_MAGIC, 0x82, struct dmae_sqe), true) ==
	   -ENOTTY, "URING_CMD with an unknown encoded cmd_op is ENOTTY");
	ok(ucmd_copy(&u64b, ring.fd, DMAE_UCMD_SQE, false) == -EINVAL,
	   "DMAE_UCMD_SQE on a ring without SQE128 is EINVAL");
	io_uring_queue_exit(&u);
	io_uring_queue_exit(&u64b);
	dmae_queue_exit(&ring);
	munmap(buf, 1 << 20);
	return failures ? 1 : 0;
}
