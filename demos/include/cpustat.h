/* SPDX-License-Identifier: MIT */
/*
 * cpustat.h: guest CPU time for the demos and the benchmark. Header only.
 *
 * Work the kernel does for a process in interrupts, softirqs and
 * workqueues (completions, page pinning in kworkers) is not charged to the
 * process, so getrusage() alone would flatter offload. These count the
 * busy time of every CPU from /proc/stat instead; run them on a quiet
 * machine.
 */
#ifndef DMAE_CPUSTAT_H
#define DMAE_CPUSTAT_H

#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

/**
 * cpustat_busy() - busy seconds of all CPUs since boot
 * @secs: set to user + nice + system + irq + softirq + steal, in seconds
 *
 * Return: 0 or -errno. The resolution is one clock tick (10 ms).
 */
static inline int cpustat_busy(double *secs)
{
	unsigned long long v[8] = { 0 };
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return -errno;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n < 8 || hz <= 0)
		return -EIO;
	/* v[3] idle and v[4] iowait are not busy; guest time is in user. */
	*secs = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / hz;
	return 0;
}

/** cpustat_self() - user + system seconds of this process, all threads */
static inline double cpustat_self(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

#endif
