// SPDX-License-Identifier: MIT
/*
 * Host unit tests of libdmae's ring logic (liburing-ext/src/ring.c),
 * without a kernel: the test plays the kernel's part on plain memory laid
 * out as the kernel lays it out. Counters start just below 2^32 so that
 * every wrap is exercised. Built with AddressSanitizer and UBSan.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/uio.h>

#include "libdmae.h"
#include "../../liburing-ext/src/internal.h"

#define SQ_N	4
#define CQ_N	8
#define START	0xfffffffeU

static int failures;

static void tap(bool ok, const char *what)
{
	printf("%sok - ring logic: %s\n", ok ? "" : "not ", what);
	failures += !ok;
}

struct fake {
	unsigned char sq[256];
	struct dmae_sqe sqes[SQ_N];
	unsigned char cq[192 + CQ_N * sizeof(struct dmae_cqe)];
	struct dmae_uring_params p;
};

static unsigned *u32at(unsigned char *base, unsigned off)
{
	return (unsigned *)(base + off);
}

static void fake_init(struct fake *f, struct dmae_ring *ring)
{
	memset(f, 0, sizeof(*f));
	f->p.sq_entries = SQ_N;
	f->p.cq_entries = CQ_N;
	f->p.sq_off = (struct dmae_sqring_offsets){
		.head = 0, .tail = 64, .ring_mask = 128, .ring_entries = 132,
		.flags = 136, .dropped = 140 };
	f->p.cq_off = (struct dmae_cqring_offsets){
		.head = 0, .tail = 64, .ring_mask = 128, .ring_entries = 132,
		.overflow = 136, .cqes = 192 };
	*u32at(f->sq, 128) = SQ_N - 1;
	*u32at(f->sq, 132) = SQ_N;
	*u32at(f->cq, 128) = CQ_N - 1;
	*u32at(f->cq, 132) = CQ_N;
	*u32at(f->sq, 0) = *u32at(f->sq, 64) = START;
	*u32at(f->cq, 0) = *u32at(f->cq, 64) = START;
	dmae_ring_init_mem(ring, &f->p, f->sq, f->sqes, f->cq);
}

/* The kernel's part: consume @n SQEs, post a CQE for each. */
static void fake_kernel(struct fake *f, unsigned n)
{
	unsigned head = *u32at(f->sq, 0), tail = *u32at(f->cq, 64), i;
	struct dmae_cqe *cqes = (struct dmae_cqe *)(f->cq + 192);

	for (i = 0; i < n; i++, head++, tail++) {
		struct dmae_sqe *s = &f->sqes[head & (SQ_N - 1)];

		cqes[tail & (CQ_N - 1)] = (struct dmae_cqe){
			.user_data = s->user_data, .res = (int)s->len };
	}
	__atomic_store_n(u32at(f->sq, 0), head, __ATOMIC_RELEASE);
	__atomic_store_n(u32at(f->cq, 64), tail, __ATOMIC_RELEASE);
}

int main(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct dmae_ring ring;
	struct dmae_sqe *sqe;
	struct dmae_cqe *cqe;
	unsigned i, got = 0, order_ok = 1;
	char a[16], b[16];

	tap(sizeof(struct dmae_sqe) == 64 && sizeof(struct dmae_cqe) == 32,
	    "SQE is 64 bytes, CQE 32");
	fake_init(f, &ring);
	tap(ring.fd == -1 && ring.sq.ring_entries == SQ_N &&
	    ring.cq.ring_entries == CQ_N, "attach to ring memory");

	for (i = 0; i < SQ_N; i++) {
		sqe = dmae_get_sqe(&ring);
		if (!sqe)
			break;
		dmae_prep_copy(sqe, b, a, 10 + i);
		dmae_sqe_set_data(sqe, 100 + i);
	}
	tap(i == SQ_N && !dmae_get_sqe(&ring),
	    "the SQ hands out its size, then NULL (full)");
	tap(dmae_sq_ready(&ring) == SQ_N && *ring.sq.ktail == START,
	    "nothing is published before a submit");
	tap(dmae_sq_flush(&ring) == SQ_N && *ring.sq.ktail == START + SQ_N,
	    "flush publishes the tail across the 2^32 wrap");
	tap(dmae_peek_cqe(&ring, &cqe) == -EAGAIN && dmae_cq_ready(&ring) == 0,
	    "an empty CQ peeks -EAGAIN");

	fake_kernel(f, 2);
	tap(dmae_get_sqe(&ring) && dmae_get_sqe(&ring) && !dmae_get_sqe(&ring),
	    "slots the kernel consumed can be reused, no more");
	tap(dmae_cq_ready(&ring) == 2, "two completions ready");
	for (i = 0; i < 2 && !dmae_peek_cqe(&ring, &cqe); i++) {
		order_ok &= cqe->user_data == 100 + i && cqe->res == (int)(10 + i);
		dmae_cqe_seen(&ring, cqe);
		got++;
	}
	tap(got == 2 && order_ok && dmae_cq_ready(&ring) == 0,
	    "peek and seen walk the CQ in order");

	/* Run the rings round many times through the wrap. */
	order_ok = 1;
	for (i = 0; i < 1000; i++) {
		dmae_sq_flush(&ring);
		fake_kernel(f, 2);
		while (!dmae_peek_cqe(&ring, &cqe))
			dmae_cqe_seen(&ring, cqe);
		order_ok &= dmae_get_sqe(&ring) && dmae_get_sqe(&ring);
	}
	tap(order_ok && dmae_cq_ready(&ring) == 0,
	    "1000 rounds through both rings and the counter wrap");

	sqe = dmae_get_sqe(&ring);
	tap(!sqe, "a full SQ stays full until the kernel takes entries");
	dmae_sq_flush(&ring);
	fake_kernel(f, SQ_N);
	sqe = dmae_get_sqe(&ring);
	memset(sqe, 0xff, sizeof(*sqe));
	dmae_prep_fill(sqe, b, 0x1122334455667788ULL, 7);
	tap(sqe->opcode == DMAE_UOP_FILL && sqe->pattern == 0x1122334455667788ULL &&
	    sqe->len == 7 && sqe->dst == (uintptr_t)b && !sqe->src &&
	    !sqe->flags && !sqe->resv2 && !sqe->src_fd && !sqe->user_data,
	    "prep_fill sets its fields and clears the rest");
	dmae_prep_compare(sqe, a, b, 9);
	tap(sqe->opcode == DMAE_UOP_COMPARE && sqe->src == (uintptr_t)a &&
	    sqe->dst == (uintptr_t)b, "prep_compare: a is src, b is dst");
	dmae_prep_copy_crc32c(sqe, b, a, 3);
	tap(sqe->opcode == DMAE_UOP_COPY_CRC32C, "prep_copy_crc32c");
	dmae_prep_nop(sqe);
	dmae_sqe_set_flags(sqe, DMAE_SQE_NO_CPU);
	tap(sqe->opcode == DMAE_UOP_NOP && !sqe->len && sqe->flags == DMAE_SQE_NO_CPU,
	    "prep_nop and set_flags");
	*ring.cq.koverflow = 3;
	tap(dmae_cq_overflow(&ring) == 3, "overflow count is read from the ring");

	/* set_flags keeps what a _fixed helper said about the addresses */
	dmae_prep_copy_fixed(sqe, 1, 64, 0, 128, 512);
	dmae_sqe_set_flags(sqe, DMAE_SQE_NO_CPU | DMAE_SQE_IO_LINK);
	tap(sqe->flags == (DMAE_SQE_FIXED_SRC | DMAE_SQE_FIXED_DST |
			   DMAE_SQE_NO_CPU | DMAE_SQE_IO_LINK),
	    "set_flags after prep_copy_fixed keeps both FIXED flags");
	dmae_sqe_set_flags(sqe, 0);
	tap(sqe->flags == (DMAE_SQE_FIXED_SRC | DMAE_SQE_FIXED_DST),
	    "set_flags(0) clears only the flags that are the caller's");
	dmae_prep_copy(sqe, b, a, 4);
	dmae_sqe_set_flags(sqe, DMAE_SQE_FIXED_SRC | DMAE_SQE_NO_CPU);
	tap(sqe->flags == DMAE_SQE_NO_CPU,
	    "set_flags cannot make a plain address a FIXED one");

	/* The library reads the features before a call that needs one. */
	{
		struct dmae_ring r2 = ring;
		struct iovec iov = { .iov_base = a, .iov_len = sizeof(a) };
		int fd0 = 0;

		r2.features = 0;
		tap(dmae_register_files(&r2, &fd0, 1) == -EOPNOTSUPP &&
		    dmae_register_buffers(&r2, &iov, 1) == -EOPNOTSUPP &&
		    dmae_register_eventfd(&r2, 0) == -EOPNOTSUPP,
		    "without the feature bits, registering is -EOPNOTSUPP, no ioctl");
	}
	tap(ring.ops == 0 && ring.flags == 0 && !ring.resv[0] && !ring.sq.resv[0],
	    "ops, flags and the room for growth start at zero");

	/*
	 * SQPOLL: a submit publishes and counts the entries, with no system
	 * call while the thread is awake; with DMAE_SQ_NEED_WAKEUP (or
	 * DMAE_SQ_CQ_OVERFLOW) set it calls ENTER, and still says the
	 * entries went in. The ring's fd is -1 here: a call that is made
	 * fails with EBADF, and errno is the witness.
	 */
	fake_init(f, &ring);
	ring.flags = DMAE_SETUP_SQPOLL;
	dmae_prep_nop(dmae_get_sqe(&ring));
	dmae_prep_nop(dmae_get_sqe(&ring));
	errno = 0;
	tap(dmae_submit(&ring) == 2 && *ring.sq.ktail == START + 2 &&
	    ring.sq.sqe_head == START + 2 && errno == 0,
	    "SQPOLL: submit publishes 2 entries and returns 2, no system call");
	tap(dmae_submit(&ring) == 0 && errno == 0,
	    "SQPOLL: nothing new: 0, no system call");
	*u32at(f->sq, 136) = DMAE_SQ_NEED_WAKEUP;
	dmae_prep_nop(dmae_get_sqe(&ring));
	tap(dmae_submit(&ring) == 1 && errno == EBADF,
	    "SQPOLL: with NEED_WAKEUP set, submit calls ENTER to wake the thread (and returns 1)");
	*u32at(f->sq, 136) = DMAE_SQ_CQ_OVERFLOW;
	errno = 0;
	dmae_prep_nop(dmae_get_sqe(&ring));
	tap(dmae_submit(&ring) == 1 && errno == EBADF,
	    "SQPOLL: with completions kept, submit calls ENTER to move them");
	*u32at(f->sq, 136) = DMAE_SQ_NEED_WAKEUP;
	tap(dmae_wait_cqe_timeout(&ring, &cqe, 0) == -EBADF,
	    "SQPOLL: a wait with entries left and the thread asleep calls ENTER");
	fake_kernel(f, 4);
	errno = 0;
	tap(!dmae_peek_cqe(&ring, &cqe) && dmae_submit_and_wait(&ring, 1) == 0 &&
	    errno == 0,
	    "SQPOLL: nothing to publish, a completion there: no system call");
	free(f);
	return failures ? 1 : 0;
}
