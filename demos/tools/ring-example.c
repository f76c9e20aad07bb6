// SPDX-License-Identifier: MIT
/*
 * ring-example: the shortest way to hand copies to the engine.
 *
 * Eight 64 KiB copies go into the submission ring, one system call
 * submits them all and waits, and the completions come back with the
 * user_data we gave each one. Then every byte is checked.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devhint.h"
#include "libdmae.h"

#define N	8
#define LEN	65536

static char src[N][LEN], dst[N][LEN];

int main(int argc, char **argv)
{
	const char *dev = getenv("DMAE_DEVICE");
	struct dmae_ring ring;
	struct dmae_cqe *cqe;
	int i, ret, bad = 0;

	if (argc > 1) {
		bool help = !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help");

		fprintf(help ? stdout : stderr,
			"usage: ring-example\n"
			"Eight 64 KiB copies through the shared ring of $DMAE_DEVICE\n"
			"(default /dev/dma_engine0), submitted with one system call;\n"
			"then every byte is checked. Exit 0 if all are identical.\n");
		return help ? 0 : 2;
	}

	for (i = 0; i < N; i++)
		memset(src[i], 'a' + i, LEN);

	/*
	 * /dev/dma_engine0; copies shorter than the device's measured
	 * break-even would run on the CPU (64 KiB ones never do)
	 */
	ret = dmae_queue_init(N, &ring, DMAE_CPU_THRESHOLD_AUTO);
	if (ret) {
		dmae_dev_error("ring-example", dev ? dev : "/dev/dma_engine0",
			       -ret);
		return 1;
	}

	for (i = 0; i < N; i++) {
		struct dmae_sqe *sqe = dmae_get_sqe(&ring);

		dmae_prep_copy(sqe, dst[i], src[i], LEN);
		dmae_sqe_set_data(sqe, i);
	}
	ret = dmae_submit_and_wait(&ring, N);	/* one syscall for all */
	printf("submitted %d copies of %d bytes\n", ret, LEN);

	for (i = 0; i < N; i++) {
		dmae_wait_cqe(&ring, &cqe);
		printf("  copy %llu: res %d%s\n",
		       (unsigned long long)cqe->user_data, cqe->res,
		       cqe->res == LEN ? "" : " (failed)");
		bad += cqe->res != LEN;
		dmae_cqe_seen(&ring, cqe);
	}
	dmae_queue_exit(&ring);

	bad += memcmp(src, dst, sizeof(src)) != 0;
	printf("%s\n", bad ? "FAILED" : "all bytes checked: identical");
	return bad ? 1 : 0;
}
