// SPDX-License-Identifier: GPL-2.0
/*
 * uring-test [DEVICE]: the engine's operations through a stock io_uring
 * (IORING_OP_URING_CMD), TAP output: every operation, both payload forms,
 * many commands in flight, a linked read -> DMA copy -> write chain,
 * registered buffers, cancellation, bad payloads.
 * uring-test --exit-inflight [DEVICE]: submit 64 MiB of copies and tear
 * the io_uring down at once (the caller checks pinned pages).
 * uring-test --bench [DEVICE]: per-operation cost of a NOP through
 * io_uring's IORING_OP_NOP, the engine's URING_CMD NOP and the shared
 * ring's NOP, in one run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "libdmae_uring.h"
#include "tap.h"

static const char *dev = "/dev/dma_engine0";
/* the operations the device offers (DMAE_FEAT_OPS), as 1 << DMAE_UOP_* */
static unsigned dev_ops = ~0u;

static bool has_op(int op)
{
	return dev_ops & (1u << op);
}

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line(ok, "uring: ", fmt, ap);
	va_end(ap);
}

static void fill_pattern(uint8_t *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = seed + i * 13 + (i >> 11);
}

/* Submit one URING_CMD for @op and wait; returns res, result in *res2. */
static int run_cmd(struct io_uring *ring, int fd, const struct dmae_sqe *op,
		   uint32_t *res2)
{
	struct io_uring_cqe *cqe;
	int res;

	dmae_io_uring_prep(io_uring_get_sqe(ring), fd, op, ring->flags);
	io_uring_submit(ring);
	if (io_uring_wait_cqe(ring, &cqe))
		return -9999;
	res = cqe->res;
	if (res2 && (ring->flags & IORING_SETUP_CQE32))
		*res2 = dmae_io_uring_result(cqe);
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static void test_ops(struct io_uring *ring, int fd, const char *kind)
{
	const size_t len = 1 << 20;
	uint8_t *a = alloc_buf(len), *b = alloc_buf(len);
	struct dmae_sqe op;
	uint32_t r2 = 0;
	size_t i;
	bool ok;

	fill_pattern(a, len, 1);
	dmae_prep_nop(&op);
	tap(run_cmd(ring, fd, &op, NULL) == 0, "%s: NOP", kind);
	dmae_prep_copy(&op, b, a, len);
	tap(run_cmd(ring, fd, &op, NULL) == (int)len && !memcmp(a, b, len),
	    "%s: COPY 1 MiB, data checked", kind);
	dmae_prep_fill(&op, b, 0x0101010101010101ULL * 0x5c, len - 3);
	if (has_op(DMAE_UOP_FILL)) {
		ok = run_cmd(ring, fd, &op, NULL) == (int)(len - 3);
		for (i = 0; ok && i < len - 3; i++)
			ok = b[i] == 0x5c;
		tap(ok && b[len - 3] == a[len - 3], "%s: FILL", kind);
	} else {
		ok = run_cmd(ring, fd, &op, NULL) == -EOPNOTSUPP &&
		     !memcmp(a, b, len);
		tap(ok, "%s: FILL not offered: EOPNOTSUPP, untouched", kind);
	}
	if (!(ring->flags & IORING_SETUP_CQE32))
		return;
	memcpy(b, a, len);
	b[123456] ^= 4;
	dmae_prep_compare(&op, a, b, len);
	if (has_op(DMAE_UOP_COMPARE)) {
		ok = run_cmd(ring, fd, &op, &r2) == 1 && r2 == 123456;
		tap(ok, "%s: COMPARE finds the difference at %u (CQE32)", kind, r2);
	} else {
		tap(run_cmd(ring, fd, &op, &r2) == -EOPNOTSUPP,
		    "%s: COMPARE not offered: EOPNOTSUPP", kind);
	}
	memcpy(a, "123456789", 9);
	memset(b, 0, 9);
	dmae_prep_copy_crc32c(&op, b, a, 9);
	if (has_op(DMAE_UOP_COPY_CRC32C)) {
		ok = run_cmd(ring, fd, &op, &r2) == 9 && r2 == 0xe3069283;
		tap(ok, "%s: COPY_CRC32C = 0x%08x (CQE32)", kind, r2);
	} else {
		ok = run_cmd(ring, fd, &op, &r2) == -EOPNOTSUPP &&
		     b[0] == 0 && b[8] == 0;
		tap(ok, "%s: COPY_CRC32C not offered: EOPNOTSUPP, untouched", kind);
	}
	munmap(a, len);
	munmap(b, len);
}

static void test_many(struct io_uring *ring, int fd)
{
	const unsigned n = 64;
	const size_t len = 65536;
	uint8_t *a = alloc_buf(n * len), *b = alloc_buf(n * len);
	struct io_uring_cqe *cqe;
	struct dmae_sqe op;
	unsigned i, got = 0, bad = 0;

	fill_pattern(a, n * len, 7);
	memset(b, 0, n * len);
	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

		dmae_prep_copy(&op, b + i * len, a + i * len, len);
		dmae_io_uring_prep(sqe, fd, &op, ring->flags);
		io_uring_sqe_set_data64(sqe, i);
	}
	io_uring_submit(ring);
	while (got < n && !io_uring_wait_cqe(ring, &cqe)) {
		bad += cqe->res != (int)len;
		io_uring_cqe_seen(ring, cqe);
		got++;
	}
	tap(got == n && !bad && !memcmp(a, b, n * len),
	    "64 commands in flight, all complete, data checked");
	munmap(a, n * len);
	munmap(b, n * len);
}

/* read(file) -> DMA copy -> write(file), linked, in one submit. */
static void test_chain(struct io_uring *ring, int fd)
{
	const size_t len = 256 << 10;
	uint8_t *in = alloc_buf(len), *a = alloc_buf(len), *b = alloc_buf(len);
	uint8_t *back = alloc_buf(len);
	char pin[] = "/tmp/uring-in-XXXXXX", pout[] = "/tmp/uring-out-XXXXXX";
	int fin = mkstemp(pin), fout = mkstemp(pout), res[3] = { 0 };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct dmae_sqe op;
	int i;

	fill_pattern(in, len, 3);
	if (fin < 0 || fout < 0 || pwrite(fin, in, len, 0) != (ssize_t)len) {
		tap(false, "linked chain: cannot make the files");
		return;
	}
	sqe = io_uring_get_sqe(ring);
	io_uring_prep_read(sqe, fin, a, len, 0);
	sqe->flags |= IOSQE_IO_LINK;
	io_uring_sqe_set_data64(sqe, 0);
	dmae_prep_copy(&op, b, a, len);
	sqe = io_uring_get_sqe(ring);
	dmae_io_uring_prep(sqe, fd, &op, ring->flags);
	sqe->flags |= IOSQE_IO_LINK;
	io_uring_sqe_set_data64(sqe, 1);
	sqe = io_uring_get_sqe(ring);
	io_uring_prep_write(sqe, fout, b, len, 0);
	io_uring_sqe_set_data64(sqe, 2);
	tap(io_uring_submit(ring) == 3, "linked chain: three entries in one submit");
	for (i = 0; i < 3 && !io_uring_wait_cqe(ring, &cqe); i++) {
		if (cqe->user_data < 3)
			res[cqe->user_data] = cqe->res;
		io_uring_cqe_seen(ring, cqe);
	}
	tap(res[0] == (int)len && res[1] == (int)len && res[2] == (int)len &&
	    pread(fout, back, len, 0) == (ssize_t)len && !memcmp(in, back, len),
	    "linked read -> DMA copy -> write: the output file equals the input");
	close(fin);
	close(fout);
	unlink(pin);
	unlink(pout);
}

static void test_fixed(struct io_uring *ring, int fd)
{
	const size_t len = 1 << 20;
	uint8_t *a = alloc_buf(len), *b = alloc_buf(len);
	struct iovec iov[2] = { { a, len }, { b, len } };
	struct dmae_buf_reg reg = { .iovs = (uintptr_t)iov, .nr = 2 };
	struct dmae_sqe op;

	fill_pattern(a, len, 9);
	memset(b, 0, len);
	tap(ioctl(fd, DMAE_IOC_REGISTER_BUFFERS, &reg) == 0,
	    "register buffers on the engine's file");
	dmae_prep_copy_fixed(&op, 1, 100, 0, 200, 500000);
	tap(run_cmd(ring, fd, &op, NULL) == 500000 &&
	    !memcmp(a + 200, b + 100, 500000),
	    "copy between registered buffers through URING_CMD");
	dmae_prep_copy_fixed(&op, 5, 0, 0, 0, 100);
	tap(run_cmd(ring, fd, &op, NULL) == -EINVAL,
	    "a registered buffer index that does not exist: EINVAL");
	tap(ioctl(fd, DMAE_IOC_UNREGISTER_BUFFERS) == 0, "unregister");
	munmap(a, len);
	munmap(b, len);
}

static void test_cancel(struct io_uring *ring, int fd)
{
	const size_t len = 64 << 20;
	uint8_t *a = alloc_buf(len), *b = alloc_buf(len);
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct dmae_sqe op;
	int copy = -9999, cancel = -9999, i;

	memset(a, 0x77, len);
	dmae_prep_copy(&op, b, a, len);
	sqe = io_uring_get_sqe(ring);
	dmae_io_uring_prep(sqe, fd, &op, ring->flags);
	io_uring_sqe_set_data64(sqe, 1);
	sqe = io_uring_get_sqe(ring);
	io_uring_prep_cancel64(sqe, 1, 0);
	io_uring_sqe_set_data64(sqe, 2);
	io_uring_submit(ring);
	for (i = 0; i < 2 && !io_uring_wait_cqe(ring, &cqe); i++) {
		if (cqe->user_data == 1)
			copy = cqe->res;
		else
			cancel = cqe->res;
		io_uring_cqe_seen(ring, cqe);
	}
	/*
	 * Either the command was still queued (in io-wq) and is cancelled
	 * before it started: ECANCELED, nothing written. Or it runs (6.1
	 * cannot cancel a running URING_CMD) and finishes whole.
	 */
	tap((cancel == 0 && copy == -ECANCELED && b[0] == 0 && b[len - 1] == 0) ||
	    ((cancel == -ENOENT || cancel == -EALREADY) && copy == (int)len &&
	     b[len - 1] == 0x77),
	    "cancel of a command in flight is safe (cancel %d, copy %d)",
	    cancel, copy);
	munmap(a, len);
	munmap(b, len);
}

static void test_bad(struct io_uring *plain, struct io_uring *big, int fd)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct dmae_ucmd_ptr p = { 0 };
	struct dmae_sqe op;
	uint8_t *buf = alloc_buf(8192);
	int res;

	sqe = io_uring_get_sqe(big);
	dmae_prep_nop(&op);
	dmae_io_uring_prep(sqe, fd, &op, big->flags);
	sqe->cmd_op = 0x77;
	io_uring_submit(big);
	io_uring_wait_cqe(big, &cqe);
	res = cqe->res;
	io_uring_cqe_seen(big, cqe);
	tap(res == -ENOTTY, "unknown cmd_op: ENOTTY (%d)", res);

	/* io_uring orders its own requests: the ring's link flags are not for it */
	sqe = io_uring_get_sqe(big);
	dmae_prep_copy(&op, buf, buf + 4096, 100);
	op.flags = DMAE_SQE_IO_LINK;
	dmae_io_uring_prep(sqe, fd, &op, big->flags);
	io_uring_submit(big);
	io_uring_wait_cqe(big, &cqe);
	res = cqe->res;
	io_uring_cqe_seen(big, cqe);
	tap(res == -EINVAL, "DMAE_SQE_IO_LINK in a URING_CMD: EINVAL (%d)", res);

	sqe = io_uring_get_sqe(plain);
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = DMAE_UCMD_SUBMIT;
	io_uring_submit(plain);
	io_uring_wait_cqe(plain, &cqe);
	res = cqe->res;
	io_uring_cqe_seen(plain, cqe);
	tap(res == -EINVAL, "inline payload on a ring without SQE128: EINVAL");

	sqe = io_uring_get_sqe(plain);
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = DMAE_UCMD_SUBMIT_PTR;
	p.sqe = 0x10;
	memcpy(sqe->cmd, &p, sizeof(p));
	io_uring_submit(plain);
	io_uring_wait_cqe(plain, &cqe);
	res = cqe->res;
	io_uring_cqe_seen(plain, cqe);
	tap(res == -EFAULT, "pointer payload to unmapped memory: EFAULT");

	sqe = io_uring_get_sqe(plain);
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = DMAE_UCMD_SUBMIT_PTR;
	p.sqe = (uintptr_t)&op;
	p.resv = 1;
	memcpy(sqe->cmd, &p, sizeof(p));
	io_uring_submit(plain);
	io_uring_wait_cqe(plain, &cqe);
	res = cqe->res;
	io_uring_cqe_seen(plain, cqe);
	tap(res == -EINVAL, "pointer payload with a reserved field set: EINVAL");

	dmae_prep_copy(&op, buf, buf + 4096, 100);
	op.opcode = 42;
	tap(run_cmd(big, fd, &op, NULL) == -EINVAL, "unknown opcode: EINVAL");
	dmae_prep_copy(&op, buf, (void *)0x1000, 100);
	tap(run_cmd(big, fd, &op, NULL) == -EFAULT, "unmapped source: EFAULT");
	dmae_prep_copy(&op, buf, buf + 10, 100);
	tap(run_cmd(big, fd, &op, NULL) == -EINVAL, "overlap: EINVAL");
	dmae_prep_copy(&op, buf, buf + 4096, 0);
	tap(run_cmd(big, fd, &op, NULL) == -EINVAL, "zero length: EINVAL");
	munmap(buf, 8192);
}

/* Submit 16 x 4 MiB and tear everything down at once. */
static int exit_inflight(void)
{
	const size_t len = 4 << 20;
	uint8_t *a = alloc_buf(16 * len), *b = alloc_buf(16 * len);
	struct io_uring ring;
	struct dmae_sqe op;
	int fd = open(dev, O_RDWR), i;

	if (fd < 0 || io_uring_queue_init(32, &ring, IORING_SETUP_SQE128))
		return 1;
	memset(a, 1, 16 * len);
	for (i = 0; i < 16; i++) {
		dmae_prep_copy(&op, b + i * len, a + i * len, len);
		dmae_io_uring_prep(io_uring_get_sqe(&ring), fd, &op, ring.flags);
	}
	io_uring_submit(&ring);
	io_uring_queue_exit(&ring);
	close(fd);
	return 0;
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* ns per NOP, batches of 32, @rounds batches. */
static double bench_uring(struct io_uring *ring, int fd, bool cmd, int rounds)
{
	struct io_uring_cqe *cqe;
	struct dmae_sqe op;
	double t0 = now_ns();
	int r, i;

	dmae_prep_nop(&op);
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < 32; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

			if (cmd)
				dmae_io_uring_prep(sqe, fd, &op, ring->flags);
			else
				io_uring_prep_nop(sqe);
		}
		io_uring_submit_and_wait(ring, 32);
		for (i = 0; i < 32; i++) {
			if (io_uring_wait_cqe(ring, &cqe) || cqe->res)
				return -1;
			io_uring_cqe_seen(ring, cqe);
		}
	}
	return (now_ns() - t0) / (32.0 * rounds);
}

static double bench_ring(struct dmae_ring *ring, int rounds)
{
	struct dmae_cqe *cqe;
	double t0 = now_ns();
	int r, i;

	for (r = 0; r < rounds; r++) {
		for (i = 0; i < 32; i++)
			dmae_prep_nop(dmae_get_sqe(ring));
		dmae_submit_and_wait(ring, 32);
		for (i = 0; i < 32; i++) {
			if (dmae_wait_cqe(ring, &cqe) || cqe->res)
				return -1;
			dmae_cqe_seen(ring, cqe);
		}
	}
	return (now_ns() - t0) / (32.0 * rounds);
}

static int bench(void)
{
	struct io_uring ring;
	struct dmae_ring dr;
	double nop = 1e30, cmd = 1e30, own = 1e30, t;
	int fd = open(dev, O_RDWR), k;

	if (fd < 0 || io_uring_queue_init(64, &ring, IORING_SETUP_SQE128) ||
	    dmae_queue_init_dev(dev, 32, &dr, 0))
		return 1;
	for (k = 0; k < 5; k++) {	/* best of 5, interleaved */
		t = bench_uring(&ring, fd, false, 2000);
		nop = t > 0 && t < nop ? t : nop;
		t = bench_uring(&ring, fd, true, 2000);
		cmd = t > 0 && t < cmd ? t : cmd;
		t = bench_ring(&dr, 2000);
		own = t > 0 && t < own ? t : own;
	}
	printf("bench nop: io_uring IORING_OP_NOP %.0f ns, URING_CMD NOP %.0f ns, shared ring NOP %.0f ns (per op, batches of 32, best of 5)\n",
	       nop, cmd, own);
	printf("bench ratio: URING_CMD/IORING_OP_NOP %.2f, shared ring/IORING_OP_NOP %.2f\n",
	       cmd / nop, own / nop);
	return 0;
}

int main(int argc, char **argv)
{
	struct io_uring plain, big;
	int fd;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: uring-test [DEVICE]\n"
		       "       uring-test --exit-inflight [DEVICE]\n"
		       "       uring-test --bench [DEVICE]\n");
		return 0;
	}
	if (argc > 1 && argv[1][0] == '-') {
		if (argc > 2)
			dev = argv[2];
		if (!strcmp(argv[1], "--exit-inflight"))
			return exit_inflight();
		if (!strcmp(argv[1], "--bench"))
			return bench();
		fprintf(stderr, "uring-test: unknown option %s\n", argv[1]);
		return 2;
	}
	if (argc > 1)
		dev = argv[1];
	dev_ops = dev_query_ops(dev);
	fd = open(dev, O_RDWR);
	tap(fd >= 0, "open %s", dev);
	tap(!io_uring_queue_init(128, &plain, 0), "a plain io_uring");
	tap(!io_uring_queue_init(128, &big, IORING_SETUP_SQE128 |
				 IORING_SETUP_CQE32),
	    "an io_uring with SQE128 and CQE32");
	if (fd < 0)
		return 1;
	test_ops(&big, fd, "inline (SQE128)");
	test_ops(&plain, fd, "pointer payload");
	test_many(&big, fd);
	test_chain(&big, fd);
	test_fixed(&big, fd);
	test_cancel(&big, fd);
	test_bad(&plain, &big, fd);
	io_uring_queue_exit(&plain);
	io_uring_queue_exit(&big);
	close(fd);
	return failures ? 1 : 0;
}
