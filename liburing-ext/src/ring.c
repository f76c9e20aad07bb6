// SPDX-License-Identifier: MIT
/*
 * libdmae: attaching a ring to its memory, and publishing the SQ tail
 * (shared memory only). The SQ tail is published with a store-release
 * after the entries are written; reaping completions is inline in
 * libdmae.h.
 */
#include <errno.h>

#include "internal.h"

void dmae_ring_init_mem(struct dmae_ring *ring,
			const struct dmae_uring_params *p, void *sq_ring,
			void *sqes, void *cq_ring)
{
	char *sq = sq_ring, *cq = cq_ring;

	memset(ring, 0, sizeof(*ring));
	ring->fd = -1;
	ring->features = p->features;
	ring->max_len = p->max_len;
	ring->cpu_threshold = p->cpu_threshold;
	ring->ops = p->features & DMAE_FEAT_OPS ? p->ops : 0;
	ring->flags = p->flags;
	ring->sq.khead = (unsigned *)(sq + p->sq_off.head);
	ring->sq.ktail = (unsigned *)(sq + p->sq_off.tail);
	ring->sq.kflags = (unsigned *)(sq + p->sq_off.flags);
	ring->sq.kdropped = (unsigned *)(sq + p->sq_off.dropped);
	ring->sq.ring_mask = *(unsigned *)(sq + p->sq_off.ring_mask);
	ring->sq.ring_entries = *(unsigned *)(sq + p->sq_off.ring_entries);
	ring->sq.sqes = sqes;
	ring->sq.ring_ptr = sq_ring;
	ring->sq.ring_sz = p->sq_ring_size;
	ring->sq.sqes_sz = p->sqes_size;
	ring->sq.sqe_head = ring->sq.sqe_tail = *ring->sq.ktail;
	ring->cq.khead = (unsigned *)(cq + p->cq_off.head);
	ring->cq.ktail = (unsigned *)(cq + p->cq_off.tail);
	ring->cq.koverflow = (unsigned *)(cq + p->cq_off.overflow);
	ring->cq.ring_mask = *(unsigned *)(cq + p->cq_off.ring_mask);
	ring->cq.ring_entries = *(unsigned *)(cq + p->cq_off.ring_entries);
	ring->cq.cqes = (struct dmae_cqe *)(cq + p->cq_off.cqes);
	ring->cq.ring_ptr = cq_ring;
	ring->cq.ring_sz = p->cq_ring_size;
}

struct dmae_sqe *dmae_get_sqe(struct dmae_ring *ring)
{
	struct dmae_sq *sq = &ring->sq;
	struct dmae_sqe *sqe;

	/* The kernel frees entries as it takes them (its head moves). */
	if (sq->sqe_tail - dmae_smp_load_acquire(sq->khead) >= sq->ring_entries)
		return NULL;
	sqe = &sq->sqes[sq->sqe_tail & sq->ring_mask];
	sq->sqe_tail++;
	memset(sqe, 0, sizeof(*sqe));
	return sqe;
}

/* See internal.h. */
unsigned dmae_sq_flush(struct dmae_ring *ring)
{
	struct dmae_sq *sq = &ring->sq;

	dmae_smp_store_release(sq->ktail, sq->sqe_tail);
	return sq->sqe_tail - dmae_smp_load_acquire(sq->khead);
}
