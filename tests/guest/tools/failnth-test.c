// SPDX-License-Identifier: GPL-2.0
/*
 * failnth-test: allocation failures injected into every call that reaches
 * the driver, one failure point after the other, with the kernel's
 * /proc/thread-self/fail-nth (debug kernel: FAILSLAB, FAIL_PAGE_ALLOC).
 *
 *   failnth-test DEVICE [MAX_N]
 *
 * For each scenario (setup and mmap; registering buffers; copies through
 * the shared ring; a copy through URING_CMD) and N = 1, 2, ...: the N-th
 * fault-injection point the scenario's own system calls pass fails; the
 * scenario must then fail with an errno or succeed, every entry the
 * kernel took must complete exactly once, a copy reported whole must have
 * its data, and closing must release everything. The loop ends when a
 * run no longer reaches the N-th point. The shell checks pins and leaks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "libdmae.h"
#include "libdmae_uring.h"
#include "tap.h"

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line(ok, "fail-nth: ", fmt, ap);
	va_end(ap);
}

static const char *dev;
static uint8_t *src, *dst;
static const char *bad;		/* what a scenario found wrong */
#define LEN	(256u << 10)

static int failnth_fd = -1;

static void failnth_set(unsigned n)
{
	char b[16];
	int l = snprintf(b, sizeof(b), "%u", n);

	if (pwrite(failnth_fd, b, l, 0) != l)
		abort();
}

/* Whether the armed failure was used (the file reads 0 again). */
static bool failnth_fired(void)
{
	char b[16] = "";

	if (pread(failnth_fd, b, sizeof(b) - 1, 0) <= 0)
		return false;
	return atoi(b) == 0;
}

static int sc_setup(void)
{
	struct dmae_ring ring;
	int ret = dmae_queue_init_dev(dev, 32, &ring, 0);

	if (!ret)
		dmae_queue_exit(&ring);
	return ret;
}

static int sc_register(void)
{
	struct iovec iov[2] = {
		{ .iov_base = src, .iov_len = LEN },
		{ .iov_base = dst, .iov_len = LEN },
	};
	struct dmae_ring ring;
	int ret = dmae_queue_init_dev(dev, 8, &ring, 0);

	if (ret)
		return ret;
	ret = dmae_register_buffers(&ring, iov, 2);
	if (!ret)
		ret = dmae_unregister_buffers(&ring);
	dmae_queue_exit(&ring);
	return ret;
}

/* 4 copies of a quarter each; every taken entry completes exactly once. */
static int sc_copies(void)
{
	struct dmae_ring ring;
	struct dmae_cqe *cqe;
	unsigned i, got = 0, q = LEN / 4;
	int taken, ret = dmae_queue_init_dev(dev, 8, &ring, 0);

	if (ret)
		return ret;
	memset(dst, 0, LEN);
	for (i = 0; i < 4; i++) {
		struct dmae_sqe *s = dmae_get_sqe(&ring);

		dmae_prep_copy(s, dst + i * q, src + i * q, q);
		dmae_sqe_set_data(s, i);
	}
	taken = dmae_submit(&ring);
	if (taken < 0) {
		dmae_queue_exit(&ring);
		return taken;
	}
	while (got < (unsigned)taken) {
		ret = dmae_wait_cqe(&ring, &cqe);
		if (ret == -EINTR)
			continue;
		if (ret) {
			bad = "waiting for a completion failed";
			break;
		}
		i = cqe->user_data;
		if (i >= 4)
			bad = "a completion nobody submitted";
		else if (cqe->res == (int)q && memcmp(dst + i * q, src + i * q, q))
			bad = "a copy reported whole whose data is not there";
		else if (cqe->res >= 0 && cqe->res != (int)q)
			bad = "a copy came back short";
		dmae_cqe_seen(&ring, cqe);
		got++;
	}
	if (dmae_cq_ready(&ring))
		bad = "more completions than entries taken";
	dmae_queue_exit(&ring);
	return 0;
}

static int sc_uring(void)
{
	struct io_uring ur;
	struct io_uring_cqe *cqe;
	struct dmae_sqe op;
	int fd, ret;

	fd = open(dev, O_RDWR);
	if (fd < 0)
		return -errno;
	ret = io_uring_queue_init(4, &ur, IORING_SETUP_SQE128 |
				  IORING_SETUP_CQE32);
	if (ret) {
		close(fd);
		return ret;
	}
	memset(dst, 0, LEN);
	dmae_prep_copy(&op, dst, src, LEN);
	dmae_io_uring_prep(io_uring_get_sqe(&ur), fd, &op, ur.flags);
	ret = io_uring_submit(&ur);
	if (ret == 1) {
		ret = io_uring_wait_cqe(&ur, &cqe);
		if (!ret) {
			if (cqe->res == (int)LEN && memcmp(dst, src, LEN))
				bad = "a URING_CMD copy reported whole whose data is not there";
			ret = cqe->res < 0 ? cqe->res : 0;
			io_uring_cqe_seen(&ur, cqe);
		}
	} else if (ret >= 0) {
		ret = -EIO;
	}
	io_uring_queue_exit(&ur);
	close(fd);
	return ret;
}

static void run(const char *name, int (*sc)(void), unsigned max)
{
	unsigned n, fired = 0, failed = 0;
	bool reached_end = false;

	bad = NULL;
	for (n = 1; n <= max && !bad; n++) {
		int ret;

		failnth_set(n);
		ret = sc();
		if (!failnth_fired()) {
			failnth_set(0);
			reached_end = true;
			break;
		}
		fired++;
		failed += ret < 0;
	}
	failnth_set(0);
	tap(!bad, "%s: %u failure points injected (%u made it fail with an errno)%s%s%s",
	    name, fired, failed, reached_end ? ", then it ran clean" : "",
	    bad ? ": " : "", bad ? bad : "");
}

int main(int argc, char **argv)
{
	unsigned max = argc > 2 ? strtoul(argv[2], NULL, 0) : 300, i;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		printf("usage: failnth-test DEVICE [MAX_N]\n"
		       "Injects the N-th allocation failure of each scenario, N = 1..\n");
		return argc < 2 ? 2 : 0;
	}
	dev = argv[1];
	failnth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (failnth_fd < 0) {
		printf("ok - fail-nth: not available (%s) # SKIP needs the debug kernel\n",
		       strerror(errno));
		return 0;
	}
	src = alloc_buf(LEN);
	dst = alloc_buf(LEN);
	for (i = 0; i < LEN; i++)
		src[i] = i * 11 + (i >> 10);
	/* Fault the pages in now: a page fault under fail-nth would fail too. */
	memset(dst, 0, LEN);
	run("setup and mmap", sc_setup, max);
	run("register and unregister buffers", sc_register, max);
	run("four copies through the shared ring", sc_copies, max);
	run("a copy through URING_CMD", sc_uring, max);
	return failures ? 1 : 0;
}
