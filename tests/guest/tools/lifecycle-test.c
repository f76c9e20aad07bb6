// SPDX-License-Identifier: GPL-2.0
/*
 * lifecycle-test: the driver's lifetimes from user space, one scenario per
 * mode (TAP output; the shell around it checks pins and the kernel log).
 *
 *   lifecycle-test unbind DEVICE BDF
 *	a ring with registered buffers and copies in flight, and an io_uring
 *	on a second file of the engine; the PCI function is unbound under
 *	them; every copy completes with its data, every later call fails
 *	with ENODEV, and closing afterwards is safe
 *   lifecycle-test close-race DEVICE ROUNDS
 *	a real-time thread waits for the last completion and closes at once,
 *	while the completion is still being posted, ROUNDS times
 *   lifecycle-test busy DEVICE SECONDS
 *	keeps 4 copies of 64 KiB in flight for SECONDS, each one checked:
 *	exit 0 only if every copy completed whole (for tests that disturb
 *	the engine from elsewhere, such as a dmaengine client)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "libdmae.h"
#include "libdmae_uring.h"
#include "tap.h"

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line(ok, "lifecycle: ", fmt, ap);
	va_end(ap);
}

#define NCOPY	8
#define CLEN	(4u << 20)

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -errno;
}


static bool crc_offered = true;

/*
 * One URING_CMD COPY_CRC32C on @fd (a plain COPY where the device has no
 * CRC, a dmaengine-backed one); its res.
 */
static int uring_crc(struct io_uring *ur, int fd, void *dst, void *src)
{
	struct dmae_sqe op;
	struct io_uring_cqe *cqe;
	int ret;

	if (crc_offered)
		dmae_prep_copy_crc32c(&op, dst, src, 4096);
	else
		dmae_prep_copy(&op, dst, src, 4096);
	dmae_io_uring_prep(io_uring_get_sqe(ur), fd, &op, ur->flags);
	ret = io_uring_submit(ur);
	if (ret != 1)
		return ret < 0 ? ret : -EIO;
	ret = io_uring_wait_cqe(ur, &cqe);
	if (ret)
		return ret;
	ret = cqe->res;
	io_uring_cqe_seen(ur, cqe);
	return ret;
}

static int mode_unbind(const char *dev, const char *bdf)
{
	uint8_t *src = alloc_buf(NCOPY * CLEN), *dst = alloc_buf(NCOPY * CLEN);
	struct iovec iov[2] = {
		{ .iov_base = src, .iov_len = NCOPY * CLEN },
		{ .iov_base = dst, .iov_len = NCOPY * CLEN },
	};
	struct dmae_ring ring;
	struct dmae_cqe *cqe;
	struct io_uring ur;
	unsigned i, good = 0;
	int ufd, ret;

	crc_offered = dev_query_ops(dev) & (1u << DMAE_UOP_COPY_CRC32C);
	if (!src || !dst || dmae_queue_init_dev(dev, 16, &ring, 0)) {
		tap(false, "set up a ring on %s", dev);
		return 1;
	}
	ufd = open(dev, O_RDWR);
	ret = io_uring_queue_init(8, &ur, IORING_SETUP_SQE128 |
				  IORING_SETUP_CQE32);
	tap(ufd >= 0 && !ret, "a second file of the engine and an io_uring");
	ret = uring_crc(&ur, ufd, dst, src);
	tap(ret == 4096, "URING_CMD %s works before the unbind (%d)",
	    crc_offered ? "COPY_CRC32C" : "COPY", ret);
	for (i = 0; i < NCOPY * CLEN; i++)
		src[i] = i * 7 + (i >> 13);
	ret = dmae_register_buffers(&ring, iov, 2);
	tap(!ret, "register two 32 MiB buffers (%d)", ret);
	for (i = 0; i < NCOPY; i++)
		dmae_prep_copy_fixed(dmae_get_sqe(&ring), 1, i * CLEN, 0,
				     i * CLEN, CLEN);
	ret = dmae_submit(&ring);
	tap(ret == NCOPY, "%d copies of 4 MiB on registered buffers in flight",
	    ret);

	/* remove() waits for the copies in flight, then takes the device. */
	ret = write_str("/sys/bus/pci/drivers/dma_engine/unbind", bdf);
	tap(!ret, "unbind %s with them in flight (%d)", bdf, ret);

	for (i = 0; i < NCOPY; i++) {
		if (dmae_wait_cqe(&ring, &cqe))
			break;
		good += cqe->res == (int)CLEN;
		dmae_cqe_seen(&ring, cqe);
	}
	tap(good == NCOPY && !memcmp(src, dst, NCOPY * CLEN),
	    "every copy in flight completed with its data (%u of %d)", good,
	    NCOPY);
	dmae_prep_copy(dmae_get_sqe(&ring), dst, src, 4096);
	ret = dmae_submit(&ring);
	tap(ret == -ENODEV, "a submission after the unbind fails with ENODEV (%d)",
	    ret);
	ret = dmae_unregister_buffers(&ring);
	tap(ret == -ENODEV, "unregistering after the unbind: ENODEV (%d)", ret);
	ret = uring_crc(&ur, ufd, dst, src);
	tap(ret == -ENODEV, "URING_CMD on a file opened before the unbind: ENODEV (%d)",
	    ret);
	io_uring_queue_exit(&ur);
	close(ufd);
	/* The buffers were released by the unbind: closing is safe. */
	dmae_queue_exit(&ring);
	tap(true, "closed the ring and the second file after the unbind");
	return failures ? 1 : 0;
}

struct race {
	const char *dev;
	unsigned rounds;
	unsigned ok;
};

/* A real-time thread: submit, wait for the one completion, close at once. */
static void *race_thread(void *arg)
{
	struct race *r = arg;
	struct sched_param sp = { .sched_priority = 50 };
	uint8_t *src = alloc_buf(1 << 20), *dst = alloc_buf(1 << 20);
	unsigned i;

	if (!src || !dst)
		return NULL;
	/* Not fatal without it, only a narrower window. */
	pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	for (i = 0; i < r->rounds; i++) {
		struct dmae_ring ring;
		struct dmae_cqe *cqe;

		if (dmae_queue_init_dev(r->dev, 2, &ring, 0))
			break;
		dmae_prep_copy(dmae_get_sqe(&ring), dst, src, 1 << 20);
		if (dmae_submit(&ring) != 1 || dmae_wait_cqe(&ring, &cqe) ||
		    cqe->res != 1 << 20) {
			dmae_queue_exit(&ring);
			break;
		}
		dmae_queue_exit(&ring);	/* while the poster may still run */
		r->ok++;
	}
	return NULL;
}

static int mode_close_race(const char *dev, unsigned rounds)
{
	struct race r = { .dev = dev, .rounds = rounds };
	pthread_t t;

	if (pthread_create(&t, NULL, race_thread, &r))
		return 1;
	pthread_join(t, NULL);
	tap(r.ok == rounds,
	    "%u of %u rounds: close right after the last completion", r.ok,
	    rounds);
	return failures ? 1 : 0;
}

static void prep_slot(struct dmae_ring *ring, uint8_t *dst, uint8_t *src,
		      unsigned len, unsigned i)
{
	struct dmae_sqe *sqe = dmae_get_sqe(ring);

	dmae_prep_copy(sqe, dst + i * len, src + i * len, len);
	dmae_sqe_set_data(sqe, i);
}

/* Keep 4 checked copies in flight; exit 1 at the first bad one. */
static int mode_busy(const char *dev, double secs)
{
	const unsigned n = 4, len = 64 << 10;
	uint8_t *src = alloc_buf(n * len), *dst = alloc_buf(n * len);
	struct timespec t0, t;
	struct dmae_ring ring;
	struct dmae_cqe *cqe;
	unsigned i, done = 0;

	if (!src || !dst || dmae_queue_init_dev(dev, 8, &ring, 0))
		return 1;
	for (i = 0; i < n * len; i++)
		src[i] = i * 13 + (i >> 11);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++)
		prep_slot(&ring, dst, src, len, i);
	if (dmae_submit(&ring) != (int)n)
		return 1;
	for (;;) {
		if (dmae_wait_cqe(&ring, &cqe))
			return 1;
		i = cqe->user_data;
		if (cqe->res != (int)len ||
		    memcmp(dst + i * len, src + i * len, len)) {
			fprintf(stderr, "busy: copy %u of slot %u: res %d\n", done,
				i, cqe->res);
			return 1;
		}
		dmae_cqe_seen(&ring, cqe);
		done++;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 > secs)
			break;
		memset(dst + i * len, 0, len);
		prep_slot(&ring, dst, src, len, i);
		if (dmae_submit(&ring) != 1)
			return 1;
	}
	printf("busy: %u copies, all whole\n", done);
	dmae_queue_exit(&ring);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: lifecycle-test unbind DEVICE BDF\n"
		       "       lifecycle-test close-race DEVICE ROUNDS\n"
		       "       lifecycle-test busy DEVICE SECONDS\n"
		       "Lifetime scenarios of the driver (TAP output).\n");
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "unbind"))
		return mode_unbind(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "close-race"))
		return mode_close_race(argv[2], strtoul(argv[3], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "busy"))
		return mode_busy(argv[2], atof(argv[3]));
	fprintf(stderr, "lifecycle-test: bad arguments; see --help\n");
	return 2;
}
