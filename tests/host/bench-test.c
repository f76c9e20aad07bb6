// SPDX-License-Identifier: MIT
/*
 * Host tests of dmae-bench's pure parts: the sweep plans, the latency
 * percentiles and derived figures, and the summary's break-even sizes and
 * target verdicts on made-up results. Prints TAP lines.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../bench/plan.h"
#include "sizearg.h"

static int failed, count;

static void tap(bool ok, const char *what)
{
	count++;
	failed += !ok;
	printf("%sok - host: bench: %s\n", ok ? "" : "not ", what);
}

static bool all_paths[PATH_COUNT];

/* Every cell within its path's limits, QD and batch sane, no repeats. */
static bool plan_sane(const struct bench_plan *p)
{
	unsigned int i, j;

	for (i = 0; i < p->n; i++) {
		const struct bench_cell *c = &p->cells[i];

		if (c->size > path_max_size(c->path) || !c->qd ||
		    c->qd > BENCH_MAX_QD || !c->batch || c->batch > c->qd ||
		    (!path_async(c->path) && c->qd != 1))
			return false;
		for (j = 0; j < i; j++)
			if (p->cells[j].path == c->path &&
			    p->cells[j].size == c->size &&
			    p->cells[j].qd == c->qd &&
			    p->cells[j].batch == c->batch)
				return false;
	}
	return true;
}

static bool plan_has(const struct bench_plan *p, enum bench_path path,
		     size_t size, unsigned int qd, unsigned int batch)
{
	unsigned int i;

	for (i = 0; i < p->n; i++)
		if (p->cells[i].path == path && p->cells[i].size == size &&
		    p->cells[i].qd == qd && p->cells[i].batch == batch)
			return true;
	return false;
}

static void test_plans(void)
{
	static struct bench_plan p;
	bool only[PATH_COUNT] = { false };
	size_t sizes[] = { 4096, 1 << 20 };
	unsigned int i;
	bool ok;

	plan_build(&p, false, all_paths, NULL, 0);
	tap(p.n > 30 && plan_sane(&p), "the quick plan is within every path's limits, without repeats");
	tap(plan_has(&p, PATH_NOP_RING, 0, 32, 32) &&
	    plan_has(&p, PATH_NOP_URING, 0, 32, 32),
	    "the quick plan has the NOPs at QD 32, batches of 32");
	tap(plan_has(&p, PATH_FIXED, 1 << 20, 8, 4) &&
	    plan_has(&p, PATH_MEMCPY, 1 << 20, 1, 1) &&
	    plan_has(&p, PATH_RING, 8192, 8, 4),
	    "the quick plan has what the targets need (1 MiB, 8 KiB at QD 8)");
	tap(!plan_has(&p, PATH_KCPU, 65536, 8, 4) &&
	    plan_has(&p, PATH_KCPU, 8192, 8, 4),
	    "the kernel's CPU path is only planned below 64 KiB");

	plan_build(&p, true, all_paths, NULL, 0);
	tap(p.n > 100 && p.n < BENCH_PLAN_MAX && plan_sane(&p),
	    "the full plan is within every path's limits, without repeats");
	tap(plan_has(&p, PATH_MEMCPY, 64, 1, 1) &&
	    plan_has(&p, PATH_FIXED, 64u << 20, 8, 4) &&
	    plan_has(&p, PATH_SEED, 4u << 20, 1, 1) &&
	    !plan_has(&p, PATH_SEED, 16u << 20, 1, 1),
	    "the full plan spans 64 B to 64 MiB (the seed block to 4 MiB)");
	ok = true;
	for (i = 1; i <= 64; i *= 2)
		ok &= plan_has(&p, PATH_RING, 65536, i, i > 1 ? i / 2 : 1);
	tap(ok, "the full plan sweeps QD 1 to 64 (batch QD/2)");
	ok = true;
	for (i = 1; i <= 32; i *= 2)
		ok &= plan_has(&p, PATH_URING, 4096, 32, i);
	tap(ok, "the full plan sweeps batches 1 to 32 at QD 32");

	only[PATH_MEMCPY] = only[PATH_FIXED] = true;
	plan_build(&p, false, only, sizes, 2);
	ok = p.n == 2 + 2 + 2 && plan_sane(&p);	/* + QD 1 and 32 at 4 KiB */
	for (i = 0; i < p.n; i++)
		ok &= p.cells[i].path == PATH_MEMCPY ||
		      p.cells[i].path == PATH_FIXED;
	tap(ok, "-p and -s restrict the plan to those paths and sizes");
	memset(only, 0, sizeof(only));
	only[PATH_NOP_RING] = true;
	plan_build(&p, false, only, sizes, 2);
	tap(p.n == 1, "a NOP path alone is one cell");
}

static void test_measure(void)
{
	struct bench_result r = { .ops = 1000, .bytes = 1u << 30, .secs = 2 };
	struct bench_lat lat;
	double p50, p99;
	unsigned int i;

	tap(!bench_lat_init(&lat, 1000), "latency store allocates");
	for (i = 100; i >= 1; i--)
		bench_lat_add(&lat, i * 1000);	/* 1..100 us, reversed */
	bench_lat_pct(&lat, &p50, &p99);
	tap(p50 == 50 && p99 == 99, "p50 and p99 of 1..100 us are 50 and 99");
	lat.n = 0;
	for (i = 0; i < 2000; i++)
		bench_lat_add(&lat, 1000);
	tap(lat.n == 1000, "samples past the store's size are dropped, not written");
	lat.n = 0;
	bench_lat_pct(&lat, &p50, &p99);
	tap(p50 == 0 && p99 == 0, "no samples: percentiles 0");
	bench_lat_free(&lat);

	bench_finish(&r, 10, 11.5);
	tap(r.mbps > 536.8 && r.mbps < 536.9 && r.ops_s == 500 &&
	    r.cpu_s == 1.5 && r.cpu_per_gib == 1.5,
	    "MB/s, ops/s and CPU seconds per GiB from a cell's counts");
}

/* Results for a plan: memcpy 1000 MB/s, 1 s/GiB; ring and fixed x times that. */
static void fill(const struct bench_plan *p, struct bench_result *res,
		 double ring_x, double fixed_x, double cpu_fixed)
{
	unsigned int i;

	for (i = 0; i < p->n; i++) {
		const struct bench_cell *c = &p->cells[i];
		double x = c->path == PATH_RING ? ring_x :
			   c->path == PATH_FIXED ? fixed_x : 1;

		memset(&res[i], 0, sizeof(res[i]));
		res[i].ops = 1000;
		/* Offload loses below 8 KiB (a tenth of x). */
		res[i].mbps = 1000 * x * (x != 1 && c->size < 8192 ? 0.1 : 1);
		res[i].ops_s = c->path == PATH_FIXED ? 300000 : 100000;
		res[i].cpu_per_gib = c->path == PATH_FIXED ? cpu_fixed : 1;
		if (c->path == PATH_NOP_RING)
			res[i].ops_s = 1e6;
		if (c->path == PATH_NOP_URING)
			res[i].ops_s = 3e6;
	}
}

static char *summary_auto(const struct bench_plan *p,
			  const struct bench_result *res, long cpu_auto)
{
	static char buf[1 << 16];
	FILE *f = tmpfile();
	int saved = dup(fileno(stdout));
	size_t n;

	fflush(stdout);
	dup2(fileno(f), fileno(stdout));
	report_summary(p, res, "off", cpu_auto);
	fflush(stdout);
	dup2(saved, fileno(stdout));
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static char *summary(const struct bench_plan *p, const struct bench_result *res)
{
	return summary_auto(p, res, -1);
}

static void test_summary(void)
{
	static struct bench_plan p;
	static struct bench_result res[BENCH_PLAN_MAX];
	char *s;

	plan_build(&p, false, all_paths, NULL, 0);
	fill(&p, res, 2, 6, 0.01);
	s = summary(&p, res);
	tap(strstr(s, "[met]     registered-buffer offload >= 5x") != NULL,
	    "6x memcpy at >= 1 MiB meets the 5x target");
	tap(strstr(s, "[met]     offload (plain buffers, QD 8) beats memcpy from 8 KiB") != NULL,
	    "2x memcpy from 8 KiB meets the 8 KiB target");
	tap(strstr(s, "[met]     guest CPU per GiB, registered") != NULL,
	    "1% of memcpy's CPU meets the 5% target");
	tap(strstr(s, "[met]     registered >= 2x the ops/s") != NULL,
	    "3x the ops/s meets the 2x target");
	tap(strstr(s, "[not met] shared-ring NOP") != NULL &&
	    strstr(s, "3.00x") != NULL,
	    "a NOP 3x io_uring's misses the 2x target, and says 3.00x");
	if (getenv("BENCH_TEST_SHOW"))
		fputs(s, stderr);
	tap(strstr(s, "ring         8 KiB") != NULL,
	    "break-even is the smallest size from which offload wins");
	/* registered beats the kernel's CPU path from 8 KiB here */
	s = summary_auto(&p, res, 8192);
	tap(strstr(s, "[met]     cpu_threshold auto") != NULL &&
	    strstr(s, "(auto 8 KiB, measured here 8 KiB)") != NULL,
	    "cpu_threshold auto at the measured break-even: met");
	s = summary_auto(&p, res, 65536);
	tap(strstr(s, "[met]     cpu_threshold auto") != NULL,
	    "auto one swept size above the break-even: met");
	s = summary_auto(&p, res, 1024);
	tap(strstr(s, "[not met] cpu_threshold auto") != NULL,
	    "auto two swept sizes below the break-even: not met");
	s = summary_auto(&p, res, -1);
	tap(strstr(s, "[n/a]     cpu_threshold auto") != NULL,
	    "no figure from the device: n/a");

	fill(&p, res, 0.5, 4, 0.2);
	s = summary(&p, res);
	tap(strstr(s, "[not met] registered-buffer offload >= 5x") != NULL &&
	    strstr(s, "[not met] guest CPU per GiB, registered") != NULL &&
	    strstr(s, "none in this sweep") != NULL,
	    "slower offload misses the targets and has no break-even");

	res[0].err = 5;	/* a failed memcpy cell is left out, not compared */
	s = summary(&p, res);
	tap(strstr(s, "-") != NULL, "a failed cell shows as '-'");
	memset(res, 0, sizeof(res));
	s = summary(&p, res);
	tap(strstr(s, "[n/a]") != NULL, "no results: targets are n/a, not met");
}

static void test_sizes(void)
{
	tap(parse_size("4096") == 4096 && parse_size("64k") == 65536 &&
	    parse_size("1M") == 1 << 20 && parse_size("2g") == 2LL << 30 &&
	    parse_size("0x1000") == 4096,
	    "sizes: plain, k, M, g and hex");
	tap(parse_size("") == -1 && parse_size("12x") == -1 &&
	    parse_size("-5") == -1 && parse_size("k") == -1 &&
	    parse_size("1kk") == -1 && parse_size("99999999999g") == -1,
	    "sizes: junk, negative, empty and overflowing ones are refused");
}

int main(void)
{
	memset(all_paths, 1, sizeof(all_paths));
	test_plans();
	test_measure();
	test_summary();
	test_sizes();
	return failed ? 1 : 0;
}
