/* SPDX-License-Identifier: MIT */
/*
 * sizearg.h: sizes on the command lines of the demos and the benchmark
 * ("4096", "64k", "1m", "2g", "0x1000"). Header only.
 */
#ifndef DMAE_SIZEARG_H
#define DMAE_SIZEARG_H

#include <errno.h>
#include <stdlib.h>

/**
 * parse_size() - a byte count with an optional k, m or g suffix (powers
 * of 1024)
 * @s: the text
 *
 * Return: the count, or -1 for anything else (junk, a negative number,
 * an overflow).
 */
static inline long long parse_size(const char *s)
{
	unsigned int shift = 0;
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	}
	if (shift)
		end++;
	if (errno || *end || v < 0 || v > (1LL << 40) >> shift)
		return -1;
	return v << shift;
}

#endif
