// SPDX-License-Identifier: MIT
/*
 * uring-pipeline: copy a file through one stock io_uring, each chunk as a
 * linked chain  read(IN) -> DMA copy (IORING_OP_URING_CMD) -> write(OUT),
 * with several chains in flight, then check OUT against IN.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "devhint.h"
#include "filecmp.h"
#include "libdmae_uring.h"

#define DEPTH	4

static void usage(FILE *f)
{
	fprintf(f, "usage: uring-pipeline [-d /dev/dma_engineN] [-c CHUNK] IN OUT\n"
		"Copy IN to OUT: read -> DMA copy -> write, linked in one io_uring,\n"
		"%d chunks in flight (CHUNK bytes each, default 1 MiB, at most\n"
		"64 MiB); then check that OUT equals IN.\n", DEPTH);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/dma_engine0";
	size_t chunk = 1 << 20;
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	uint8_t *in_buf[DEPTH], *out_buf[DEPTH];
	size_t slot_len[DEPTH] = { 0 };	/* 0: the slot is free */
	struct stat st;
	off_t next = 0, done = 0, last_report = 0;
	int opt, fd, fin, fout, i, inflight = 0, err = 0;
	double t0;

	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};

	while ((opt = getopt_long(argc, argv, "d:c:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dev = optarg;
			break;
		case 'c':
			chunk = strtoul(optarg, NULL, 0);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2 || !chunk || chunk > (64 << 20)) {
		usage(stderr);
		return 2;
	}
	fd = open(dev, O_RDWR);
	if (fd < 0) {
		dmae_dev_error("uring-pipeline", dev, errno);
		return 1;
	}
	fin = open(argv[optind], O_RDONLY);
	fout = open(argv[optind + 1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fin < 0 || fout < 0 || fstat(fin, &st)) {
		fprintf(stderr, "uring-pipeline: %s: %s\n",
			fin < 0 ? argv[optind] : fout < 0 ? argv[optind + 1] : dev,
			strerror(errno));
		return 1;
	}
	if (io_uring_queue_init(4 * DEPTH, &ring, IORING_SETUP_SQE128)) {
		fprintf(stderr, "uring-pipeline: io_uring setup failed\n");
		return 1;
	}
	for (i = 0; i < DEPTH; i++) {
		in_buf[i] = mmap(NULL, chunk, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		out_buf[i] = mmap(NULL, chunk, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (in_buf[i] == MAP_FAILED || out_buf[i] == MAP_FAILED) {
			fprintf(stderr, "uring-pipeline: out of memory\n");
			return 1;
		}
	}
	printf("uring-pipeline: %s -> %s, %lld bytes, chunks of %zu, %d in flight\n",
	       argv[optind], argv[optind + 1], (long long)st.st_size, chunk,
	       DEPTH);
	t0 = now();
	while (done < st.st_size && !err) {
		/* Start chains while a slot is free and data is left. */
		while (inflight < DEPTH && next < st.st_size) {
			int slot = 0;
			size_t n = st.st_size - next < (off_t)chunk ?
				   (size_t)(st.st_size - next) : chunk;
			struct io_uring_sqe *sqe;
			struct dmae_sqe op;

			/* Chains finish in any order: take a slot that is free. */
			while (slot_len[slot])
				slot++;
			slot_len[slot] = n;
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_read(sqe, fin, in_buf[slot], n, next);
			sqe->flags |= IOSQE_IO_LINK;
			io_uring_sqe_set_data64(sqe, 0);
			dmae_prep_copy(&op, out_buf[slot], in_buf[slot], n);
			sqe = io_uring_get_sqe(&ring);
			dmae_io_uring_prep(sqe, fd, &op, ring.flags);
			sqe->flags |= IOSQE_IO_LINK;
			io_uring_sqe_set_data64(sqe, 0);
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_write(sqe, fout, out_buf[slot], n, next);
			io_uring_sqe_set_data64(sqe, slot + 1);	/* the chain's end */
			next += n;
			inflight++;
		}
		io_uring_submit_and_wait(&ring, 1);
		while (!io_uring_peek_cqe(&ring, &cqe)) {
			if (cqe->res < 0) {
				fprintf(stderr, "uring-pipeline: a step failed: %s\n",
					strerror(-cqe->res));
				err = 1;
			} else if (cqe->user_data) {
				done += slot_len[cqe->user_data - 1];
				slot_len[cqe->user_data - 1] = 0;
				inflight--;
			}
			io_uring_cqe_seen(&ring, cqe);
		}
		if (done - last_report >= (64 << 20)) {
			printf("  %lld MiB done\n", (long long)(done >> 20));
			last_report = done;
		}
	}
	t0 = now() - t0;
	io_uring_queue_exit(&ring);
	if (err)
		return 1;
	printf("copied %lld bytes in %.3f s (%.1f MB/s through read, DMA copy, write)\n",
	       (long long)done, t0, done / t0 / 1e6);
	if (!files_equal(fin, fout)) {
		printf("FAILED: output differs from input\n");
		return 1;
	}
	printf("output checked: identical to input\n");
	return 0;
}
