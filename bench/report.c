// SPDX-License-Identifier: MIT
/*
 * dmae-bench: the console table, the CSV, and the summary with the
 * break-even sizes and the targets of issue 6.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "plan.h"

static const char *size_str(size_t size, char *buf, size_t len)
{
	if (size >= (1u << 20) && !(size % (1u << 20)))
		snprintf(buf, len, "%zu MiB", size >> 20);
	else if (size >= 1024 && !(size % 1024))
		snprintf(buf, len, "%zu KiB", size >> 10);
	else
		snprintf(buf, len, "%zu B", size);
	return buf;
}

void report_header(void)
{
	printf("%-9s %-13s %8s %3s %5s %10s %10s %9s %9s %9s %6s\n", "cell",
	       "path", "size", "qd", "batch", "MB/s", "ops/s", "p50 us",
	       "p99 us", "CPU s/GiB", "check");
}

void report_cell(const struct bench_cell *c, const struct bench_result *r,
		 unsigned int idx, unsigned int total)
{
	char cell[24], sz[24];

	snprintf(cell, sizeof(cell), "%u/%u", idx + 1, total);
	if (r->err) {
		printf("%-9s %-13s %8s %3u %5u FAILED: %s\n", cell,
		       path_name(c->path), size_str(c->size, sz, sizeof(sz)),
		       c->qd, c->batch, strerror(r->err));
		return;
	}
	printf("%-9s %-13s %8s %3u %5u %10.1f %10.0f %9.1f %9.1f %9.3f %6s\n",
	       cell, path_name(c->path), size_str(c->size, sz, sizeof(sz)),
	       c->qd, c->batch, r->mbps, r->ops_s, r->p50_us, r->p99_us,
	       r->cpu_per_gib, r->verified ? "ok" : "-");
	fflush(stdout);
}

void report_csv_header(FILE *f)
{
	fprintf(f, "iommu,path,sweep,size,qd,batch,ops,bytes,secs,mbps,ops_per_s,p50_us,p99_us,cpu_s,cpu_s_per_gib,verified,error\n");
}

void report_csv(FILE *f, const char *iommu, const struct bench_cell *c,
		const struct bench_result *r)
{
	fprintf(f, "%s,%s,%s,%zu,%u,%u,%llu,%llu,%.6f,%.3f,%.1f,%.3f,%.3f,%.3f,%.6f,%d,%s\n",
		iommu, path_name(c->path), c->sweep, c->size, c->qd, c->batch,
		(unsigned long long)r->ops, (unsigned long long)r->bytes,
		r->secs, r->mbps, r->ops_s, r->p50_us, r->p99_us, r->cpu_s,
		r->cpu_per_gib, r->verified, r->err ? strerror(r->err) : "");
}

/* The size sweep's cell of a path: offload at QD 8, the others at QD 1. */
static const struct bench_result *sweep_cell(const struct bench_plan *plan,
					     const struct bench_result *res,
					     enum bench_path p, size_t size)
{
	bool one = p == PATH_MEMCPY || p == PATH_SEED;

	return plan_find(plan, res, p, size, one ? 1 : 8, one ? 1 : 4);
}

static const enum bench_path table_paths[] = {
	PATH_RING, PATH_FIXED, PATH_URING, PATH_UCMD_POLL, PATH_POLL,
	PATH_SQPOLL, PATH_SQIOPOLL, PATH_KCPU, PATH_SEED,
};
#define NTABLE (sizeof(table_paths) / sizeof(table_paths[0]))

/* The sizes of the size sweep, ascending, without repeats. */
static unsigned int sweep_sizes(const struct bench_plan *plan, size_t *out,
				unsigned int max)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < plan->n; i++) {
		size_t s = plan->cells[i].size;

		if (strcmp(plan->cells[i].sweep, "size"))
			continue;
		for (j = 0; j < n && out[j] != s; j++)
			;
		if (j < n || n == max)
			continue;
		for (j = n++; j > 0 && out[j - 1] > s; j--)
			out[j] = out[j - 1];
		out[j] = s;
	}
	return n;
}

static void table(const struct bench_plan *plan, const struct bench_result *res,
		  const size_t *sizes, unsigned int n, bool cpu)
{
	unsigned int i, j;
	char sz[24];

	printf("%-8s %12s", "size", "memcpy");
	for (j = 0; j < NTABLE; j++)
		printf(" %19s", path_name(table_paths[j]));
	printf("\n");
	for (i = 0; i < n; i++) {
		const struct bench_result *m = sweep_cell(plan, res, PATH_MEMCPY,
							  sizes[i]);
		double base = !m ? 0 : cpu ? m->cpu_per_gib : m->mbps;

		printf("%-8s", size_str(sizes[i], sz, sizeof(sz)));
		if (m)
			printf(" %12.*f", cpu ? 3 : 0, base);
		else
			printf(" %12s", "-");
		for (j = 0; j < NTABLE; j++) {
			const struct bench_result *r =
				sweep_cell(plan, res, table_paths[j], sizes[i]);
			double v = !r ? 0 : cpu ? r->cpu_per_gib : r->mbps;

			if (!r)
				printf(" %19s", "-");
			else if (base > 0)
				printf(" %11.*f %6.2fx", cpu ? 3 : 0, v,
				       v / base);
			else
				printf(" %11.*f %7s", cpu ? 3 : 0, v, "");
		}
		printf("\n");
	}
}

/*
 * Smallest swept size from which @p is faster than @base at every larger
 * size measured for both; 0 if it is not at the largest.
 */
static size_t break_even_vs(const struct bench_plan *plan,
			    const struct bench_result *res, enum bench_path p,
			    enum bench_path base, const size_t *sizes,
			    unsigned int n)
{
	size_t from = 0;
	int i;

	for (i = n - 1; i >= 0; i--) {
		const struct bench_result *m = sweep_cell(plan, res, base, sizes[i]);
		const struct bench_result *r = sweep_cell(plan, res, p, sizes[i]);

		if (!m || !r)
			continue;
		if (r->mbps <= m->mbps)
			break;
		from = sizes[i];
	}
	return from;
}

/* Smallest swept size from which @p beats memcpy at every larger size. */
static size_t break_even(const struct bench_plan *plan,
			 const struct bench_result *res, enum bench_path p,
			 const size_t *sizes, unsigned int n)
{
	return break_even_vs(plan, res, p, PATH_MEMCPY, sizes, n);
}

static void target(bool measured, bool met, const char *what, const char *fmt,
		   double a, const char *where)
{
	printf("  %-9s %s: ", !measured ? "[n/a]" : met ? "[met]" : "[not met]",
	       what);
	if (measured)
		printf(fmt, a, where);
	else
		printf("not measured in this sweep");
	printf("\n");
}

/* Worst ratio of @p to memcpy over swept sizes >= @from (throughput or CPU). */
static bool worst_ratio(const struct bench_plan *plan,
			const struct bench_result *res, enum bench_path p,
			const size_t *sizes, unsigned int n, size_t from,
			bool cpu, double *ratio, size_t *at)
{
	bool any = false;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct bench_result *m =
			sweep_cell(plan, res, PATH_MEMCPY, sizes[i]);
		const struct bench_result *r = sweep_cell(plan, res, p, sizes[i]);
		double q;

		if (sizes[i] < from || !m || !r)
			continue;
		if (cpu ? m->cpu_per_gib <= 0 : m->mbps <= 0)
			continue;
		q = cpu ? r->cpu_per_gib / m->cpu_per_gib : r->mbps / m->mbps;
		if (!any || (cpu ? q > *ratio : q < *ratio)) {
			*ratio = q;
			*at = sizes[i];
		}
		any = true;
	}
	return any;
}

/* Registered against plain buffers at 4 KiB, in operations per second. */
static void fixed_vs_plain_4k(const struct bench_plan *plan,
			      const struct bench_result *res, unsigned int qd,
			      unsigned int batch, const char *what)
{
	const struct bench_result *a, *b;
	double q;

	a = plan_find(plan, res, PATH_FIXED, 4096, qd, batch);
	b = plan_find(plan, res, PATH_RING, 4096, qd, batch);
	q = a && b ? a->ops_s / b->ops_s : 0;
	target(a && b, q >= 2, what, "%.2fx%s", q, "");
}

/*
 * issue 14: cpu_threshold "auto" (the driver's own measurement, @cpu_auto
 * bytes, -1 if unknown) against the break-even measured here between the
 * engine with registered buffers and the kernel's CPU path: within one
 * step of the swept sizes. "Never" (the engine loses at the largest size
 * the CPU path runs) is the largest threshold, DMAE_MAX_CPU_THRESHOLD.
 */
static void target_cpu_auto(const struct bench_plan *plan,
			    const struct bench_result *res, const size_t *sizes,
			    unsigned int n, long cpu_auto)
{
	size_t want = break_even_vs(plan, res, PATH_FIXED, PATH_KCPU, sizes, n);
	unsigned int i, k = n;
	bool measured = false, met = false;
	char a[24], b[24];

	for (i = 0; i < n; i++)
		if (sweep_cell(plan, res, PATH_KCPU, sizes[i]) &&
		    sweep_cell(plan, res, PATH_FIXED, sizes[i]))
			measured = true;
	if (!want)
		want = DMAE_MAX_CPU_THRESHOLD;
	/* the driver measures from 512 bytes up: below, 512 is its answer */
	if (want < 512)
		want = 512;
	for (i = 0; i < n; i++)
		if (sizes[i] >= want && k == n)
			k = i;
	measured = measured && cpu_auto > 0 && k < n;
	if (measured)
		met = (size_t)cpu_auto >= (k ? sizes[k - 1] : 512) &&
		      (size_t)cpu_auto <= sizes[k + 1 < n ? k + 1 : k];
	target(measured, met,
	       "cpu_threshold auto within one size step of the measured break-even (registered against the kernel's CPU path)",
	       "%.0f", (double)cpu_auto, "");
	if (measured)
		printf("            (auto %s, measured here %s)\n",
		       size_str(cpu_auto, a, sizeof(a)),
		       size_str(want, b, sizeof(b)));
}

static void targets(const struct bench_plan *plan,
		    const struct bench_result *res, const size_t *sizes,
		    unsigned int n, long cpu_auto)
{
	const struct bench_result *a, *b;
	double q = 0;
	size_t at = 0;
	char sz[24];
	bool ok;

	printf("\nTargets (issue 6), from this run:\n");
	ok = worst_ratio(plan, res, PATH_FIXED, sizes, n, 1u << 20, false, &q,
			 &at);
	target(ok, q >= 5, "registered-buffer offload >= 5x memcpy at >= 1 MiB",
	       "worst %.2fx (at %s)", q, size_str(at, sz, sizeof(sz)));
	ok = worst_ratio(plan, res, PATH_RING, sizes, n, 8192, false, &q, &at);
	target(ok, q > 1, "offload (plain buffers, QD 8) beats memcpy from 8 KiB",
	       "worst %.2fx (at %s)", q, size_str(at, sz, sizeof(sz)));
	ok = worst_ratio(plan, res, PATH_FIXED, sizes, n, 8192, false, &q, &at);
	target(ok, q > 1, "offload (registered, QD 8) beats memcpy from 8 KiB",
	       "worst %.2fx (at %s)", q, size_str(at, sz, sizeof(sz)));
	ok = worst_ratio(plan, res, PATH_FIXED, sizes, n, 1u << 20, true, &q,
			 &at);
	target(ok, q <= 0.05,
	       "guest CPU per GiB, registered offload <= 5% of memcpy's (>= 1 MiB)",
	       "worst %.3f of memcpy's (at %s)", q,
	       size_str(at, sz, sizeof(sz)));
	ok = worst_ratio(plan, res, PATH_RING, sizes, n, 1u << 20, true, &q,
			 &at);
	target(ok, q <= 0.05,
	       "guest CPU per GiB, plain offload <= 5% of memcpy's (>= 1 MiB)",
	       "worst %.3f of memcpy's (at %s)", q,
	       size_str(at, sz, sizeof(sz)));
	fixed_vs_plain_4k(plan, res, 8, 4,
			  "registered >= 2x the ops/s of plain at 4 KiB, QD 8");
	fixed_vs_plain_4k(plan, res, 32, 16,
			  "registered >= 2x the ops/s of plain at 4 KiB, QD 32");
	/* issue 14: polling's latency at QD 1 against the interrupt's */
	a = plan_find(plan, res, PATH_POLL, 4096, 1, 1);
	b = plan_find(plan, res, PATH_FIXED, 4096, 1, 1);
	q = a && b && b->p50_us > 0 ? a->p50_us / b->p50_us : 0;
	target(a && b, q <= 1.0 / 3,
	       "QD 1 latency of a 4 KiB registered copy, polled <= 1/3 of the interrupt's (p50)",
	       "%.2f of it%s", q, "");
	if (a && b)
		printf("            (p50 %.1f us polled against %.1f us; p99 %.1f against %.1f)\n",
		       a->p50_us, b->p50_us, a->p99_us, b->p99_us);
	a = plan_find(plan, res, PATH_NOP_RING, 0, 32, 32);
	b = plan_find(plan, res, PATH_NOP_URING, 0, 32, 32);
	q = a && b ? b->ops_s / a->ops_s : 0;
	target(a && b, q <= 2,
	       "shared-ring NOP at QD 32 within 2x of io_uring's IORING_OP_NOP",
	       "%.2fx%s", q, "");
	if (a && b)
		printf("            (%.0f ns against %.0f ns per operation)\n",
		       1e9 / a->ops_s, 1e9 / b->ops_s);
	target_cpu_auto(plan, res, sizes, n, cpu_auto);
}

/**
 * report_summary() - the comparison tables, break-even sizes and targets
 * @plan: the plan that ran
 * @res: its results
 * @iommu: "on" or "off", for the heading
 * @cpu_auto: the device's cpu_break_even (sysfs), or -1
 */
void report_summary(const struct bench_plan *plan,
		    const struct bench_result *res, const char *iommu,
		    long cpu_auto)
{
	static const enum bench_path be[] = {
		PATH_RING, PATH_FIXED, PATH_URING, PATH_UCMD_POLL, PATH_POLL,
		PATH_SQPOLL, PATH_SQIOPOLL,
	};
	size_t sizes[64];
	unsigned int n = sweep_sizes(plan, sizes, 64), i;
	const struct bench_result *r;
	char sz[24];

	printf("\n== Comparison, IOMMU %s (guest CPU emulated by TCG: see bench/README.md) ==\n",
	       iommu);
	printf("Throughput, MB/s, and against guest memcpy; offload at QD 8, batches of 4\n");
	table(plan, res, sizes, n, false);
	printf("\nGuest CPU seconds per GiB moved (all vCPUs, /proc/stat), and against memcpy\n");
	table(plan, res, sizes, n, true);
	printf("\nBreak-even (smallest size from which offload beats memcpy at every larger size):\n");
	for (i = 0; i < sizeof(be) / sizeof(be[0]); i++) {
		size_t s = break_even(plan, res, be[i], sizes, n);

		printf("  %-12s %s\n", path_name(be[i]),
		       s ? size_str(s, sz, sizeof(sz)) : "none in this sweep");
	}
	for (i = 0; i < plan->n; i++) {
		if (plan->cells[i].path != PATH_DEVICE || res[i].err)
			continue;
		r = &res[i];
		printf("Engine ceiling (in-kernel streaming copies, %s): %.0f MB/s\n",
		       size_str(plan->cells[i].size, sz, sizeof(sz)), r->mbps);
	}
	targets(plan, res, sizes, n, cpu_auto);
}
