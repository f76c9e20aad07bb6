// SPDX-License-Identifier: MIT
/*
 * dmae-bench: clocks, guest CPU time, latency percentiles, and the
 * driver's debugfs "bench" hook.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

double bench_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int bench_lat_init(struct bench_lat *lat, size_t cap)
{
	lat->ns = calloc(cap, sizeof(*lat->ns));
	lat->n = 0;
	lat->cap = cap;
	return lat->ns ? 0 : -ENOMEM;
}

void bench_lat_free(struct bench_lat *lat)
{
	free(lat->ns);
	lat->ns = NULL;
}

/* Past the capacity the samples are dropped: the first ones are kept. */
void bench_lat_add(struct bench_lat *lat, uint64_t ns)
{
	if (lat->n < lat->cap)
		lat->ns[lat->n++] = ns;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void bench_lat_pct(struct bench_lat *lat, double *p50_us, double *p99_us)
{
	if (!lat->n) {
		*p50_us = *p99_us = 0;
		return;
	}
	qsort(lat->ns, lat->n, sizeof(*lat->ns), cmp_u64);
	*p50_us = lat->ns[(lat->n - 1) / 2] / 1e3;
	*p99_us = lat->ns[(lat->n - 1) * 99 / 100] / 1e3;
}

/* Derived figures of a finished cell. */
void bench_finish(struct bench_result *res, double cpu0, double cpu1)
{
	res->cpu_s = cpu1 - cpu0;
	if (res->secs > 0) {
		res->mbps = res->bytes / res->secs / 1e6;
		res->ops_s = res->ops / res->secs;
	}
	if (res->bytes)
		res->cpu_per_gib = res->cpu_s / ((double)res->bytes / (1u << 30));
}

/**
 * bench_dbg_bench() - run the driver's debugfs "bench" hook once
 * @sysfs: the engine's PCI device directory in sysfs (its hooks are in
 *	/sys/kernel/debug/dma_engine/<its PCI name>/)
 * @seed: through the seed register block (else streaming on channel 0)
 * @size: bytes per copy
 * @count: copies
 * @ns: total nanoseconds, as the driver timed them
 * @p50: median nanoseconds per copy (seed only)
 * @p99: 99th percentile (seed only)
 *
 * Return: 0 or -errno (the driver checks the last copy; -EIO if it differs).
 */
int bench_dbg_bench(const char *sysfs, bool seed, size_t size,
		    unsigned int count, uint64_t *ns, uint64_t *p50,
		    uint64_t *p99)
{
	char path[512], buf[256], *pci;
	unsigned long long s, c, t, m, a, b;
	int fd, n, ret = 0;

	pci = realpath(sysfs, NULL);
	if (!pci)
		return -errno;
	snprintf(path, sizeof(path), "/sys/kernel/debug/dma_engine/%s/bench",
		 strrchr(pci, '/') ? strrchr(pci, '/') + 1 : pci);
	free(pci);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%s%zu %u", seed ? "seed " : "", size,
		     count);
	if (write(fd, buf, n) != n) {
		ret = -errno;
		goto out;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0) {
		ret = n < 0 ? -errno : -EIO;
		goto out;
	}
	buf[n] = 0;
	if (sscanf(buf, "size %llu count %llu ns %llu mbps %llu mode %*s p50 %llu p99 %llu",
		   &s, &c, &t, &m, &a, &b) != 6 || s != size || c != count) {
		ret = -EPROTO;
		goto out;
	}
	*ns = t;
	*p50 = a;
	*p99 = b;
out:
	close(fd);
	return ret;
}
