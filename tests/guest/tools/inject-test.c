// SPDX-License-Identifier: GPL-2.0
/*
 * inject-test DEVICE COPIES LEN: submit COPIES copies of LEN bytes through
 * a ring of DEVICE at once, each with its own user_data, and account for
 * every completion: how many succeeded (their data checked byte for byte),
 * how many failed and with which errno, and whether any completion was
 * lost, doubled or unknown. A shell test arms one of the device's injected
 * faults first and checks the counts it expects.
 *
 * Prints one line:
 *   ok N eio N etimedout N ecanceled N efault N other N dup N unknown N
 *   lost N bad N
 * and exits 0 only if nothing was lost, doubled, unknown, or reported
 * done with wrong data.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "libdmae.h"

#define HANG_GUARD_NS	(300LL * 1000000000)	/* only a hang guard */
#define AFTER_NS	(200LL * 1000000)	/* look for late extras */

struct tally {
	unsigned ok, eio, etimedout, ecanceled, efault, other;
	unsigned dup, unknown, lost, bad;
};

static void account(struct tally *t, unsigned char *seen, unsigned n,
		    const uint8_t *src, const uint8_t *dst, unsigned len,
		    const struct dmae_cqe *cqe)
{
	uint64_t i = cqe->user_data;

	if (i >= n) {
		t->unknown++;
		return;
	}
	if (seen[i]++) {
		t->dup++;
		return;
	}
	switch (cqe->res) {
	case -EIO:
		t->eio++;
		break;
	case -ETIMEDOUT:
		t->etimedout++;
		break;
	case -ECANCELED:
		t->ecanceled++;
		break;
	case -EFAULT:
		t->efault++;
		break;
	default:
		if (cqe->res != (int)len) {
			t->other++;
			fprintf(stderr, "copy %llu: res %d\n",
				(unsigned long long)i, cqe->res);
		} else if (memcmp(dst + i * len, src + i * len, len)) {
			t->bad++;
			fprintf(stderr, "copy %llu: reported done, data differs\n",
				(unsigned long long)i);
		} else {
			t->ok++;
		}
	}
}

int main(int argc, char **argv)
{
	struct tally t = { 0 };
	struct dmae_ring ring;
	struct dmae_cqe *cqe;
	unsigned char *seen;
	uint8_t *src, *dst;
	unsigned n, len, i, got = 0;
	int ret;

	if (argc != 4) {
		fprintf(stderr, "usage: %s DEVICE COPIES LEN\n", argv[0]);
		return 2;
	}
	n = strtoul(argv[2], NULL, 0);
	len = strtoul(argv[3], NULL, 0);
	if (!n || n > 4096 || !len || len > (64u << 20) / n) {
		fprintf(stderr, "COPIES 1..4096, COPIES * LEN at most 64 MiB\n");
		return 2;
	}
	src = mmap(NULL, (size_t)n * len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst = mmap(NULL, (size_t)n * len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	seen = calloc(n, 1);
	if (src == MAP_FAILED || dst == MAP_FAILED || !seen)
		return 1;
	for (i = 0; i < n * len; i++)
		src[i] = i * 13 + (i >> 12);
	/* cpu_threshold 0: every copy goes to the engine */
	ret = dmae_queue_init_dev(argv[1], n, &ring, 0);
	if (ret) {
		fprintf(stderr, "ring on %s: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	for (i = 0; i < n; i++) {
		struct dmae_sqe *sqe = dmae_get_sqe(&ring);

		if (!sqe) {
			fprintf(stderr, "SQ full at %u\n", i);
			return 1;
		}
		dmae_prep_copy(sqe, dst + (size_t)i * len, src + (size_t)i * len,
			       len);
		dmae_sqe_set_data(sqe, i);
	}
	ret = dmae_submit(&ring);
	if (ret != (int)n) {
		fprintf(stderr, "submit: %d\n", ret);
		return 1;
	}
	while (got < n) {
		ret = dmae_wait_cqe_timeout(&ring, &cqe, HANG_GUARD_NS);
		if (ret)
			break;
		account(&t, seen, n, src, dst, len, cqe);
		dmae_cqe_seen(&ring, cqe);
		got++;
	}
	/* A completion posted twice would arrive after the others. */
	while (!dmae_wait_cqe_timeout(&ring, &cqe, AFTER_NS)) {
		account(&t, seen, n, src, dst, len, cqe);
		dmae_cqe_seen(&ring, cqe);
	}
	for (i = 0; i < n; i++)
		t.lost += !seen[i];
	printf("ok %u eio %u etimedout %u ecanceled %u efault %u other %u dup %u unknown %u lost %u bad %u\n",
	       t.ok, t.eio, t.etimedout, t.ecanceled, t.efault, t.other,
	       t.dup, t.unknown, t.lost, t.bad);
	dmae_queue_exit(&ring);
	return t.dup || t.unknown || t.lost || t.bad || t.other ? 1 : 0;
}
