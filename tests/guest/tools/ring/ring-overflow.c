// SPDX-License-Identifier: GPL-2.0
/*
 * ring-overflow [DEVICE]: a full CQ keeps the next completion (overflow)
 * and refuses more with EBUSY; everything arrives in order once reaped;
 * an eventfd counts every completion; poll(2) and a timed wait.
 */
#include "ring.h"

#include <poll.h>
#include <sys/eventfd.h>

static struct dmae_sqe *sqe_nop(struct dmae_ring *ring, uint64_t data)
{
	struct dmae_sqe *sqe = dmae_get_sqe(ring);

	if (sqe) {
		dmae_prep_nop(sqe);
		dmae_sqe_set_data(sqe, data);
	}
	return sqe;
}

/*
 * Fill the CQ (16) without reaping, then submit 8 more NOPs: the kernel
 * takes one, keeps its completion (overflow), and refuses the rest with
 * EBUSY until completions are reaped; then everything arrives, in order.
 */
int main(int argc, char **argv)
{
	struct dmae_ring ring;
	struct dmae_cqe *cqe;
	struct pollfd pfd;
	unsigned i, n = 0, cqn;
	uint64_t ev = 0;
	int efd, ret, r2;
	bool ok;

	if (!ring_start(argc, argv, "ring-overflow [DEVICE]"))
		return 77;
	if (dmae_queue_init_dev(dev, 8, &ring, 0)) {
		tap(false, "small ring");
		return 1;
	}
	efd = eventfd(0, EFD_NONBLOCK);
	tap(dmae_register_eventfd(&ring, efd) == 0, "register an eventfd");
	tap(dmae_register_eventfd(&ring, efd) == -EBUSY,
	    "a second eventfd is refused with EBUSY");
	cqn = ring.cq.ring_entries;
	for (i = 0; i < cqn; i++) {
		sqe_nop(&ring, i);
		if (dmae_sq_ready(&ring) == 8)
			dmae_submit(&ring);
	}
	for (; i < cqn + 8; i++)
		sqe_nop(&ring, i);
	ret = dmae_submit(&ring);
	r2 = dmae_submit(&ring);
	ok = ret == 1 && r2 == -EBUSY && dmae_cq_ready(&ring) == cqn &&
	     dmae_cq_overflow(&ring) == 1 &&
	     (*ring.sq.kflags & DMAE_SQ_CQ_OVERFLOW);
	tap(ok, "CQ full: one more completion kept (overflow %u), flag set, then EBUSY (%d, %d)",
	    dmae_cq_overflow(&ring), ret, r2);
	pfd = (struct pollfd){ .fd = ring.fd, .events = POLLIN };
	tap(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN),
	    "poll says POLLIN");
	/* Reap; the rest of the SQ goes in when there is room again. */
	while (n < cqn + 8) {
		if (dmae_wait_cqe_timeout(&ring, &cqe, 1000000000LL))
			break;
		if (cqe->user_data != n)
			break;
		dmae_cqe_seen(&ring, cqe);
		n++;
		if (!dmae_cq_overflow(&ring) && dmae_sq_ready(&ring))
			dmae_submit(&ring);
	}
	tap(n == cqn + 8, "all %u completions arrive, in order, none lost", n);
	ok = read(efd, &ev, sizeof(ev)) == 8 && ev == cqn + 8;
	tap(ok, "the eventfd counted every completion (%llu)",
	    (unsigned long long)ev);
	tap(dmae_unregister_eventfd(&ring) == 0, "unregister the eventfd");
	pfd.revents = 0;
	tap(poll(&pfd, 1, 0) == 0, "nothing to reap: poll says nothing");
	tap(dmae_wait_cqe_timeout(&ring, &cqe, 20000000LL) == -ETIME,
	    "waiting with a timeout and nothing in flight gives ETIME");
	close(efd);
	dmae_queue_exit(&ring);
	return failures ? 1 : 0;
}
