/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the guest test programs: TAP output, buffers, and what a
 * device offers.
 */
#ifndef GUEST_TAP_H
#define GUEST_TAP_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dmae_uring.h"

static int failures;

/* Print "ok - PREFIX..." or "not ok - PREFIX..."; count failures. */
static inline void tap_line(bool ok, const char *prefix, const char *fmt,
			    va_list ap)
{
	printf("%sok - %s", ok ? "" : "not ", prefix);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	failures += !ok;
}

/* Fresh anonymous memory (zeroed), or NULL. */
static inline uint8_t *alloc_buf(size_t n)
{
	uint8_t *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * dmae_uring_params.ops of a context set up on @path: bit 1 << DMAE_UOP_x
 * for each operation the device runs; all of them if it does not say.
 */
static inline unsigned int dev_query_ops(const char *path)
{
	struct dmae_uring_params p = { .sq_entries = 1 };
	unsigned int ops = ~0u;
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return ops;
	if (!ioctl(fd, DMAE_IOC_SETUP, &p) && (p.features & DMAE_FEAT_OPS))
		ops = p.ops;
	close(fd);
	return ops;
}

#endif
