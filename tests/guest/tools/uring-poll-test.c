// SPDX-License-Identifier: GPL-2.0
/*
 * uring-poll-test DEVICE COUNT LEN [burst|ptr-burst]: the engine's copies
 * from a stock io_uring set up with IORING_SETUP_IOPOLL (and SQE128): each
 * URING_CMD copy asks for no interrupt and io_uring's wait reaps the
 * engine through the driver's uring_cmd_iopoll. One at a time, or with
 * "burst" COUNT (at most 64) at once, waited for all together
 * (io_uring_submit_and_wait); "ptr-burst" the same with the operations
 * passed by pointer (no SQE128). Each copy checked byte for byte.
 * Exit 0 if all passed, 1 if not, 3 if the device refused polled commands
 * with EOPNOTSUPP (a dmaengine backend), 2 for bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libdmae.h"
#include "libdmae_uring.h"

int main(int argc, char **argv)
{
	unsigned long count, len, i, k, nb, got = 0;
	static struct dmae_sqe ops[64];
	unsigned char *src, *dst;
	struct io_uring ring;
	bool burst, ptr;
	int fd, ret, bad = 0;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: uring-poll-test DEVICE COUNT LEN [burst]\n");
		return 0;
	}
	if (argc < 4)
		return 2;
	count = strtoul(argv[2], NULL, 0);
	len = strtoul(argv[3], NULL, 0);
	ptr = argc > 4 && !strcmp(argv[4], "ptr-burst");
	burst = ptr || (argc > 4 && !strcmp(argv[4], "burst"));
	nb = burst ? (count > 64 ? 64 : count) : 1;
	if (!count || !len || len > (16u << 20))
		return 2;
	fd = open(argv[1], O_RDWR);
	ret = io_uring_queue_init(128, &ring, IORING_SETUP_IOPOLL |
				  (ptr ? 0 : IORING_SETUP_SQE128));
	if (fd < 0 || ret) {
		fprintf(stderr, "uring-poll-test: open %s / io_uring: %s\n",
			argv[1], strerror(fd < 0 ? errno : -ret));
		return 1;
	}
	src = malloc(len * nb);
	dst = malloc(len * nb);
	if (!src || !dst)
		return 1;
	for (i = 0; i < (burst ? 1 : count); i++) {
		for (k = 0; k < len * nb; k++)
			src[k] = (unsigned char)(i * 29 + k * 11 + 3);
		memset(dst, 0, len * nb);
		for (k = 0; k < nb; k++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
			struct dmae_sqe *op = &ops[k];

			memset(op, 0, sizeof(*op));
			dmae_prep_copy(op, dst + k * len, src + k * len, len);
			dmae_sqe_set_flags(op, DMAE_SQE_NO_CPU);
			/* by pointer: read when issued, so it lives till then */
			dmae_io_uring_prep(sqe, fd, op, ring.flags);
			io_uring_sqe_set_data64(sqe, k);
		}
		ret = burst ? io_uring_submit_and_wait(&ring, nb) :
			      io_uring_submit(&ring);
		if (ret != (int)nb) {
			fprintf(stderr, "uring-poll-test: submit: %d\n", ret);
			return 1;
		}
		for (k = 0; k < nb; k++) {
			struct io_uring_cqe *cqe;

			ret = io_uring_wait_cqe(&ring, &cqe);
			if (ret) {
				fprintf(stderr, "uring-poll-test: wait: %s\n", strerror(-ret));
				return 1;
			}
			if (cqe->res == -EOPNOTSUPP) {
				printf("uring-poll-test: %s: polled commands refused (EOPNOTSUPP)\n",
				       argv[1]);
				return 3;
			}
			bad += cqe->res != (int)len || cqe->user_data >= nb;
			got++;
			io_uring_cqe_seen(&ring, cqe);
		}
		if (memcmp(src, dst, len * nb))
			bad++;
		if (bad)
			break;
	}
	io_uring_queue_exit(&ring);
	close(fd);
	printf("uring-poll-test: %lu polled URING_CMD copies of %lu bytes%s: %lu completed, %s\n",
	       burst ? nb : count, len, burst ? " at once" : "", got,
	       bad ? "some wrong" : "each checked");
	return bad ? 1 : 0;
}
