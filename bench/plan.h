/* SPDX-License-Identifier: MIT */
#ifndef DMAE_BENCH_PLAN_H
#define DMAE_BENCH_PLAN_H

#include <stdio.h>

#include "bench.h"

#define BENCH_PLAN_MAX	512

struct bench_plan {
	struct bench_cell cells[BENCH_PLAN_MAX];
	unsigned int n;
};

void plan_build(struct bench_plan *plan, bool full, const bool *paths,
		const size_t *sizes, unsigned int nsizes);
const struct bench_result *plan_find(const struct bench_plan *plan,
				     const struct bench_result *res,
				     enum bench_path p, size_t size,
				     unsigned int qd, unsigned int batch);

/* report.c */
void report_header(void);
void report_cell(const struct bench_cell *c, const struct bench_result *r,
		 unsigned int idx, unsigned int total);
void report_csv_header(FILE *f);
void report_csv(FILE *f, const char *iommu, const struct bench_cell *c,
		const struct bench_result *r);
void report_summary(const struct bench_plan *plan,
		    const struct bench_result *res, const char *iommu,
		    long cpu_auto);

#endif
