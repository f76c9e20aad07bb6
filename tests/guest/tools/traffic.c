// SPDX-License-Identifier: GPL-2.0
/*
 * traffic: one user of the engine, keeping copies in flight and checking
 * each one, for the tests that run every kind of consumer at once and
 * unbind or unload the engine under them.
 *
 *   traffic ring|fixed|uring DEVICE COUNT [READY]
 *
 *   ring	the shared ring, plain buffers (pinned per request)
 *   fixed	the shared ring, registered buffers
 *   uring	URING_CMD through a stock io_uring on the engine's file,
 *		plain and registered buffers in turn
 *
 * QDEPTH copies are kept in flight, of varying lengths at varying
 * offsets, each with a source pattern of its own; a completion must be
 * for a copy in flight (no stray or second completion), and a copy that
 * says it succeeded must have every byte there and the guard bytes
 * around its destination untouched. READY, if given, is created once the
 * first copies have completed whole, and copies go on until the caller
 * removes it (so that the test can act while traffic surely runs).
 *
 * COUNT > 0: COUNT copies; exit 0 if every one completed whole.
 * COUNT = 0: until the engine goes away (the test unbinds it): copies
 * submitted before that complete whole, later ones fail with ENODEV
 * (submission refused on the ring, res -ENODEV from io_uring); then
 * registering and unregistering buffers fail with ENODEV and closing is
 * safe. Exit 0 if all of that held.
 *
 * No completion for TIMEOUT_S seconds counts as a lost one (a hang guard
 * only: a copy here takes milliseconds).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "libdmae_uring.h"
#include "tap.h"

#define QDEPTH		8
#define SLOT		(64u << 10)	/* bytes per slot, each side */
#define GUARD		64
#define MARK		0x5a
#define READY_AFTER	QDEPTH
#define TIMEOUT_S	120

enum mode { M_RING, M_FIXED, M_URING };

struct slot {
	bool busy;
	unsigned gen;
	unsigned src_off;
	unsigned dst_off;
	unsigned len;
	unsigned seq;
};

static enum mode mode;
static const char *name;
static uint8_t *src, *dst;	/* QDEPTH slots; dst has guards on each side */
static struct slot slots[QDEPTH];
static unsigned seq, busy;
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint8_t *slot_src(unsigned i)
{
	return src + (size_t)i * SLOT;
}

/* The slot's destination area, guards included. */
static uint8_t *slot_dst(unsigned i)
{
	return dst + (size_t)i * (SLOT + 2 * GUARD);
}

static uint8_t pat(unsigned s, unsigned i)
{
	return s * 31 + i * 7 + (i >> 9);
}

/* Pick a length and offsets, write a fresh source pattern. */
static void slot_prepare(unsigned i)
{
	struct slot *s = &slots[i];
	unsigned k;

	s->len = 1 + rnd() % (SLOT - 64);
	if (rnd() % 4 == 0)
		s->len = SLOT - 64;	/* some long ones */
	s->src_off = rnd() % (SLOT - s->len + 1);
	s->dst_off = rnd() % (SLOT - s->len + 1);
	s->seq = ++seq;
	for (k = 0; k < s->len; k++)
		slot_src(i)[s->src_off + k] = pat(s->seq, k);
}

/* A copy that reported success: every byte there, guards untouched. */
static bool slot_verify(unsigned i)
{
	struct slot *s = &slots[i];
	uint8_t *d = slot_dst(i);
	unsigned k, end = GUARD + s->dst_off + s->len;

	for (k = 0; k < GUARD + s->dst_off; k++)
		if (d[k] != MARK)
			goto bad_guard;
	for (k = 0; k < s->len; k++) {
		if (d[GUARD + s->dst_off + k] != pat(s->seq, k)) {
			fprintf(stderr,
				"%s: copy %u (slot %u, %u bytes) differs at byte %u: %#x, want %#x\n",
				name, s->seq, i, s->len, k,
				d[GUARD + s->dst_off + k], pat(s->seq, k));
			return false;
		}
	}
	for (k = end; k < SLOT + 2 * GUARD; k++)
		if (d[k] != MARK)
			goto bad_guard;
	/* Back to the mark for the next copy into this slot. */
	memset(d + GUARD + s->dst_off, MARK, s->len);
	return true;
bad_guard:
	fprintf(stderr, "%s: copy %u (slot %u) wrote outside its destination at %u\n",
		name, s->seq, i, k);
	return false;
}

/* Check a completion's user_data; mark the slot idle. */
static int slot_complete(uint64_t ud)
{
	unsigned i = ud & 0xff, gen = ud >> 8;

	if (i >= QDEPTH || !slots[i].busy || slots[i].gen != gen) {
		fprintf(stderr, "%s: completion %#llx for no copy in flight\n",
			name, (unsigned long long)ud);
		return -1;
	}
	slots[i].busy = false;
	busy--;
	return i;
}

/* COUNT copies are done, or will be: stop, unless READY holds us. */
static bool enough(unsigned count, unsigned done, const char *ready)
{
	if (!count || done + busy < count)
		return false;
	return !ready || done < READY_AFTER || access(ready, F_OK);
}

static uint64_t slot_start(unsigned i)
{
	slots[i].busy = true;
	busy++;
	return (uint64_t)++slots[i].gen << 8 | i;
}

static size_t src_size(void)
{
	return (size_t)QDEPTH * SLOT;
}

static size_t dst_size(void)
{
	return (size_t)QDEPTH * (SLOT + 2 * GUARD);
}

/* The shared ring: plain or registered buffers. */
static int run_ring(const char *dev, unsigned count, const char *ready)
{
	struct iovec iov[2] = {
		{ .iov_base = src, .iov_len = src_size() },
		{ .iov_base = dst, .iov_len = dst_size() },
	};
	unsigned done = 0, after_gone = 0, i;
	struct dmae_ring ring;
	struct dmae_cqe *cqe;
	bool gone = false;
	int ret;

	ret = dmae_queue_init_dev(dev, QDEPTH, &ring, 0);
	if (ret) {
		fprintf(stderr, "%s: ring on %s: %s\n", name, dev, strerror(-ret));
		return 1;
	}
	if (mode == M_FIXED) {
		ret = dmae_register_buffers(&ring, iov, 2);
		if (ret) {
			fprintf(stderr, "%s: register buffers: %s\n", name,
				strerror(-ret));
			return 1;
		}
	}
	for (;;) {
		/* Refill idle slots, unless the engine is gone or done. */
		for (i = 0; !gone && i < QDEPTH; i++) {
			struct dmae_sqe *sqe;
			struct slot *s = &slots[i];

			if (s->busy || enough(count, done, ready))
				continue;
			slot_prepare(i);
			sqe = dmae_get_sqe(&ring);
			if (mode == M_FIXED)
				dmae_prep_copy_fixed(sqe, 1,
						     (size_t)i * (SLOT + 2 * GUARD) +
						     GUARD + s->dst_off, 0,
						     (size_t)i * SLOT + s->src_off,
						     s->len);
			else
				dmae_prep_copy(sqe, slot_dst(i) + GUARD + s->dst_off,
					       slot_src(i) + s->src_off, s->len);
			dmae_sqe_set_data(sqe, slot_start(i));
			ret = dmae_submit(&ring);
			if (ret == 1)
				continue;
			slots[i].busy = false;
			busy--;
			if (ret == -ENODEV && !count) {
				gone = true;
				after_gone = busy;
				break;
			}
			fprintf(stderr, "%s: submit: %d\n", name, ret);
			return 1;
		}
		if (!busy)
			break;
		ret = dmae_wait_cqe_timeout(&ring, &cqe, TIMEOUT_S * 1000000000LL);
		if (ret) {
			fprintf(stderr, "%s: waiting for a completion (%u in flight): %s\n",
				name, busy, strerror(-ret));
			return 1;
		}
		ret = slot_complete(cqe->user_data);
		if (ret < 0)
			return 1;
		if (cqe->res != (int)slots[ret].len) {
			fprintf(stderr, "%s: copy %u of %u bytes: res %d%s\n",
				name, slots[ret].seq, slots[ret].len, cqe->res,
				gone ? " (in flight when the engine went)" : "");
			return 1;
		}
		dmae_cqe_seen(&ring, cqe);
		if (!slot_verify(ret))
			return 1;
		if (++done == READY_AFTER && ready)
			close(open(ready, O_CREAT | O_WRONLY, 0644));
	}
	if (!count) {
		/* In flight when the engine went: at least QDEPTH - 1. */
		if (!after_gone) {
			fprintf(stderr, "%s: no copy was in flight when the engine went\n",
				name);
			return 1;
		}
		ret = mode == M_FIXED ? dmae_unregister_buffers(&ring) :
					dmae_register_buffers(&ring, iov, 2);
		if (ret != -ENODEV) {
			fprintf(stderr, "%s: %sregistering buffers after the unbind: %d, want ENODEV\n",
				name, mode == M_FIXED ? "un" : "", ret);
			return 1;
		}
	}
	dmae_queue_exit(&ring);
	printf("%s: %u copies whole", name, done);
	if (!count)
		printf("; the engine went with %u in flight, all whole, then ENODEV",
		       after_gone);
	printf("\n");
	return 0;
}

/* URING_CMD: even slots plain buffers, odd slots registered ones. */
static int run_uring(const char *dev, unsigned count, const char *ready)
{
	struct iovec iov[2] = {
		{ .iov_base = src, .iov_len = src_size() },
		{ .iov_base = dst, .iov_len = dst_size() },
	};
	struct dmae_buf_reg reg = { .iovs = (uintptr_t)iov, .nr = 2 };
	struct __kernel_timespec ts = { .tv_sec = TIMEOUT_S };
	unsigned done = 0, enodev = 0, i;
	struct io_uring_cqe *cqe;
	struct io_uring ur;
	bool gone = false;
	int fd, ret;

	fd = open(dev, O_RDWR);
	if (fd < 0 || ioctl(fd, DMAE_IOC_REGISTER_BUFFERS, &reg)) {
		fprintf(stderr, "%s: open %s and register buffers: %m\n", name, dev);
		return 1;
	}
	ret = io_uring_queue_init(QDEPTH, &ur, IORING_SETUP_SQE128 |
				  IORING_SETUP_CQE32);
	if (ret) {
		fprintf(stderr, "%s: io_uring: %s\n", name, strerror(-ret));
		return 1;
	}
	for (;;) {
		for (i = 0; !gone && i < QDEPTH; i++) {
			struct io_uring_sqe *usqe;
			struct slot *s = &slots[i];
			struct dmae_sqe op;

			if (s->busy || enough(count, done, ready))
				continue;
			slot_prepare(i);
			if (i & 1)
				dmae_prep_copy_fixed(&op, 1,
						     (size_t)i * (SLOT + 2 * GUARD) +
						     GUARD + s->dst_off, 0,
						     (size_t)i * SLOT + s->src_off,
						     s->len);
			else
				dmae_prep_copy(&op, slot_dst(i) + GUARD + s->dst_off,
					       slot_src(i) + s->src_off, s->len);
			usqe = io_uring_get_sqe(&ur);
			dmae_io_uring_prep(usqe, fd, &op, ur.flags);
			io_uring_sqe_set_data64(usqe, slot_start(i));
			ret = io_uring_submit(&ur);
			if (ret != 1) {
				fprintf(stderr, "%s: io_uring_submit: %d\n", name, ret);
				return 1;
			}
		}
		if (!busy)
			break;
		ret = io_uring_wait_cqe_timeout(&ur, &cqe, &ts);
		if (ret) {
			fprintf(stderr, "%s: waiting for a completion (%u in flight): %s\n",
				name, busy, strerror(-ret));
			return 1;
		}
		ret = slot_complete(cqe->user_data);
		if (ret < 0)
			return 1;
		if (cqe->res == -ENODEV && !count) {
			/* Issued after the engine went; its slot rests. */
			gone = true;
			enodev++;
			io_uring_cqe_seen(&ur, cqe);
			continue;
		}
		if (cqe->res != (int)slots[ret].len) {
			fprintf(stderr, "%s: copy %u of %u bytes (%s buffers): res %d\n",
				name, slots[ret].seq, slots[ret].len,
				ret & 1 ? "registered" : "plain", cqe->res);
			return 1;
		}
		io_uring_cqe_seen(&ur, cqe);
		if (!slot_verify(ret))
			return 1;
		if (++done == READY_AFTER && ready)
			close(open(ready, O_CREAT | O_WRONLY, 0644));
	}
	if (!count) {
		if (ioctl(fd, DMAE_IOC_UNREGISTER_BUFFERS) == 0 || errno != ENODEV) {
			fprintf(stderr, "%s: unregistering buffers after the unbind: %m, want ENODEV\n",
				name);
			return 1;
		}
	}
	io_uring_queue_exit(&ur);
	close(fd);
	printf("%s: %u copies whole", name, done);
	if (!count)
		printf("; after the engine went %u commands failed with ENODEV", enodev);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	unsigned count;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: traffic ring|fixed|uring DEVICE COUNT [READY]\n");
		return 2;
	}
	if (!strcmp(argv[1], "ring"))
		mode = M_RING;
	else if (!strcmp(argv[1], "fixed"))
		mode = M_FIXED;
	else if (!strcmp(argv[1], "uring"))
		mode = M_URING;
	else
		return 2;
	name = argv[1];
	count = strtoul(argv[3], NULL, 0);
	/*
	 * dmatest's threads run at nice 10: so do we, or our checks would
	 * starve its polled waits, which give up after 5 s of wall time.
	 */
	if (nice(10) < 0)
		return 1;
	rng ^= (uint64_t)getpid() << 32 | mode;
	src = alloc_buf(src_size());
	dst = alloc_buf(dst_size());
	if (!src || !dst)
		return 1;
	memset(dst, MARK, dst_size());
	if (mode == M_URING)
		return run_uring(argv[2], count, argv[4]);
	return run_ring(argv[2], count, argv[4]);
}
