// SPDX-License-Identifier: GPL-2.0
/*
 * ring-stress: checked copies kept in flight, for the lifecycle tests
 * (kill -9, close, unbind and rmmod while it runs).
 */
#include "ring.h"

#include <pthread.h>
#include <time.h>

static int stress(double secs);

static void *stress_thread(void *arg)
{
	return (void *)(intptr_t)stress(*(double *)arg);
}

/* --threads N SECONDS: N threads, each with its own ring, all checked. */
static int threads(int n, double secs)
{
	pthread_t t[16];
	void *rc;
	int i, bad = 0;

	if (n < 1 || n > 16)
		return 2;
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, stress_thread, &secs))
			return 1;
	for (i = 0; i < n; i++) {
		pthread_join(t[i], &rc);
		bad += rc != NULL;
	}
	return bad ? 1 : 0;
}

/* --stress: 4 copies of 4 MiB in flight, checked, for @secs seconds. */
static int stress(double secs)
{
	const size_t len = 4 << 20;
	uint8_t *src = alloc_buf(4 * len), *dst = alloc_buf(4 * len);
	struct dmae_ring ring;
	struct dmae_cqe *cqe;
	unsigned rounds = 0;
	size_t i;
	time_t end = time(NULL) + (time_t)secs;

	if (!src || !dst || dmae_queue_init_dev(dev, 8, &ring, 0))
		return 1;
	for (i = 0; i < 4 * len; i++)
		src[i] = i * 31 + (i >> 12);
	do {
		memset(dst, 0, 4 * len);
		for (i = 0; i < 4; i++)
			dmae_prep_copy(dmae_get_sqe(&ring), dst + i * len,
				       src + i * len, len);
		if (dmae_submit_and_wait(&ring, 4) != 4)
			return 1;
		for (i = 0; i < 4; i++) {
			if (dmae_wait_cqe(&ring, &cqe) || cqe->res != (int)len)
				return 1;
			dmae_cqe_seen(&ring, cqe);
		}
		if (memcmp(src, dst, 4 * len))
			return 1;
		rounds++;
	} while (time(NULL) < end);
	printf("stress: %u rounds of 4 x 4 MiB, all checked\n", rounds);
	dmae_queue_exit(&ring);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: ring-stress SECONDS [DEVICE]\n"
		       "       ring-stress --threads N SECONDS [DEVICE]\n"
		       "Keeps 4 checked 4 MiB copies in flight for SECONDS (in N\n"
		       "threads, each with its own ring); exit 0 if all good.\n");
		return 0;
	}
	if (argc > 3 && !strcmp(argv[1], "--threads")) {
		if (argc > 4)
			dev = argv[4];
		return threads(atoi(argv[2]), atof(argv[3]));
	}
	if (argc < 2) {
		fprintf(stderr, "usage: ring-stress SECONDS [DEVICE]\n");
		return 2;
	}
	if (argc > 2)
		dev = argv[2];
	return stress(atof(argv[1]));
}
