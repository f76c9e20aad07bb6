// SPDX-License-Identifier: GPL-2.0
/*
 * ring-signal-close [DEVICE]: a signal interrupts a wait with EINTR, and
 * a close with 32 MiB of copies in flight waits for them.
 */
#include "ring.h"

#include <signal.h>

static void on_alarm(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	const size_t len = 4 << 20;
	uint8_t *src = alloc_buf(8 * len), *dst = alloc_buf(8 * len);
	struct dmae_ring ring;
	struct dmae_cqe *cqe;
	unsigned i;
	int ret;

	if (!ring_start(argc, argv, "ring-signal-close [DEVICE]"))
		return 77;
	if (!src || !dst || dmae_queue_init_dev(dev, 8, &ring, 0)) {
		tap(false, "ring for the signal test");
		return 1;
	}
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	ret = dmae_wait_cqe(&ring, &cqe);
	tap(ret == -EINTR, "a signal interrupts a wait with EINTR (%d)", ret);

	/* Close with 32 MiB in flight: close waits, so the data is there. */
	fill_random(src, 8 * len);
	memset(dst, 0, 8 * len);
	for (i = 0; i < 8; i++)
		dmae_prep_copy(dmae_get_sqe(&ring), dst + i * len, src + i * len,
			       len);
	ret = dmae_submit(&ring);
	dmae_queue_exit(&ring);
	tap(ret == 8 && !memcmp(src, dst, 8 * len),
	    "closing with 8 copies in flight waits for them (data complete after close)");
	munmap(src, 8 * len);
	munmap(dst, 8 * len);
	return failures ? 1 : 0;
}
