/* SPDX-License-Identifier: MIT */
/*
 * filecmp.h: the demos' output check, "do these two files hold the same
 * bytes". Header only.
 */
#ifndef DMAE_FILECMP_H
#define DMAE_FILECMP_H

#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/**
 * files_equal() - same length and the same bytes
 * @a: an open file
 * @b: another
 *
 * Return: true if they are equal; false if not, or if one cannot be read.
 */
static inline bool files_equal(int a, int b)
{
	static char x[1 << 16], y[1 << 16];
	struct stat sa, sb;
	off_t off;

	if (fstat(a, &sa) || fstat(b, &sb) || sa.st_size != sb.st_size)
		return false;
	for (off = 0; off < sa.st_size; off += sizeof(x)) {
		size_t n = sa.st_size - off < (off_t)sizeof(x) ?
			   (size_t)(sa.st_size - off) : sizeof(x);

		if (pread(a, x, n, off) != (ssize_t)n ||
		    pread(b, y, n, off) != (ssize_t)n || memcmp(x, y, n))
			return false;
	}
	return true;
}

#endif
