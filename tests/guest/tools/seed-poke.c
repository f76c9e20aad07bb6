// SPDX-License-Identifier: GPL-2.0
/*
 * seed-poke PCIDIR LEN: run one copy through the seed register block from
 * user space, with the exact access pattern of the seed's reference
 * driver: 32-bit writes of the addresses, the length at 0x1014 and 1 at
 * 0x1018, then a 32-bit poll of 0x101c until it reads 1.
 *
 * The function must not be bound to a driver. Source and destination are
 * locked pages whose physical addresses come from /proc/self/pagemap, so
 * LEN is at most one page. Prints "copied" when the destination matches,
 * or "error E at ADDR" when the device reports error E (as it must when
 * an IOMMU blocks the unmapped addresses). Exit 0 on either outcome that
 * the device reported consistently, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096
#define REG(o)		((volatile uint32_t *)(bar + (o)))

static uint8_t *bar;

static uint64_t phys_of(void *p)
{
	uint64_t ent;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0 || pread(fd, &ent, 8, (uintptr_t)p / PAGE * 8) != 8) {
		perror("pagemap");
		exit(1);
	}
	close(fd);
	if (!(ent & (1ULL << 63)) || !(ent & ((1ULL << 55) - 1))) {
		fprintf(stderr, "no physical address (not root?)\n");
		exit(1);
	}
	return (ent & ((1ULL << 55) - 1)) * PAGE + (uintptr_t)p % PAGE;
}

static void set_bus_master(const char *dir)
{
	char path[512];
	uint16_t cmd;
	int fd;

	snprintf(path, sizeof(path), "%s/config", dir);
	fd = open(path, O_RDWR);
	if (fd < 0 || pread(fd, &cmd, 2, 4) != 2) {
		perror(path);
		exit(1);
	}
	cmd |= 0x6;	/* memory space, bus master */
	if (pwrite(fd, &cmd, 2, 4) != 2) {
		perror(path);
		exit(1);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	struct timespec t0, t;
	uint64_t src_pa, dst_pa;
	char path[512];
	uint8_t *src, *dst;
	unsigned long len;
	uint32_t err;
	int fd, i;

	if (argc != 3) {
		fprintf(stderr, "usage: seed-poke PCIDIR LEN (LEN <= %d)\n", PAGE);
		return 2;
	}
	len = strtoul(argv[2], NULL, 0);
	if (!len || len > PAGE) {
		fprintf(stderr, "LEN must be 1..%d\n", PAGE);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/resource0", argv[1]);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	bar = mmap(NULL, 0x4000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (bar == MAP_FAILED) {
		perror("mmap BAR0");
		return 1;
	}
	set_bus_master(argv[1]);

	src = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE, -1, 0);
	if (src == MAP_FAILED) {
		perror("mmap buffers");
		return 1;
	}
	dst = src + PAGE;
	for (i = 0; i < PAGE; i++) {
		src[i] = i * 13 + 7;
		dst[i] = 0xa5;
	}
	src_pa = phys_of(src);
	dst_pa = phys_of(dst);

	*REG(0x1000) = (uint32_t)src_pa;
	*REG(0x1004) = src_pa >> 32;
	*REG(0x1008) = (uint32_t)dst_pa;
	*REG(0x100c) = dst_pa >> 32;
	*REG(0x1014) = len;
	*REG(0x1018) = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!(*REG(0x101c) & 1)) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 5) {
			printf("timeout\n");
			return 1;
		}
	}
	if (*REG(0x101c) & 2) {
		err = *REG(0x1020);
		printf("error %u at 0x%" PRIx64 "\n", err,
		       (uint64_t)*REG(0x102c) << 32 | *REG(0x1028));
		for (i = 0; i < PAGE; i++) {
			if (dst[i] != 0xa5) {
				printf("but the destination changed at %d\n", i);
				return 1;
			}
		}
	} else {
		if (memcmp(src, dst, len)) {
			printf("destination differs\n");
			return 1;
		}
		for (i = len; i < PAGE; i++) {
			if (dst[i] != 0xa5) {
				printf("wrote past the end, at %d\n", i);
				return 1;
			}
		}
		printf("copied\n");
	}
	*REG(0x101c) = 3;	/* W1C DONE and ERROR */
	return 0;
}
