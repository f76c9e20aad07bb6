// SPDX-License-Identifier: GPL-2.0
/*
 * link-test DEVICE: ordering of shared-ring entries on a context spread
 * over all channels (DMAE_SETUP_SPREAD): chains (DMAE_SQE_IO_LINK) whose
 * every step reads what the step before wrote, a failed step cancelling
 * the rest, IO_DRAIN waiting for everything before it and holding back
 * everything after it, and the bad uses. TAP lines; exit 0 all passed,
 * 1 a failure, 77 the device has no DMAE_FEAT_LINK.
 *
 * link-test --spread N DEVICE: N checked 256 KiB copies on a spread
 * context (the shell checks that every channel took some).
 * link-test --spread-fixed N DEVICE: the same between registered buffers,
 * and half of them chained in pairs through a third (on a group of
 * engines, each copy runs with the buffers' mapping for its own engine).
 * link-test --close DEVICE: close with chains in flight (the shell checks
 * that nothing stays pinned).
 * link-test --drain-order N DEVICE: N rounds of 8 small copies, an
 * IO_DRAIN NOP and a copy, every completion's place checked: the drain's
 * after all 8, the last after the drain. Small and many, so that a
 * completion counted as done before it is posted (a drain let go between
 * the two) shows: exit 1 when any arrived out of place.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libdmae.h"
#include "tap.h"

#define MIB (1u << 20)

static const char *dev = "/dev/dma_engine0";

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line(ok, "link: ", fmt, ap);
	va_end(ap);
}

static unsigned seed = 12345;

static void fill_random(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = seed >> 16;
	}
}

static int spread_ring(struct dmae_ring *ring, unsigned entries)
{
	struct dmae_uring_params p = { .sq_entries = entries,
				       .flags = DMAE_SETUP_SPREAD };
	int ret = dmae_queue_init_params(dev, &p, ring);

	if (!ret && (!(p.features & DMAE_FEAT_LINK) ||
		     !(p.flags & DMAE_SETUP_SPREAD))) {
		dmae_queue_exit(ring);
		return -EOPNOTSUPP;
	}
	return ret;
}

static struct dmae_sqe *sqe_at(struct dmae_ring *ring, uint64_t data,
			       unsigned flags)
{
	struct dmae_sqe *s = dmae_get_sqe(ring);

	if (s) {
		s->user_data = data;
		s->flags = flags;
	}
	return s;
}

/* Reap @n completions into @res[user_data] and their order into @order. */
static bool reap(struct dmae_ring *ring, unsigned n, int *res,
		 uint64_t *order)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		struct dmae_cqe *cqe;

		if (dmae_wait_cqe(ring, &cqe))
			return false;
		res[cqe->user_data] = cqe->res;
		if (order)
			order[i] = cqe->user_data;
		dmae_cqe_seen(ring, cqe);
	}
	return true;
}

static void prep_copy(struct dmae_ring *ring, uint64_t data, unsigned flags,
		      void *dst, const void *src, unsigned len)
{
	struct dmae_sqe *s = dmae_get_sqe(ring);

	dmae_prep_copy(s, dst, src, len);
	s->user_data = data;
	s->flags = flags;
}

/* A chain of 7 copies, each from the buffer the one before wrote. */
static void test_chain(struct dmae_ring *ring)
{
	const unsigned n = 8, rounds = 20;
	uint8_t *b = alloc_buf(n * MIB);
	uint64_t order[8];
	int res[8];
	unsigned r, i, bad = 0, misorder = 0;

	for (r = 0; r < rounds && b; r++) {
		memset(b, 0, n * MIB);
		fill_random(b, MIB);
		for (i = 1; i < n; i++)
			prep_copy(ring, i, i < n - 1 ? DMAE_SQE_IO_LINK : 0,
				  b + i * MIB, b + (i - 1) * MIB, MIB);
		if (dmae_submit(ring) != (int)(n - 1) ||
		    !reap(ring, n - 1, res, order)) {
			bad++;
			break;
		}
		for (i = 1; i < n; i++) {
			bad += res[i] != (int)MIB ||
			       memcmp(b, b + i * MIB, MIB) != 0;
			misorder += order[i - 1] != i;
		}
	}
	tap(b && !bad, "%u chains of 7 dependent 1 MiB copies over the channels: every step saw the one before (%u bad)",
	    rounds, bad);
	tap(b && !misorder, "a chain's completions arrive in its order (%u out of order)",
	    misorder);
	if (b)
		munmap(b, n * MIB);
}

/* A step that fails: the rest of the chain is cancelled, unrun. */
static void test_cancel(struct dmae_ring *ring)
{
	const unsigned len = 64 << 10;
	uint8_t *a = alloc_buf(4 * len);
	void *hole = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	int res[5] = { 0 };
	bool ok;

	if (!a || hole == MAP_FAILED) {
		tap(false, "buffers for the cancel test");
		return;
	}
	fill_random(a, len);
	prep_copy(ring, 1, DMAE_SQE_IO_LINK, a + len, a, len);
	prep_copy(ring, 2, DMAE_SQE_IO_LINK, a + 2 * len, hole, len);
	prep_copy(ring, 3, DMAE_SQE_IO_LINK, a + 2 * len, a, len);
	prep_copy(ring, 4, 0, a + 3 * len, a, len);
	ok = dmae_submit(ring) == 4 && reap(ring, 4, res, NULL);
	tap(ok && res[1] == (int)len && res[2] == -EFAULT &&
	    res[3] == -ECANCELED && res[4] == -ECANCELED,
	    "a failing step: res %d, %d, %d, %d (len, EFAULT, ECANCELED, ECANCELED)",
	    res[1], res[2], res[3], res[4]);
	tap(!memcmp(a, a + len, len) && a[2 * len] == 0 && a[3 * len - 1] == 0 &&
	    a[3 * len] == 0 && a[4 * len - 1] == 0,
	    "the step before it copied, the cancelled ones wrote nothing");

	/* IO_DRAIN inside a chain is a bad entry: it fails, the rest goes */
	memset(a + len, 0, 3 * len);
	prep_copy(ring, 1, DMAE_SQE_IO_LINK, a + len, a, len);
	prep_copy(ring, 2, DMAE_SQE_IO_LINK | DMAE_SQE_IO_DRAIN,
		  a + 2 * len, a, len);
	prep_copy(ring, 3, 0, a + 3 * len, a, len);
	ok = dmae_submit(ring) == 3 && reap(ring, 3, res, NULL);
	tap(ok && res[1] == (int)len && res[2] == -EINVAL &&
	    res[3] == -ECANCELED && a[3 * len] == 0,
	    "IO_DRAIN on a chain's second entry: EINVAL, the rest ECANCELED (%d, %d, %d)",
	    res[1], res[2], res[3]);

	/* LINK on the last entry of an ENTER: the chain ends there */
	prep_copy(ring, 1, DMAE_SQE_IO_LINK, a + len, a, len);
	ok = dmae_submit(ring) == 1 && reap(ring, 1, res, NULL);
	prep_copy(ring, 2, 0, a + 2 * len, a, len);
	ok = ok && dmae_submit(ring) == 1 && reap(ring, 1, res, NULL);
	tap(ok && res[1] == (int)len && res[2] == (int)len,
	    "IO_LINK on the last entry of a submission ends the chain there");

	/* NOP takes both flags: a barrier */
	{
		struct dmae_sqe *s = sqe_at(ring, 1, 0);

		dmae_prep_nop(s);
		s->user_data = 1;
		s->flags = DMAE_SQE_IO_DRAIN | DMAE_SQE_IO_LINK;
		s = sqe_at(ring, 2, 0);
		dmae_prep_nop(s);
		s->user_data = 2;
		ok = dmae_submit(ring) == 2 && reap(ring, 2, res, NULL);
		tap(ok && res[1] == 0 && res[2] == 0,
		    "a NOP with IO_DRAIN and IO_LINK, and the NOP it links: both 0");
	}
	munmap(a, 4 * len);
	munmap(hole, len);
}

/*
 * 8 copies on all channels, then an IO_DRAIN copy of everything they
 * wrote, then a plain copy of what the drain wrote: each must see the
 * whole of what came before it.
 */
static void test_drain(struct dmae_ring *ring)
{
	const unsigned n = 8, rounds = 30;
	uint8_t *a = alloc_buf(n * MIB), *b = alloc_buf(n * MIB);
	uint8_t *c = alloc_buf(n * MIB), *d = alloc_buf(n * MIB);
	uint64_t order[10];
	int res[10];
	unsigned r, i, bad = 0, early = 0;

	for (r = 0; r < rounds && a && b && c && d; r++) {
		fill_random(a, n * MIB);
		memset(b, 0, n * MIB);
		memset(c, 0, n * MIB);
		memset(d, 0, n * MIB);
		for (i = 0; i < n; i++)
			prep_copy(ring, i, 0, b + i * MIB, a + i * MIB, MIB);
		prep_copy(ring, 8, DMAE_SQE_IO_DRAIN, c, b, n * MIB);
		prep_copy(ring, 9, 0, d, c, n * MIB);
		if (dmae_submit(ring) != 10 || !reap(ring, 10, res, order)) {
			bad++;
			break;
		}
		for (i = 0; i < 10; i++)
			bad += res[i] != (int)(i < 8 ? MIB : n * MIB);
		bad += memcmp(a, c, n * MIB) != 0 || memcmp(a, d, n * MIB) != 0;
		/* the drain's completion after the 8, the last after it */
		early += order[8] != 8 || order[9] != 9;
	}
	tap(a && d && !bad, "%u rounds of 8 copies, an IO_DRAIN copy of their output, a copy of its output: all data whole (%u bad)",
	    rounds, bad);
	tap(a && d && !early, "the drained entry completes after all before it, the next after it (%u early)",
	    early);
	munmap(a, n * MIB);
	munmap(b, n * MIB);
	munmap(c, n * MIB);
	munmap(d, n * MIB);
}

static int spread_copies(unsigned n)
{
	const unsigned len = 256 << 10;
	uint8_t *a = alloc_buf(len), *b = alloc_buf(len);
	struct dmae_ring ring;
	unsigned i, bad = 0;
	int res[2];

	if (!a || !b || spread_ring(&ring, 8))
		return 1;
	for (i = 0; i < n; i++) {
		fill_random(a, len);
		prep_copy(&ring, 0, 0, b, a, len);
		if (dmae_submit(&ring) != 1 || !reap(&ring, 1, res, NULL))
			return 1;
		bad += res[0] != (int)len || memcmp(a, b, len) != 0;
	}
	dmae_queue_exit(&ring);
	printf("spread: %u copies, %u bad\n", n, bad);
	return bad ? 1 : 0;
}

/*
 * Registered buffers on a spread context: A -> B plain, then A -> C -> B
 * as a chain of two, each copy checked. Return: 0 all whole, 1 not.
 */
static int spread_fixed(unsigned n)
{
	const unsigned len = 256 << 10;
	uint8_t *a = alloc_buf(len), *b = alloc_buf(len), *c = alloc_buf(len);
	struct iovec iov[3] = { { a, len }, { b, len }, { c, len } };
	struct dmae_ring ring;
	unsigned i, bad = 0;
	int res[2];

	if (!a || !b || !c || spread_ring(&ring, 8) ||
	    dmae_register_buffers(&ring, iov, 3))
		return 1;
	for (i = 0; i < n; i++) {
		unsigned k = (i % 2) + 1;

		fill_random(a, len);
		memset(b, 0, len);
		if (k == 1) {
			dmae_prep_copy_fixed(dmae_get_sqe(&ring), 1, 0, 0, 0,
					     len);
		} else {
			struct dmae_sqe *s = dmae_get_sqe(&ring);

			dmae_prep_copy_fixed(s, 2, 0, 0, 0, len);
			s->user_data = 0;
			s->flags |= DMAE_SQE_IO_LINK;
			s = dmae_get_sqe(&ring);
			dmae_prep_copy_fixed(s, 1, 0, 2, 0, len);
			s->user_data = 1;
		}
		if (dmae_submit(&ring) != (int)k || !reap(&ring, k, res, NULL))
			return 1;
		bad += res[0] != (int)len || (k == 2 && res[1] != (int)len) ||
		       memcmp(a, b, len) != 0;
	}
	dmae_unregister_buffers(&ring);
	dmae_queue_exit(&ring);
	printf("spread-fixed: %u rounds, %u bad\n", n, bad);
	return bad ? 1 : 0;
}

/*
 * N rounds: 8 copies of 4 KiB, plain and then registered, an IO_DRAIN NOP
 * behind them, then a copy. The NOP completes the moment it starts, so it
 * shows at once a drain started before every completion ahead of it was
 * posted. Return: 0 all in place, 1 not.
 */
static int drain_order(unsigned n)
{
	const unsigned len = 4096, k = 8;
	uint8_t *a = alloc_buf(2 * k * len);
	struct iovec iov[1] = { { a, 2 * k * len } };
	struct dmae_ring ring;
	unsigned r, i, early = 0, bad = 0;
	uint64_t order[10];
	int res[10];

	if (!a || spread_ring(&ring, 16) || dmae_register_buffers(&ring, iov, 1))
		return 1;
	fill_random(a, k * len);
	for (r = 0; r < n; r++) {
		bool fixed = r >= n / 2;
		struct dmae_sqe *s;

		for (i = 0; i < k; i++) {
			s = dmae_get_sqe(&ring);
			if (fixed)
				dmae_prep_copy_fixed(s, 0, (k + i) * len, 0,
						     i * len, len);
			else
				dmae_prep_copy(s, a + (k + i) * len,
					       a + i * len, len);
			s->user_data = i;
		}
		s = sqe_at(&ring, k, DMAE_SQE_IO_DRAIN);
		dmae_prep_nop(s);
		s->user_data = k;
		s->flags = DMAE_SQE_IO_DRAIN;
		prep_copy(&ring, k + 1, 0, a + k * len, a, len);
		if (dmae_submit(&ring) != (int)k + 2 ||
		    !reap(&ring, k + 2, res, order))
			return 1;
		for (i = 0; i < k + 2; i++)
			bad += res[i] != (int)(i == k ? 0 : len);
		early += order[k] != k || order[k + 1] != k + 1;
	}
	bad += memcmp(a, a + k * len, k * len) != 0;
	dmae_unregister_buffers(&ring);
	dmae_queue_exit(&ring);
	printf("drain-order: %u rounds, %u out of place, %u bad\n", n, early,
	       bad);
	return early || bad ? 1 : 0;
}

/* Chains of 4 MiB copies in flight, then close: nothing may stay pinned. */
static int close_inflight(void)
{
	const unsigned len = 4 * MIB;
	uint8_t *a = alloc_buf(16 * len);
	struct dmae_ring ring;
	unsigned i;

	if (!a || spread_ring(&ring, 32))
		return 1;
	/* three chains of 5, the second and third draining */
	for (i = 0; i < 15; i++)
		prep_copy(&ring, i, (i % 5 == 4 ? 0 : DMAE_SQE_IO_LINK) |
			  (i && i % 5 == 0 ? DMAE_SQE_IO_DRAIN : 0),
			  a + (i + 1) * len, a + i * len, len);
	if (dmae_submit(&ring) != 15)
		return 1;
	dmae_queue_exit(&ring);
	return 0;
}

int main(int argc, char **argv)
{
	struct dmae_ring ring;
	int ret;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: link-test [DEVICE]\n"
		       "       link-test --spread N [DEVICE]\n"
		       "       link-test --spread-fixed N [DEVICE]\n"
		       "       link-test --close [DEVICE]\n"
		       "       link-test --drain-order N [DEVICE]\n"
		       "Tests IO_LINK, IO_DRAIN and SETUP_SPREAD (TAP output; exit 0\n"
		       "passed, 1 failed, 77 not offered by the device).\n");
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "--spread")) {
		if (argc > 3)
			dev = argv[3];
		return spread_copies(strtoul(argv[2], NULL, 0));
	}
	if (argc > 2 && !strcmp(argv[1], "--spread-fixed")) {
		if (argc > 3)
			dev = argv[3];
		return spread_fixed(strtoul(argv[2], NULL, 0));
	}
	if (argc > 2 && !strcmp(argv[1], "--drain-order")) {
		if (argc > 3)
			dev = argv[3];
		return drain_order(strtoul(argv[2], NULL, 0));
	}
	if (argc > 1 && !strcmp(argv[1], "--close")) {
		if (argc > 2)
			dev = argv[2];
		return close_inflight();
	}
	if (argc > 1)
		dev = argv[1];
	ret = spread_ring(&ring, 32);
	if (ret == -EOPNOTSUPP) {
		printf("ok - link: %s has no DMAE_FEAT_LINK # SKIP\n", dev);
		return 77;
	}
	tap(!ret, "a context spread over the channels of %s (%s)", dev,
	    ret ? strerror(-ret) : "ok");
	if (ret)
		return 1;
	test_chain(&ring);
	test_cancel(&ring);
	test_drain(&ring);
	dmae_queue_exit(&ring);
	return failures ? 1 : 0;
}
