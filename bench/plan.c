// SPDX-License-Identifier: MIT
/*
 * dmae-bench: which cells a sweep measures.
 *
 *  size   every path over the sizes; offload at QD 8, batches of 4
 *         (memcpy and the seed block are one at a time by nature)
 *  qd     ring, ring-fixed, uring-cmd at a few sizes over QD 1..64,
 *         batch QD/2
 *  batch  the same three at 4 KiB, QD 32, over batch sizes
 *  nop    the three NOPs at QD 32, batches of 32 (per-op overhead)
 *  device the engine's streaming bandwidth (in-kernel, no user pages)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

static const size_t quick_sizes[] = {
	64, 1024, 4096, 8192, 65536, 1 << 20, 16 << 20,
};
static const size_t full_sizes[] = {
	64, 256, 1024, 4096, 8192, 16384, 32768, 65536, 262144,
	1 << 20, 4 << 20, 16 << 20, 64 << 20,
};
static const size_t quick_qd_sizes[] = { 4096 };
static const size_t full_qd_sizes[] = { 4096, 65536, 1 << 20 };
static const unsigned int quick_qds[] = { 1, 8, 32 };
static const unsigned int full_qds[] = { 1, 2, 4, 8, 16, 32, 64 };
static const unsigned int full_batches[] = { 1, 2, 4, 8, 16, 32 };
static const size_t device_sizes[] = { 1 << 20, 4 << 20 };

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static bool plan_has(const struct bench_plan *plan, enum bench_path p,
		     size_t size, unsigned int qd, unsigned int batch)
{
	unsigned int i;

	for (i = 0; i < plan->n; i++) {
		const struct bench_cell *c = &plan->cells[i];

		if (c->path == p && c->size == size && c->qd == qd &&
		    c->batch == batch)
			return true;
	}
	return false;
}

static void add(struct bench_plan *plan, const bool *paths, enum bench_path p,
		const char *sweep, size_t size, unsigned int qd,
		unsigned int batch)
{
	if (!paths[p] || size > path_max_size(p) ||
	    plan_has(plan, p, size, qd, batch) || plan->n == BENCH_PLAN_MAX)
		return;
	plan->cells[plan->n++] = (struct bench_cell){
		.path = p, .sweep = sweep, .size = size, .qd = qd,
		.batch = batch,
	};
}

static unsigned int half_qd(unsigned int qd)
{
	return qd > 1 ? qd / 2 : 1;
}

/**
 * plan_build() - the cells of a sweep
 * @plan: filled in
 * @full: the full sweep (else the quick one)
 * @paths: which paths to include, indexed by enum bench_path
 * @sizes: sizes of the size sweep, or NULL for the sweep's own
 * @nsizes: how many
 */
void plan_build(struct bench_plan *plan, bool full, const bool *paths,
		const size_t *sizes, unsigned int nsizes)
{
	static const enum bench_path offload[] = {
		PATH_KCPU, PATH_RING, PATH_FIXED, PATH_URING, PATH_POLL,
		PATH_SQPOLL, PATH_SQIOPOLL, PATH_UCMD_POLL,
	};
	static const enum bench_path queued[] = {
		PATH_RING, PATH_FIXED, PATH_URING, PATH_POLL, PATH_SQPOLL,
		PATH_SQIOPOLL, PATH_UCMD_POLL,
	};
	const size_t *qd_sizes = full ? full_qd_sizes : quick_qd_sizes;
	unsigned int n_qd_sizes = full ? ARRAY_LEN(full_qd_sizes) :
					 ARRAY_LEN(quick_qd_sizes);
	const unsigned int *qds = full ? full_qds : quick_qds;
	unsigned int nqds = full ? ARRAY_LEN(full_qds) : ARRAY_LEN(quick_qds);
	unsigned int i, j, k;

	plan->n = 0;
	if (!sizes) {
		sizes = full ? full_sizes : quick_sizes;
		nsizes = full ? ARRAY_LEN(full_sizes) : ARRAY_LEN(quick_sizes);
	}
	for (i = 0; i < nsizes; i++) {
		add(plan, paths, PATH_MEMCPY, "size", sizes[i], 1, 1);
		for (j = 0; j < ARRAY_LEN(offload); j++)
			add(plan, paths, offload[j], "size", sizes[i], 8, 4);
		add(plan, paths, PATH_SEED, "size", sizes[i], 1, 1);
	}
	for (i = 0; i < n_qd_sizes; i++)
		for (k = 0; k < nqds; k++)
			for (j = 0; j < ARRAY_LEN(queued); j++)
				add(plan, paths, queued[j], "qd", qd_sizes[i],
				    qds[k], half_qd(qds[k]));
	if (full)
		for (k = 0; k < ARRAY_LEN(full_batches); k++)
			for (j = 0; j < ARRAY_LEN(queued); j++)
				add(plan, paths, queued[j], "batch", 4096, 32,
				    full_batches[k]);
	add(plan, paths, PATH_NOP_URING, "nop", 0, 32, 32);
	add(plan, paths, PATH_NOP_UCMD, "nop", 0, 32, 32);
	add(plan, paths, PATH_NOP_RING, "nop", 0, 32, 32);
	for (i = 0; i < ARRAY_LEN(device_sizes); i++)
		add(plan, paths, PATH_DEVICE, "device", device_sizes[i], 1, 1);
}

/**
 * plan_find() - the result of a cell, if it was measured and succeeded
 * @plan: the plan
 * @res: results, parallel to @plan->cells
 * @p: path
 * @size: bytes
 * @qd: queue depth, or 0 for any
 * @batch: batch, or 0 for any
 */
const struct bench_result *plan_find(const struct bench_plan *plan,
				     const struct bench_result *res,
				     enum bench_path p, size_t size,
				     unsigned int qd, unsigned int batch)
{
	unsigned int i;

	for (i = 0; i < plan->n; i++) {
		const struct bench_cell *c = &plan->cells[i];

		if (c->path == p && c->size == size && (!qd || c->qd == qd) &&
		    (!batch || c->batch == batch) && !res[i].err && res[i].ops)
			return &res[i];
	}
	return NULL;
}
