// SPDX-License-Identifier: GPL-2.0
/*
 * ring-ops [DEVICE]: FILL, COMPARE, COPY_CRC32C and NOP. An operation the
 * device does not offer (dmae_uring_params.ops: a dmaengine-backed device
 * copies only) must complete with -EOPNOTSUPP, memory untouched.
 */
#include "ring.h"

/* completions with an error so far that the operations' absence caused */
static unsigned int unoffered;

static void test_unoffered(struct dmae_ring *ring, const char *what,
			   uint8_t *a, size_t len)
{
	uint8_t *copy = malloc(len);
	bool ok = copy != NULL;

	if (ok) {
		memcpy(copy, a, len);
		ok = run_one(ring, NULL) == -EOPNOTSUPP && !memcmp(copy, a, len);
	}
	unoffered++;
	tap(ok, "%s, not offered by %s: EOPNOTSUPP, memory untouched", what, dev);
	free(copy);
}

int main(int argc, char **argv)
{
	size_t len = 100000, i;
	struct dmae_ring ring;
	struct dmae_cqe cqe;
	uint8_t *a, *b;
	bool ok = true;

	if (!ring_start(argc, argv, "ring-ops [DEVICE]"))
		return 77;
	if (dmae_queue_init_dev(dev, 8, &ring, 0)) {
		tap(false, "set up a ring on %s", dev);
		return 1;
	}
	a = alloc_buf(len);
	b = alloc_buf(len);
	dmae_prep_fill(dmae_get_sqe(&ring), a, 0x0807060504030201ULL, len);
	if (has_op(DMAE_UOP_FILL)) {
		ok = run_one(&ring, NULL) == (int)len;
		for (i = 0; ok && i < len; i++)
			ok = a[i] == i % 8 + 1;
		tap(ok, "fill 100000 bytes with an 8-byte pattern");
	} else {
		test_unoffered(&ring, "fill", a, len);
		for (i = 0; i < len; i++)
			a[i] = i % 8 + 1;
	}

	memcpy(b, a, len);
	dmae_prep_compare(dmae_get_sqe(&ring), a, b, len);
	if (has_op(DMAE_UOP_COMPARE)) {
		tap(run_one(&ring, &cqe) == 0 && cqe.result == len,
		    "compare equal buffers: res 0, result len");
		b[77777] ^= 1;
		dmae_prep_compare(dmae_get_sqe(&ring), a, b, len);
		ok = run_one(&ring, &cqe) == 1 && cqe.result == 77777;
		tap(ok, "compare different buffers: res 1, result the offset (%u)",
		    cqe.result);
	} else {
		test_unoffered(&ring, "compare", a, len);
	}

	memcpy(a, "123456789", 9);
	memset(b, 0, 9);
	dmae_prep_copy_crc32c(dmae_get_sqe(&ring), b, a, 9);
	if (has_op(DMAE_UOP_COPY_CRC32C)) {
		ok = run_one(&ring, &cqe) == 9 && cqe.result == 0xe3069283 &&
		     !memcmp(b, "123456789", 9);
		tap(ok, "copy with CRC32C of \"123456789\" = 0xe3069283 (0x%08x)",
		    cqe.result);
	} else {
		test_unoffered(&ring, "copy with CRC32C", b, 9);
	}
	dmae_prep_nop(dmae_get_sqe(&ring));
	tap(run_one(&ring, NULL) == 0, "nop completes with 0");
	check_stats(&ring, unoffered, 0);
	dmae_queue_exit(&ring);
	munmap(a, len);
	munmap(b, len);
	return failures ? 1 : 0;
}
