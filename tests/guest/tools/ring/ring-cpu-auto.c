// SPDX-License-Identifier: GPL-2.0
/*
 * ring-cpu-auto [DEVICE]: cpu_threshold DMAE_CPU_THRESHOLD_AUTO takes the
 * device's measured break-even (sysfs cpu_break_even): a power of two
 * from 512 bytes to DMAE_MAX_CPU_THRESHOLD, the same for every context;
 * copies below it run on the CPU, from it on the engine, each checked
 * with its guards. What the figure is depends on the machine; that it is
 * used as the threshold does not.
 */
#include "ring.h"

#include <fcntl.h>
#include <libgen.h>
#include <sys/ioctl.h>

/* The device's cpu_break_even in sysfs, or -1 */
static long sysfs_break_even(void)
{
	char path[256], *d = strdup(dev);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/misc/%s/cpu_break_even",
		 basename(d));
	free(d);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static bool pow2_in_range(unsigned int v)
{
	return v >= 512 && v <= DMAE_MAX_CPU_THRESHOLD && !(v & (v - 1));
}

int main(int argc, char **argv)
{
	struct dmae_uring_params p;
	struct dmae_ring ring, ring2;
	unsigned int t;
	bool cpu = false, ok;
	long sys;
	int fd;

	if (!ring_start(argc, argv, "ring-cpu-auto [DEVICE]"))
		return 77;
	memset(&p, 0, sizeof(p));
	p.sq_entries = 8;
	p.cpu_threshold = DMAE_CPU_THRESHOLD_AUTO - 1;
	fd = open(dev, O_RDWR);
	tap(fd >= 0 && ioctl(fd, DMAE_IOC_SETUP, &p) < 0 && errno == EINVAL,
	    "a CPU threshold above the maximum that is not AUTO: EINVAL");
	if (fd >= 0)
		close(fd);

	memset(&p, 0, sizeof(p));
	p.sq_entries = 8;
	p.cpu_threshold = DMAE_CPU_THRESHOLD_AUTO;
	if (dmae_queue_init_params(dev, &p, &ring)) {
		tap(false, "ring with cpu_threshold AUTO: %s", strerror(errno));
		return 1;
	}
	t = p.cpu_threshold;
	tap(p.features & DMAE_FEAT_CPU_AUTO, "setup offers DMAE_FEAT_CPU_AUTO");
	tap(pow2_in_range(t), "AUTO gives a power of two from 512 to %u: %u",
	    DMAE_MAX_CPU_THRESHOLD, t);
	sys = sysfs_break_even();
	tap(sys == (long)t, "sysfs cpu_break_even says the same (%ld)", sys);

	memset(&p, 0, sizeof(p));
	p.sq_entries = 8;
	p.cpu_threshold = DMAE_CPU_THRESHOLD_AUTO;
	ok = !dmae_queue_init_params(dev, &p, &ring2);
	tap(ok && p.cpu_threshold == t,
	    "a second context gets the figure measured once (%u)",
	    p.cpu_threshold);
	if (ok)
		dmae_queue_exit(&ring2);

	ok = check_copy(&ring, t / 2, 3, 5, 0, &cpu);
	tap(ok && cpu, "a copy of half the threshold (%u) runs on the CPU", t / 2);
	ok = check_copy(&ring, t, 3, 5, 0, &cpu);
	tap(ok && !cpu, "a copy of the threshold (%u) runs on the engine", t);
	check_stats(&ring, 0, t / 2 + t);
	dmae_queue_exit(&ring);
	return failures ? 1 : 0;
}
