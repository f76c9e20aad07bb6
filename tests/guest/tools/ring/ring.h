/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the ring-* programs, one per feature of the shared ring
 * (liburing's test/ convention): each takes [DEVICE] (default
 * /dev/dma_engine0), prints its TAP lines and exits 0 (pass), 1 (fail)
 * or 77 (skip: no such device). The guest suite runs each with prog()
 * (tests/guest/lib.sh), which checks the kernel log after it.
 */
#ifndef GUEST_RING_H
#define GUEST_RING_H

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

#define GUARD 64
#define POISON 0xa5

static const char *dev = "/dev/dma_engine0";
/* the operations the device offers (DMAE_FEAT_OPS), as 1 << DMAE_UOP_* */
static unsigned int dev_ops = ~0u;

static inline bool has_op(int op)
{
	return dev_ops & (1u << op);
}

static inline void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line(ok, "", fmt, ap);
	va_end(ap);
}

/*
 * ring_start(): the device from argv[1]; false (exit 77) if it cannot be
 * opened. --help prints @usage.
 */
static inline bool ring_start(int argc, char **argv, const char *usage)
{
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: %s\n", usage);
		exit(0);
	}
	if (argc > 1)
		dev = argv[1];
	if (access(dev, R_OK | W_OK)) {
		printf("ok - %s # SKIP %s: %s\n", argv[0], dev, strerror(errno));
		return false;
	}
	dev_ops = dev_query_ops(dev);
	return true;
}

static inline uint32_t rnd(void)
{
	static uint64_t x = 88172645463325252ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

static inline void fill_random(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = rnd();
}

static inline bool range_is(const uint8_t *p, size_t n, uint8_t v)
{
	while (n--)
		if (*p++ != v)
			return false;
	return true;
}

/* Run one prepared entry; return its completion's res (or -errno). */
static inline int run_one(struct dmae_ring *ring, struct dmae_cqe *out)
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
static inline bool check_copy(struct dmae_ring *ring, size_t len, size_t soff,
			      size_t doff, unsigned int flags, bool *cpu)
{
	size_t n = len + GUARD * 2 + 8192;
	uint8_t *src = alloc_buf(n), *dst = alloc_buf(n);
	struct dmae_cqe cqe = { 0 };
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

/* The context's counters must say @errors errors, all entries completed. */
static inline void check_stats(struct dmae_ring *ring, unsigned long long errors,
			       unsigned long long min_bytes)
{
	struct dmae_ctx_stats st;
	int ret = dmae_get_stats(ring, &st);

	tap(!ret && st.submitted == st.completed && st.errors == errors &&
	    st.bytes >= min_bytes,
	    "stats: %llu submitted, %llu completed, %llu errors (want %llu), %llu bytes",
	    (unsigned long long)st.submitted, (unsigned long long)st.completed,
	    (unsigned long long)st.errors, errors, (unsigned long long)st.bytes);
}

#endif
