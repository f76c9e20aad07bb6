// SPDX-License-Identifier: MIT
/*
 * dmae-bench: guest CPU memcpy against the engine, over sizes, queue
 * depths and batch sizes. A program that prints measured figures; see
 * bench/README.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devhint.h"
#include "plan.h"
#include "sizearg.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dmae-bench [--quick|--full] [-t SECS] [-p PATHS] [-s SIZES]\n"
		"                  [-o CSV] [-d /dev/dma_engineN] [--spread]\n"
		"Copy between two 128 MiB pools by each path for SECS per cell and\n"
		"print throughput, operations/s, latency p50/p99 and guest CPU time\n"
		"per GiB, then a comparison with memcpy, break-even sizes and the\n"
		"targets of issue 6. The last copy of every cell is checked.\n"
		"  --quick     a few sizes and queue depths (the default)\n"
		"  --full      64 B to 64 MiB, QD 1 to 64, batch sizes\n"
		"  -t SECS     time per cell (default 0.25 quick, 0.5 full)\n"
		"  -p PATHS    comma-separated subset of: memcpy,kernel-cpu,ring,\n"
		"              ring-fixed,uring-cmd,uring-cmd-poll,ring-fixed-poll,ring-sqpoll,\n"
		"              ring-sqpoll-poll,seed,device,nop-io_uring,\n"
		"              nop-uring-cmd,nop-ring (the ring-fixed paths and the\n"
		"              sqpoll ones use registered buffers; -poll: IOPOLL,\n"
		"              sqpoll: SQPOLL, whose thread's CPU time is counted)\n"
		"  -s SIZES    comma-separated sizes for the size sweep (64 to\n"
		"              67108864; suffixes k and m)\n"
		"  -o CSV      also write every cell as a CSV row to this file\n"
		"  -d DEV      the engine (default $DMAE_DEVICE or /dev/dma_engine0)\n"
		"  --spread    the ring paths' context spreads its copies over all\n"
		"              of the device's channels (DMAE_SETUP_SPREAD)\n"
		"Exit status: 0 if every cell ran and checked, 1 if one failed,\n"
		"2 for bad arguments.\n");
}

static int parse_paths(char *arg, bool *paths)
{
	char *tok, *save = NULL;

	memset(paths, 0, PATH_COUNT * sizeof(*paths));
	for (tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int p = path_from_name(tok);

		if (p < 0) {
			fprintf(stderr, "dmae-bench: unknown path '%s'\n", tok);
			return -1;
		}
		paths[p] = true;
	}
	return 0;
}

static int parse_sizes(char *arg, size_t *sizes, unsigned int max)
{
	char *tok, *save = NULL;
	unsigned int n = 0;

	for (tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		long long v = parse_size(tok);

		if (v < 64 || v > BENCH_MAX_SIZE || n == max) {
			fprintf(stderr, "dmae-bench: bad size '%s' (64 to 64m, at most %u sizes)\n",
				tok, max);
			return -1;
		}
		sizes[n++] = v;
	}
	return n;
}

/* The IOMMU translates for the engine when it sits in an IOMMU group. */
static const char *iommu_state(const char *sysfs)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/iommu_group", sysfs);
	return access(path, F_OK) ? "off" : "on";
}

/*
 * The device's measured CPU-path break-even, or -1: what a context set up
 * with DMAE_CPU_THRESHOLD_AUTO gets (the first such setup measures it).
 * Asked after the sweep, so the measurement does not run beside a cell.
 */
static long cpu_break_even(const char *dev)
{
	struct dmae_uring_params p;
	struct dmae_ring ring;

	memset(&p, 0, sizeof(p));
	p.sq_entries = 1;
	p.cpu_threshold = DMAE_CPU_THRESHOLD_AUTO;
	if (dmae_queue_init_params(dev, &p, &ring))
		return -1;
	dmae_queue_exit(&ring);
	return p.cpu_threshold;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "full", no_argument, NULL, 'f' },
		{ "spread", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct bench_plan plan;
	static struct bench_result res[BENCH_PLAN_MAX];
	struct bench_env env = { .fd = -1 };
	bool paths[PATH_COUNT], full = false;
	size_t sizes[32];
	int nsizes = 0, opt, ret, failed = 0;
	const char *csv_path = NULL, *iommu;
	char sysfs[256], devname[64];
	double secs = 0, t0;
	unsigned int i;
	FILE *csv = NULL;

	memset(paths, 1, sizeof(paths));
	env.dev = getenv("DMAE_DEVICE") ? getenv("DMAE_DEVICE") :
					  "/dev/dma_engine0";
	while ((opt = getopt_long(argc, argv, "t:p:s:o:d:h", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'q':
			full = false;
			break;
		case 'f':
			full = true;
			break;
		case 'S':
			env.spread = true;
			break;
		case 't':
			secs = strtod(optarg, NULL);
			if (!(secs >= 0.01 && secs <= 60)) {
				fprintf(stderr, "dmae-bench: -t takes 0.01 to 60 seconds\n");
				return 2;
			}
			break;
		case 'p':
			if (parse_paths(optarg, paths))
				return 2;
			break;
		case 's':
			nsizes = parse_sizes(optarg, sizes, 32);
			if (nsizes < 0)
				return 2;
			break;
		case 'o':
			csv_path = optarg;
			break;
		case 'd':
			env.dev = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	env.cell_secs = secs ? secs : full ? 0.5 : 0.25;
	snprintf(devname, sizeof(devname), "%s", env.dev);
	snprintf(sysfs, sizeof(sysfs), "/sys/class/misc/%s/device",
		 basename(devname));
	env.sysfs = sysfs;
	iommu = iommu_state(sysfs);

	ret = bench_env_init(&env);
	if (ret) {
		dmae_dev_error("dmae-bench", env.dev, -ret);
		return 1;
	}
	/* a backend that cannot be polled has no polled path to measure */
	if (!env.poll_ok)
		paths[PATH_POLL] = false;
	if (!env.sqpoll_ok)
		paths[PATH_SQPOLL] = false;
	if (!env.sqiopoll_ok)
		paths[PATH_SQIOPOLL] = false;
	if (!env.upoll_ok)
		paths[PATH_UCMD_POLL] = false;
	plan_build(&plan, full, paths, nsizes ? sizes : NULL, nsizes);
	if (!plan.n) {
		fprintf(stderr, "dmae-bench: nothing to measure (paths and sizes exclude each other)\n");
		bench_env_exit(&env);
		return 2;
	}
	if (csv_path) {
		csv = fopen(csv_path, "w");
		if (!csv) {
			fprintf(stderr, "dmae-bench: %s: %s\n", csv_path,
				strerror(errno));
			bench_env_exit(&env);
			return 1;
		}
		report_csv_header(csv);
	}
	printf("dmae-bench: %s sweep, %u cells of %.2f s, %s%s, IOMMU %s\n",
	       full ? "full" : "quick", plan.n, env.cell_secs, env.dev,
	       env.spread ? " (spread over its channels)" : "", iommu);
	report_header();
	t0 = bench_now();
	for (i = 0; i < plan.n; i++) {
		if (bench_run_cell(&env, &plan.cells[i], &res[i]))
			failed++;
		report_cell(&plan.cells[i], &res[i], i, plan.n);
		if (csv)
			report_csv(csv, iommu, &plan.cells[i], &res[i]);
	}
	printf("dmae-bench: %u cells in %.1f s, %d failed\n", plan.n,
	       bench_now() - t0, failed);
	report_summary(&plan, res, iommu, cpu_break_even(env.dev));
	if (csv && fclose(csv)) {
		fprintf(stderr, "dmae-bench: %s: %s\n", csv_path, strerror(errno));
		failed++;
	}
	bench_env_exit(&env);
	return failed ? 1 : 0;
}
