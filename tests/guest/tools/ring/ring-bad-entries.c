// SPDX-License-Identifier: GPL-2.0
/*
 * ring-bad-entries [DEVICE]: one malformed or unsafe entry at a time;
 * each completion carries the exact error, and the counters count them.
 */
#include "ring.h"

static uint8_t *buf;

/* One bad entry: its completion must carry @want. */
static void bad_entry(struct dmae_ring *ring, const char *what,
		      void (*prep)(struct dmae_sqe *, uint8_t *), int want)
{
	struct dmae_sqe *sqe = dmae_get_sqe(ring);
	int res;

	prep(sqe, buf);
	res = run_one(ring, NULL);
	tap(res == want, "%s: %s (got %s)", what, strerror(-want),
	    res < 0 ? strerror(-res) : "success");
}

static void p_null(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, b, NULL, 100);
}

static void p_kernel(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, (void *)0xffffffff81000000UL, b, 100);
}

static void p_unmapped(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, b, (void *)0x100000, 100);
}

static void p_readonly(struct dmae_sqe *s, uint8_t *b)
{
	static uint8_t *ro;

	if (!ro)
		ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	dmae_prep_copy(s, ro, b, 100);
}

static void p_overlap(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, b + 10, b, 100);
}

static void p_zero(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, b + 1000, b, 0);
}

static void p_huge_len(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, b + 1000, b, 0x80000000U);
}

static void p_wrap(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, (void *)0xfffffffffffff000ULL, b, 0x2000);
}

static void p_op(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, b + 1000, b, 100);
	s->opcode = 99;
}

static void p_flags(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, b + 1000, b, 100);
	s->flags = 0x80;
}

static void p_resv(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, b + 1000, b, 100);
	s->resv2 = 1;
}

static void p_fixed(struct dmae_sqe *s, uint8_t *b)
{
	dmae_prep_copy(s, b + 1000, b, 100);
	s->flags = DMAE_SQE_FIXED_SRC;
}

static void p_nop_len(struct dmae_sqe *s, uint8_t *b)
{
	(void)b;
	dmae_prep_nop(s);
	s->len = 5;
}

int main(int argc, char **argv)
{
	struct dmae_ring ring;

	if (!ring_start(argc, argv, "ring-bad-entries [DEVICE]"))
		return 77;
	buf = alloc_buf(1 << 16);
	if (!buf || dmae_queue_init_dev(dev, 8, &ring, 0)) {
		tap(false, "set up a ring on %s", dev);
		return 1;
	}
	bad_entry(&ring, "NULL source", p_null, -EFAULT);
	bad_entry(&ring, "kernel address", p_kernel, -EFAULT);
	bad_entry(&ring, "unmapped source", p_unmapped, -EFAULT);
	bad_entry(&ring, "read-only destination", p_readonly, -EFAULT);
	bad_entry(&ring, "overlapping source and destination", p_overlap,
		  -EINVAL);
	bad_entry(&ring, "zero length", p_zero, -EINVAL);
	bad_entry(&ring, "length above max_len", p_huge_len, -EINVAL);
	bad_entry(&ring, "address range that wraps", p_wrap, -EFAULT);
	bad_entry(&ring, "unknown opcode", p_op, -EINVAL);
	bad_entry(&ring, "unknown flag", p_flags, -EINVAL);
	bad_entry(&ring, "reserved field set", p_resv, -EINVAL);
	bad_entry(&ring, "registered buffer, none registered", p_fixed,
		  -EINVAL);
	bad_entry(&ring, "NOP with a length", p_nop_len, -EINVAL);
	check_stats(&ring, 13, 0);
	dmae_queue_exit(&ring);
	return failures ? 1 : 0;
}
