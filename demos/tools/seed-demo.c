// SPDX-License-Identifier: GPL-2.0
/*
 * seed-demo: the seed document's copy demo, with a readable report.
 *
 * For each dma-engine function bound to the driver, write sizes to its
 * sysfs "copy_size" file: the driver generates the data, copies it with
 * the device, waits for the interrupt and checks every byte. Reports per
 * size the copies done, the time per copy (clock_gettime around each
 * write) and the interrupts taken.
 *
 * What the time includes: the driver's data generation, DMA mapping, the
 * device copy and the driver's byte-by-byte check, all on an emulated
 * CPU. It shows the path works; it is not a benchmark of the engine.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PCI_DIR "/sys/bus/pci/devices"

static const unsigned long sizes[] = { 1, 4096, 65536, 262144, 1048576, 2097152 };

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int read_str(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(buf, len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static unsigned long irq_count(void)
{
	FILE *f = fopen("/proc/interrupts", "r");
	unsigned long sum = 0;
	char line[512];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');

		if (!p || !strstr(line, "dma_engine"))
			continue;
		for (p++;;) {
			char *end;
			unsigned long v = strtoul(p, &end, 10);

			if (end == p)
				break;
			sum += v;
			p = end;
		}
	}
	fclose(f);
	return sum;
}

/* INTx without msi_irqs/, MSI with one vector there, MSI-X with more. */
static const char *irq_mode(const char *msi_dir)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(msi_dir);

	if (!d)
		return "INTx";
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n > 1 ? "MSI-X" : "MSI";
}

static int copy_once(const char *file, unsigned long n)
{
	char buf[32];
	int fd = open(file, O_WRONLY);
	int len = snprintf(buf, sizeof(buf), "%lu", n);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

static int demo_device(const char *name, double seconds)
{
	char path[512], file[512], mode[64];
	unsigned int i;
	int failed = 0;

	snprintf(path, sizeof(path), PCI_DIR "/%s/msi_irqs", name);
	snprintf(mode, sizeof(mode), "%s", irq_mode(path));
	snprintf(file, sizeof(file), PCI_DIR "/%s/copy_size", name);
	printf("\ndevice %s (%s interrupt)\n", name, mode);
	printf("  %10s %8s %14s %12s %10s\n", "size", "copies", "time/copy",
	       "MB/s", "irqs");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned long copies = 0, irq0 = irq_count();
		double t0 = now(), t;
		int ret = 0;

		do {
			ret = copy_once(file, sizes[i]);
			if (ret)
				break;
			copies++;
			t = now();
		} while (t - t0 < seconds);
		if (ret) {
			printf("  %10lu FAILED: %s\n", sizes[i], strerror(-ret));
			failed++;
			continue;
		}
		t = now() - t0;
		printf("  %10lu %8lu %11.1f us %12.1f %10lu\n", sizes[i], copies,
		       t / copies * 1e6, sizes[i] * copies / t / 1e6,
		       irq_count() - irq0);
	}
	return failed;
}

int main(int argc, char **argv)
{
	double seconds = 0.5;
	struct dirent *de;
	int failed = 0, found = 0;
	DIR *d;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: seed-demo [SECONDS]\n"
		       "Copy driver-generated data through every dma-engine\n"
		       "function via sysfs copy_size, SECONDS (default 0.5) per size,\n"
		       "and report time per copy and interrupts.\n");
		return 0;
	}
	if (argc > 1) {
		seconds = strtod(argv[1], NULL);
		if (seconds <= 0 || seconds > 60) {
			fprintf(stderr, "seed-demo: SECONDS must be in (0, 60]\n");
			return 2;
		}
	}
	d = opendir(PCI_DIR);
	if (!d) {
		perror(PCI_DIR);
		return 1;
	}
	while ((de = readdir(d))) {
		char path[512], ven[16], dev[16];

		snprintf(path, sizeof(path), PCI_DIR "/%s/vendor", de->d_name);
		if (read_str(path, ven, sizeof(ven)))
			continue;
		snprintf(path, sizeof(path), PCI_DIR "/%s/device", de->d_name);
		if (read_str(path, dev, sizeof(dev)))
			continue;
		if (strcmp(ven, "0x1234") || strcmp(dev, "0x3456"))
			continue;
		found++;
		failed += demo_device(de->d_name, seconds);
	}
	closedir(d);
	if (!found) {
		fprintf(stderr, "seed-demo: no dma-engine device found\n");
		return 1;
	}
	printf("\nEvery copy was checked byte for byte by the driver.\n");
	return failed ? 1 : 0;
}
