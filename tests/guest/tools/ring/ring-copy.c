// SPDX-License-Identifier: GPL-2.0
/*
 * ring-copy [DEVICE]: copies of many sizes at random offsets with the
 * bytes around the destination checked, a batch whose completions come
 * once each, a huge-page destination and a file-backed MAP_SHARED one.
 */
#include "ring.h"

static void test_sizes(struct dmae_ring *ring)
{
	static const size_t sizes[] = {
		1, 2, 63, 4095, 4096, 4097, 65536, 65537, 253952, 253953,
		1 << 20, (1 << 20) + 4093, 16 << 20, 64 << 20,
	};
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t so = rnd() % 4096, doff = rnd() % 4096;

		tap(check_copy(ring, sizes[i], so, doff, DMAE_SQE_NO_CPU, NULL),
		    "copy %zu bytes, offsets %zu/%zu, data and guards", sizes[i],
		    so, doff);
	}
}

/* Completions may come in any order; each must come once. */
static void test_batch(struct dmae_ring *ring, unsigned int n)
{
	size_t len = 5000;
	uint8_t *src = alloc_buf(n * len), *dst = alloc_buf(n * len);
	uint8_t seen_ud[256] = { 0 };
	struct dmae_cqe *cqe;
	unsigned int i, seen = 0, bad = 0;
	int ret;

	fill_random(src, n * len);
	memset(dst, 0, n * len);
	for (i = 0; i < n; i++) {
		struct dmae_sqe *sqe = dmae_get_sqe(ring);

		dmae_prep_copy(sqe, dst + i * len, src + i * len, len);
		dmae_sqe_set_data(sqe, 1000 + i);
	}
	ret = dmae_submit_and_wait(ring, n);
	while (seen < n && !dmae_wait_cqe(ring, &cqe)) {
		uint64_t k = cqe->user_data - 1000;

		bad += cqe->res != (int)len || k >= n || seen_ud[k]++;
		dmae_cqe_seen(ring, cqe);
		seen++;
	}
	tap(ret == (int)n && seen == n && !bad && !memcmp(src, dst, n * len),
	    "batch of %u copies in one submit, each completed once, data checked",
	    n);
	munmap(src, n * len);
	munmap(dst, n * len);
}

static void test_hugepage_and_file(struct dmae_ring *ring)
{
	size_t len = 2 << 20;
	uint8_t *h = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	uint8_t *src = alloc_buf(len), *f;
	char path[] = "/tmp/ring-copy-XXXXXX";
	int fd;

	fill_random(src, len);
	if (h == MAP_FAILED) {
		printf("ok - huge page destination # SKIP no huge pages\n");
	} else {
		dmae_prep_copy(dmae_get_sqe(ring), h, src, len);
		tap(run_one(ring, NULL) == (int)len && !memcmp(h, src, len),
		    "copy 2 MiB into a huge page");
		munmap(h, len);
	}

	fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, len)) {
		tap(false, "file-backed destination: cannot make the file");
		return;
	}
	f = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	dmae_prep_copy(dmae_get_sqe(ring), f, src, len);
	tap(f != MAP_FAILED && run_one(ring, NULL) == (int)len &&
	    !memcmp(f, src, len), "copy into a file-backed MAP_SHARED mapping");
	if (f != MAP_FAILED) {
		uint8_t *back = alloc_buf(len);

		munmap(f, len);
		tap(pread(fd, back, len, 0) == (ssize_t)len &&
		    !memcmp(back, src, len),
		    "the file holds the copied bytes (page cache dirtied)");
		munmap(back, len);
	}
	close(fd);
	unlink(path);
	munmap(src, len);
}

int main(int argc, char **argv)
{
	struct dmae_ring ring;
	int ret;

	if (!ring_start(argc, argv, "ring-copy [DEVICE]"))
		return 77;
	ret = dmae_queue_init_dev(dev, 64, &ring, 0);
	tap(!ret, "set up a 64-entry ring on %s (%s)", dev,
	    ret ? strerror(-ret) : "ok");
	if (ret)
		return 1;
	test_sizes(&ring);
	test_batch(&ring, 64);
	test_hugepage_and_file(&ring);
	check_stats(&ring, 0, 64 << 20);
	dmae_queue_exit(&ring);
	return failures ? 1 : 0;
}
