// SPDX-License-Identifier: GPL-2.0
/*
 * one-copy: a single copy through the shared ring, checked byte for byte;
 * for tests that look at what one copy does (its tracepoints).
 *
 *   one-copy DEVICE LEN CPU_THRESHOLD USER_DATA
 *
 * Exit 0 if the copy completed with LEN, its user_data came back and the
 * destination holds the source; 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libdmae.h"

int main(int argc, char **argv)
{
	unsigned long len, thr;
	unsigned long long ud;
	struct dmae_ring ring;
	struct dmae_cqe *cqe;
	struct dmae_sqe *sqe;
	char *src, *dst, *end;
	int ret, bad;

	if (argc != 5) {
		fprintf(stderr, "usage: one-copy DEVICE LEN CPU_THRESHOLD USER_DATA\n");
		return 1;
	}
	len = strtoul(argv[2], &end, 0);
	if (*end || !len || len > (64u << 20)) {
		fprintf(stderr, "one-copy: LEN must be 1 to 64 MiB\n");
		return 1;
	}
	thr = strtoul(argv[3], NULL, 0);
	ud = strtoull(argv[4], NULL, 0);
	src = malloc(len);
	dst = calloc(1, len);
	if (!src || !dst)
		return 1;
	for (unsigned long i = 0; i < len; i++)
		src[i] = (char)(i * 7 + 3);
	ret = dmae_queue_init_dev(argv[1], 4, &ring, thr);
	if (ret) {
		fprintf(stderr, "one-copy: %s: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	sqe = dmae_get_sqe(&ring);
	dmae_prep_copy(sqe, dst, src, len);
	dmae_sqe_set_data(sqe, ud);
	ret = dmae_submit_and_wait(&ring, 1);
	if (ret != 1 || dmae_wait_cqe(&ring, &cqe)) {
		fprintf(stderr, "one-copy: submit: %s\n", strerror(ret < 0 ? -ret : EIO));
		return 1;
	}
	bad = cqe->res != (int)len || cqe->user_data != ud;
	printf("one-copy: res %d user_data %#llx flags %#x\n", cqe->res,
	       (unsigned long long)cqe->user_data, cqe->flags);
	dmae_cqe_seen(&ring, cqe);
	dmae_queue_exit(&ring);
	bad |= memcmp(src, dst, len) != 0;
	return bad;
}
