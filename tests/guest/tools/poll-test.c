// SPDX-License-Identifier: GPL-2.0
/*
 * poll-test: copies on a DMAE_SETUP_IOPOLL ring, one at a time, between
 * registered buffers, each checked byte for byte.
 *
 *   poll-test DEVICE COUNT LEN [spread|leave|burst|irq]
 *
 * COUNT 0 only sets the ring up: exit 0 if it was set up with IOPOLL,
 * 3 if the device refused it with EOPNOTSUPP. Otherwise exit 0 if every
 * copy completed with LEN and its data, 1 if not. "leave": submit COUNT
 * copies (at most 8) and exit without waiting for them (the close must
 * not need a poller to finish). "burst": COUNT copies (at most 128) at once,
 * into COUNT slices of the destination, then wait for all of them.
 * "irq": the same copies one at a time on a ring without IOPOLL (for
 * `make profile`, which compares the two).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "libdmae.h"

int main(int argc, char **argv)
{
	struct dmae_uring_params p = { .sq_entries = 128 };
	unsigned long count, len, i, k;
	struct dmae_ring ring;
	struct dmae_cqe *cqe;
	struct iovec iov[2];
	unsigned char *src, *dst;
	int ret;

	if (argc < 4) {
		fprintf(stderr, "usage: poll-test DEVICE COUNT LEN [spread|leave|burst|irq]\n");
		return 2;
	}
	count = strtoul(argv[2], NULL, 0);
	len = strtoul(argv[3], NULL, 0);
	bool irq = argc > 4 && !strcmp(argv[4], "irq");

	p.flags = (irq ? 0 : DMAE_SETUP_IOPOLL) |
		  (argc > 4 && !strcmp(argv[4], "spread") ? DMAE_SETUP_SPREAD : 0);
	ret = dmae_queue_init_params(argv[1], &p, &ring);
	if (ret == -EOPNOTSUPP) {
		printf("poll-test: %s: IOPOLL refused (EOPNOTSUPP), feature %s\n", argv[1],
		       p.features & DMAE_FEAT_IOPOLL ? "set" : "not set");
		return 3;
	}
	if (ret) {
		fprintf(stderr, "poll-test: %s: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	if (!irq && (!(p.flags & DMAE_SETUP_IOPOLL) ||
		     !(p.features & DMAE_FEAT_IOPOLL))) {
		fprintf(stderr, "poll-test: setup says flags %#x features %#x\n",
			p.flags, p.features);
		return 1;
	}
	if (!count) {
		dmae_queue_exit(&ring);
		return 0;
	}
	bool leave = argc > 4 && !strcmp(argv[4], "leave");
	bool burst = argc > 4 && !strcmp(argv[4], "burst");
	unsigned long nb = burst ? (count > 128 ? 128 : count) : 1;
	if (!len || len > (16u << 20)) {
		fprintf(stderr, "poll-test: LEN must be 1 to 16 MiB\n");
		return 2;
	}
	if (burst && p.sq_entries < nb) {
		fprintf(stderr, "poll-test: burst: the SQ has %u entries\n", p.sq_entries);
		return 2;
	}
	src = malloc(len);
	dst = malloc(len * nb);
	if (!src || !dst)
		return 1;
	iov[0] = (struct iovec){ .iov_base = src, .iov_len = len };
	iov[1] = (struct iovec){ .iov_base = dst, .iov_len = len * nb };
	ret = dmae_register_buffers(&ring, iov, 2);
	if (ret) {
		fprintf(stderr, "poll-test: register: %s\n", strerror(-ret));
		return 1;
	}
	if (burst) {
		unsigned long got = 0;

		for (k = 0; k < len; k++)
			src[k] = (unsigned char)(k * 13 + 5);
		memset(dst, 0, len * nb);
		for (i = 0; i < nb; i++) {
			struct dmae_sqe *sqe = dmae_get_sqe(&ring);

			if (!sqe)
				return 1;
			dmae_prep_copy_fixed(sqe, 1, i * len, 0, 0, len);
			dmae_sqe_set_flags(sqe, DMAE_SQE_NO_CPU);
			dmae_sqe_set_data(sqe, i);
		}
		ret = dmae_submit_and_wait(&ring, nb);
		while (ret >= 0 && !dmae_peek_cqe(&ring, &cqe)) {
			if (cqe->res != (int)len ||
			    memcmp(src, dst + cqe->user_data * len, len))
				ret = -EIO;
			got++;
			dmae_cqe_seen(&ring, cqe);
		}
		dmae_queue_exit(&ring);
		printf("poll-test: a burst of %lu polled copies of %lu bytes: %lu completed%s\n",
		       nb, len, got, ret < 0 ? ", some wrong" : ", each checked");
		return ret < 0 || got != nb;
	}
	if (leave) {
		for (i = 0; i < count && i < 8; i++) {
			struct dmae_sqe *sqe = dmae_get_sqe(&ring);

			if (!sqe)
				return 1;
			dmae_prep_copy_fixed(sqe, 1, 0, 0, 0, len);
			dmae_sqe_set_flags(sqe, DMAE_SQE_NO_CPU);
		}
		ret = dmae_submit(&ring);
		printf("poll-test: %d polled copies submitted, leaving\n", ret);
		return ret == (int)i ? 0 : 1;	/* the exit closes the ring */
	}
	for (i = 0; i < count; i++) {
		struct dmae_sqe *sqe = dmae_get_sqe(&ring);

		for (k = 0; k < len; k++)
			src[k] = (unsigned char)(i * 31 + k * 7);
		memset(dst, 0, len);
		if (!sqe)
			return 1;
		dmae_prep_copy_fixed(sqe, 1, 0, 0, 0, len);
		dmae_sqe_set_flags(sqe, DMAE_SQE_NO_CPU);
		dmae_sqe_set_data(sqe, i);
		ret = dmae_submit_and_wait(&ring, 1);
		if (ret != 1) {
			fprintf(stderr, "poll-test: copy %lu: submit: %s\n", i,
				strerror(ret < 0 ? -ret : EIO));
			return 1;
		}
		ret = dmae_peek_cqe(&ring, &cqe);
		if (ret) {
			fprintf(stderr, "poll-test: copy %lu: the wait returned without its completion\n", i);
			return 1;
		}
		if (cqe->res != (int)len || cqe->user_data != i ||
		    memcmp(src, dst, len)) {
			fprintf(stderr, "poll-test: copy %lu: res %d user_data %llu, data %s\n",
				i, cqe->res, (unsigned long long)cqe->user_data,
				memcmp(src, dst, len) ? "differs" : "equal");
			return 1;
		}
		dmae_cqe_seen(&ring, cqe);
	}
	dmae_queue_exit(&ring);
	printf("poll-test: %lu %s copies of %lu bytes, each checked\n", count,
	       irq ? "interrupt-driven" : "polled", len);
	return 0;
}
