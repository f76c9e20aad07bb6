// SPDX-License-Identifier: GPL-2.0
/*
 * host-memcpy SIZE... : the host's memcpy bandwidth, the ceiling of an
 * emulated engine. For each SIZE, copies one buffer to another of that
 * size repeatedly for about half a second (after a warm-up copy) and
 * prints "size S mbps M" (10^6 bytes per second).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		printf("usage: host-memcpy SIZE...\n"
		       "Measure memcpy bandwidth for buffers of each SIZE bytes.\n");
		return argc < 2 ? 2 : 0;
	}
	for (i = 1; i < argc; i++) {
		char *end;
		size_t size = strtoull(argv[i], &end, 0);
		unsigned long n = 0;
		unsigned char *a, *b;
		double t0, t;

		if (*end || !size || size > (1UL << 32)) {
			fprintf(stderr, "host-memcpy: bad size '%s'\n", argv[i]);
			return 2;
		}
		a = aligned_alloc(64, (size + 63) / 64 * 64);
		b = aligned_alloc(64, (size + 63) / 64 * 64);
		if (!a || !b) {
			fprintf(stderr, "host-memcpy: out of memory\n");
			return 1;
		}
		memset(a, 0x5a, size);
		memset(b, 0, size);
		memcpy(b, a, size);
		t0 = now();
		do {
			a[n % size] = (unsigned char)n;
			memcpy(b, a, size);
			n++;
			t = now() - t0;
		} while (t < 0.5);
		if (memcmp(a, b, size)) {
			fprintf(stderr, "host-memcpy: copy differs\n");
			return 1;
		}
		printf("size %zu mbps %.0f\n", size, size * (double)n / t / 1e6);
		free(a);
		free(b);
	}
	return 0;
}
