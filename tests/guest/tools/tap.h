/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the guest test programs: TAP output and buffers. */
#ifndef GUEST_TAP_H
#define GUEST_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

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

#endif
