// SPDX-License-Identifier: GPL-2.0
/*
 * sqpoll-test: DMAE_SETUP_SQPOLL, the context's kernel thread taking the
 * entries the process publishes.
 *
 *   sqpoll-test DEVICE copies COUNT LEN [iopoll]
 *	COUNT copies of LEN bytes between registered buffers, one at a
 *	time, each checked; prints how many submits had to wake the thread
 *   sqpoll-test DEVICE wakeup
 *	the idle thread sets DMAE_SQ_NEED_WAKEUP and sleeps; an entry
 *	published then waits, untaken, until ENTER wakes the thread
 *   sqpoll-test DEVICE setup
 *	the setup's checks: sq_thread_idle without SQPOLL, above the most,
 *	and the default
 *   sqpoll-test DEVICE files DIR
 *	FILE_READ naming a plain descriptor: -EBADF; a registered file: read
 *   sqpoll-test DEVICE hold FILE gone|works
 *	set up, say "ready", wait until FILE exists, then one copy: it must
 *	fail with ENODEV (gone: the device was unbound meanwhile) or work
 *   sqpoll-test DEVICE limit N
 *	N SQPOLL contexts at once are set up, the next gets EAGAIN
 *   sqpoll-test DEVICE eperm
 *	without CAP_SYS_NICE the setup is refused with EPERM
 *   sqpoll-test DEVICE share
 *	a child (fork) has no mapping of the rings and may not map them
 *   sqpoll-test DEVICE stall
 *	a full CQ stops the thread (it sleeps, NEED_WAKEUP set); reaping
 *	and the next ENTER let the rest in, all in order; a garbage tail
 *	is EINVAL and nothing is taken
 *
 * Prints TAP lines; exit 0 if all passed, 1 if not, 2 for bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "libdmae.h"
#include "tap.h"

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line(ok, "sqpoll: ", fmt, ap);
	va_end(ap);
}

static int setup(const char *dev, struct dmae_ring *ring, unsigned int flags,
		 unsigned int idle)
{
	struct dmae_uring_params p = {
		.sq_entries = 16,
		.flags = DMAE_SETUP_SQPOLL | flags,
		.sq_thread_idle = idle,
	};
	int ret = dmae_queue_init_params(dev, &p, ring);

	if (!ret && (!(p.flags & DMAE_SETUP_SQPOLL) ||
		     !(p.features & DMAE_FEAT_SQPOLL) ||
		     p.sq_thread_idle != (idle ? idle : 1000)))
		ret = -EPROTO;
	return ret;
}

static bool need_wakeup(struct dmae_ring *ring)
{
	return __atomic_load_n(ring->sq.kflags, __ATOMIC_ACQUIRE) &
	       DMAE_SQ_NEED_WAKEUP;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Reap one completion; its res, or -errno. */
static int reap(struct dmae_ring *ring, unsigned long long *ud)
{
	struct dmae_cqe *cqe;
	int ret = dmae_wait_cqe(ring, &cqe);

	if (ret)
		return ret;
	ret = cqe->res;
	if (ud)
		*ud = cqe->user_data;
	dmae_cqe_seen(ring, cqe);
	return ret;
}

/* setup() without other flags; a failure is a failed TAP line. */
static bool setup_ok(const char *dev, struct dmae_ring *ring, unsigned int idle)
{
	int ret = setup(dev, ring, 0, idle);

	if (ret)
		tap(false, "set up (%s)", strerror(-ret));
	return !ret;
}

/* Submit the one entry prepared and reap it: its res; -EIO if not taken. */
static int run_one(struct dmae_ring *ring)
{
	return dmae_submit(ring) == 1 ? reap(ring, NULL) : -EIO;
}

static int copies(const char *dev, unsigned long count, unsigned long len,
		  bool iopoll)
{
	unsigned char *src = malloc(len), *dst = malloc(len);
	struct iovec iov[2] = { { src, len }, { dst, len } };
	unsigned long i, k, woke = 0, bad = 0;
	struct dmae_ring ring;
	int ret;

	ret = setup(dev, &ring, iopoll ? DMAE_SETUP_IOPOLL : 0, 10000);
	tap(!ret, "set up with SQPOLL%s, sq_thread_idle 10 s (%s)",
	    iopoll ? " and IOPOLL" : "", ret ? strerror(-ret) : "ok");
	if (ret || !src || !dst || dmae_register_buffers(&ring, iov, 2))
		return 1;
	for (i = 0; i < count; i++) {
		struct dmae_sqe *sqe = dmae_get_sqe(&ring);
		unsigned long long ud = ~0ULL;

		for (k = 0; k < len; k++)
			src[k] = (unsigned char)(i * 31 + k * 7);
		memset(dst, 0, len);
		dmae_prep_copy_fixed(sqe, 1, 0, 0, 0, len);
		dmae_sqe_set_flags(sqe, DMAE_SQE_NO_CPU);
		dmae_sqe_set_data(sqe, i);
		woke += need_wakeup(&ring);
		ret = dmae_submit(&ring);
		if (ret != 1 || reap(&ring, &ud) != (int)len || ud != i ||
		    memcmp(src, dst, len)) {
			bad++;
			break;
		}
	}
	tap(!bad, "%lu copies of %lu bytes taken by the thread, each checked (%lu submits found it asleep)",
	    i, len, woke);
	dmae_queue_exit(&ring);
	free(src);
	free(dst);
	return bad ? 1 : 0;
}

static int wakeup(const char *dev)
{
	static unsigned char a[4096], b[4096];
	struct dmae_ring ring;
	double t0;
	int ret;

	ret = setup(dev, &ring, 0, 20);
	tap(!ret, "set up with sq_thread_idle 20 ms (%s)", ret ? strerror(-ret) : "ok");
	if (ret)
		return 1;
	memset(a, 0x5a, sizeof(a));
	dmae_prep_copy(dmae_get_sqe(&ring), b, a, sizeof(a));
	tap(dmae_submit(&ring) == 1 && reap(&ring, NULL) == sizeof(a) &&
	    !memcmp(a, b, sizeof(a)), "a copy while the thread is awake");
	/* It sets the flag once idle: wait for that, bounded by 60 s. */
	for (t0 = now(); !need_wakeup(&ring) && now() - t0 < 60;)
		usleep(1000);
	tap(need_wakeup(&ring), "idle, the thread sets DMAE_SQ_NEED_WAKEUP");
	/* Published with no system call: a sleeping thread takes nothing. */
	memset(a, 0xc3, sizeof(a));
	dmae_prep_copy(dmae_get_sqe(&ring), b, a, sizeof(a));
	__atomic_store_n(ring.sq.ktail, ring.sq.sqe_tail, __ATOMIC_RELEASE);
	usleep(200000);
	tap(*ring.sq.khead != *ring.sq.ktail && dmae_cq_ready(&ring) == 0,
	    "an entry published to a sleeping thread is not taken (head %u, tail %u)",
	    *ring.sq.khead, *ring.sq.ktail);
	/* The library's submit sees the flag and wakes it with ENTER. */
	ret = dmae_submit(&ring);
	tap(ret == 1 && reap(&ring, NULL) == sizeof(a) && !memcmp(a, b, sizeof(a)),
	    "submit wakes it (DMAE_ENTER_SQ_WAKEUP): the copy completes (%d)", ret);
	dmae_queue_exit(&ring);
	return failures ? 1 : 0;
}

static int bad_setup(const char *dev)
{
	struct dmae_uring_params p = { .sq_entries = 8, .sq_thread_idle = 5 };
	struct dmae_ring ring;
	int ret;

	ret = dmae_queue_init_params(dev, &p, &ring);
	tap(ret == -EINVAL, "sq_thread_idle without SQPOLL: EINVAL (%d)", ret);
	if (!ret)
		dmae_queue_exit(&ring);
	memset(&p, 0, sizeof(p));
	p.sq_entries = 8;
	p.flags = DMAE_SETUP_SQPOLL;
	p.sq_thread_idle = DMAE_MAX_SQ_THREAD_IDLE + 1;
	ret = dmae_queue_init_params(dev, &p, &ring);
	tap(ret == -EINVAL, "sq_thread_idle above %u ms: EINVAL (%d)",
	    DMAE_MAX_SQ_THREAD_IDLE, ret);
	if (!ret)
		dmae_queue_exit(&ring);
	ret = setup(dev, &ring, 0, 0);
	tap(!ret, "sq_thread_idle 0 means 1000 ms (%s)", ret ? strerror(-ret) : "ok");
	if (!ret)
		dmae_queue_exit(&ring);
	return failures ? 1 : 0;
}

static int files(const char *dev, const char *dir)
{
	static unsigned char in[65536], out[65536];
	struct dmae_ring ring;
	char path[512];
	size_t i;
	int fd, ret;

	snprintf(path, sizeof(path), "%s/sqpoll-file", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 13 + 1);
	if (fd < 0 || write(fd, in, sizeof(in)) != (ssize_t)sizeof(in)) {
		tap(false, "make %s", path);
		return 1;
	}
	if (!setup_ok(dev, &ring, 10000))
		return 1;
	dmae_prep_file_read(dmae_get_sqe(&ring), out, fd, 0, sizeof(out));
	ret = run_one(&ring);
	tap(ret == -EBADF, "FILE_READ naming a plain descriptor: EBADF (%d)", ret);
	tap(dmae_register_files(&ring, &fd, 1) == 0, "register the file");
	{
		struct dmae_sqe *sqe = dmae_get_sqe(&ring);

		dmae_prep_file_read(sqe, out, 0, 0, sizeof(out));
		sqe->flags |= DMAE_SQE_FIXED_FILE_SRC;
	}
	ret = run_one(&ring);
	tap(ret == (int)sizeof(out) && !memcmp(in, out, sizeof(out)),
	    "FILE_READ of a registered file: 64 KiB, the file's bytes (%d)", ret);
	dmae_queue_exit(&ring);
	close(fd);
	unlink(path);
	return failures ? 1 : 0;
}

static int hold(const char *dev, const char *file, bool gone)
{
	static unsigned char a[4096], b[4096];
	struct dmae_ring ring;
	struct stat st;
	double t0;
	int ret;

	if (!setup_ok(dev, &ring, 10000))
		return 1;
	printf("ready\n");
	fflush(stdout);
	for (t0 = now(); stat(file, &st) && now() - t0 < 120;)
		usleep(10000);
	memset(a, 7, sizeof(a));
	dmae_prep_copy(dmae_get_sqe(&ring), b, a, sizeof(a));
	ret = dmae_submit(&ring);
	if (ret == 1)
		ret = reap(&ring, NULL);
	if (gone)
		tap(ret == -ENODEV, "after the unbind a copy fails with ENODEV (%d)", ret);
	else
		tap(ret == sizeof(a) && !memcmp(a, b, sizeof(a)),
		    "a copy after the wait works (%d)", ret);
	dmae_queue_exit(&ring);
	return failures ? 1 : 0;
}

static int limit(const char *dev, unsigned int n)
{
	struct dmae_ring r[17];
	unsigned int i, ok = 0;
	int ret;

	if (n > 16)
		return 2;
	for (i = 0; i < n; i++)
		ok += !setup(dev, &r[i], 0, 1000);
	tap(ok == n, "%u SQPOLL contexts at once (%u set up)", n, ok);
	ret = setup(dev, &r[n], 0, 1000);
	tap(ret == -EAGAIN, "one more: EAGAIN (%d)", ret);
	if (!ret)
		dmae_queue_exit(&r[n]);
	for (i = 0; i < ok; i++)
		dmae_queue_exit(&r[i]);
	return failures ? 1 : 0;
}

static int eperm(const char *dev)
{
	struct dmae_ring ring;
	int ret = setup(dev, &ring, 0, 1000);

	tap(ret == -EPERM, "without CAP_SYS_NICE, SQPOLL is refused: EPERM (%d)", ret);
	if (!ret)
		dmae_queue_exit(&ring);
	return failures ? 1 : 0;
}

static int share(const char *dev)
{
	struct dmae_ring ring;
	int st = -1, ret;
	pid_t p;

	if (!setup_ok(dev, &ring, 1000))
		return 1;
	p = fork();
	if (!p) {
		void *m = mmap(NULL, ring.sq.ring_sz, PROT_READ | PROT_WRITE,
			       MAP_SHARED, ring.fd, DMAE_OFF_SQ_RING);
		int merr = errno, inherited, serr;

		/* the parent's mapping is not there: msync says ENOMEM */
		inherited = msync(ring.sq.ring_ptr, ring.sq.ring_sz, MS_ASYNC);
		serr = errno;
		printf("# child: mmap %s (%s), msync %d (%s)\n",
		       m == MAP_FAILED ? "failed" : "worked", strerror(merr),
		       inherited, strerror(serr));
		fflush(stdout);
		if (m != MAP_FAILED || merr != EPERM)
			_exit(1);
		_exit(inherited < 0 && serr == ENOMEM ? 0 : 2);
	}
	waitpid(p, &st, 0);
	tap(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "a forked child has no mapping of the rings and may not map them: EPERM (child exit %d)",
	    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	dmae_prep_nop(dmae_get_sqe(&ring));
	ret = run_one(&ring);
	tap(ret == 0, "the parent's ring still works (%d)", ret);
	dmae_queue_exit(&ring);
	return failures ? 1 : 0;
}

static int stall(const char *dev)
{
	struct dmae_ring ring;
	struct dmae_enter e = { 0 };
	unsigned int i, n = 0, cqn, order = 1;
	double t0;
	int ret;

	if (!setup_ok(dev, &ring, 10000))
		return 1;
	cqn = ring.cq.ring_entries;
	/* cqn + 8 NOPs, never reaped: the CQ fills and one is kept. */
	for (i = 0; i < cqn + 8; i++) {
		struct dmae_sqe *sqe;

		for (t0 = now(); !(sqe = dmae_get_sqe(&ring)) && now() - t0 < 10;)
			usleep(1000);
		if (!sqe)
			break;
		dmae_prep_nop(sqe);
		dmae_sqe_set_data(sqe, i);
		dmae_submit(&ring);
	}
	tap(i == cqn + 8, "%u NOPs published without reaping (%u)", cqn + 8, i);
	for (t0 = now(); !(need_wakeup(&ring) && dmae_cq_overflow(&ring)) &&
	     now() - t0 < 60;)
		usleep(1000);
	tap(need_wakeup(&ring) && dmae_cq_ready(&ring) == cqn &&
	    dmae_cq_overflow(&ring) == 1,
	    "CQ full, one kept: the thread stops and sleeps (NEED_WAKEUP), %u left in the SQ",
	    *ring.sq.ktail - *ring.sq.khead);
	while (n < cqn + 8) {
		struct dmae_cqe *cqe;

		if (dmae_wait_cqe_timeout(&ring, &cqe, 10000000000LL))
			break;
		order &= cqe->user_data == n;
		dmae_cqe_seen(&ring, cqe);
		n++;
	}
	tap(n == cqn + 8 && order,
	    "reaped, every completion comes, in order, none lost (%u)", n);
	/* A garbage tail: ENTER says EINVAL, nothing is taken. */
	*ring.sq.ktail = *ring.sq.khead + 12345;
	e.flags = DMAE_ENTER_SQ_WAKEUP;
	ret = ioctl(ring.fd, DMAE_IOC_ENTER, &e) ? -errno : 0;
	usleep(100000);
	tap(ret == -EINVAL && dmae_cq_ready(&ring) == 0,
	    "an SQ tail far beyond the head: EINVAL, nothing taken (%d)", ret);
	*ring.sq.ktail = *ring.sq.khead;
	ring.sq.sqe_head = ring.sq.sqe_tail = *ring.sq.khead;
	dmae_prep_nop(dmae_get_sqe(&ring));
	ret = run_one(&ring);
	tap(ret == 0, "with the tail put right, the ring works again (%d)", ret);
	dmae_queue_exit(&ring);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "";

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: sqpoll-test DEVICE copies COUNT LEN [iopoll]\n"
		       "       sqpoll-test DEVICE wakeup|setup\n"
		       "       sqpoll-test DEVICE files DIR\n"
		       "       sqpoll-test DEVICE hold FILE gone|works\n"
		       "       sqpoll-test DEVICE limit N\n"
		       "       sqpoll-test DEVICE eperm|share|stall\n");
		return 0;
	}
	if (argc > 4 && !strcmp(argv[2], "copies")) {
		unsigned long len = strtoul(argv[4], NULL, 0);

		if (!len || len > (16u << 20))
			return 2;
		return copies(dev, strtoul(argv[3], NULL, 0), len,
			      argc > 5 && !strcmp(argv[5], "iopoll"));
	}
	if (argc > 2 && !strcmp(argv[2], "wakeup"))
		return wakeup(dev);
	if (argc > 2 && !strcmp(argv[2], "setup"))
		return bad_setup(dev);
	if (argc > 3 && !strcmp(argv[2], "files"))
		return files(dev, argv[3]);
	if (argc > 4 && !strcmp(argv[2], "hold"))
		return hold(dev, argv[3], !strcmp(argv[4], "gone"));
	if (argc > 3 && !strcmp(argv[2], "limit"))
		return limit(dev, atoi(argv[3]));
	if (argc > 2 && !strcmp(argv[2], "eperm"))
		return eperm(dev);
	if (argc > 2 && !strcmp(argv[2], "share"))
		return share(dev);
	if (argc > 2 && !strcmp(argv[2], "stall"))
		return stall(dev);
	fprintf(stderr, "sqpoll-test: bad usage (see --help)\n");
	return 2;
}
