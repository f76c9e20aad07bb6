// SPDX-License-Identifier: GPL-2.0
/*
 * ring-fixed [DEVICE]: registered buffers: copies and fills between and
 * into them at offsets with guards, a registered source with a plain
 * destination, indices, ranges and overlaps refused with EINVAL,
 * unregistering, and what may not be registered.
 */
#include "ring.h"

#include <sys/uio.h>

int main(int argc, char **argv)
{
	const size_t len = 4 << 20, n = (1 << 20) + 123;
	uint8_t *a = alloc_buf(len), *b = alloc_buf(len), *ro;
	struct iovec iov[2] = { { a, len }, { b, len } };
	struct dmae_ring ring;
	struct dmae_sqe *sqe;
	bool ok;

	if (!ring_start(argc, argv, "ring-fixed [DEVICE]"))
		return 77;
	if (!a || !b || dmae_queue_init_dev(dev, 16, &ring, 0)) {
		tap(false, "ring for registered buffers");
		return 1;
	}
	tap(ring.features & DMAE_FEAT_FIXED_BUFS, "the ring offers registered buffers");
	fill_random(a, len);
	memset(b, POISON, len);
	tap(dmae_register_buffers(&ring, iov, 2) == 0,
	    "register two 4 MiB buffers");
	tap(dmae_register_buffers(&ring, iov, 2) == -EBUSY,
	    "a second registration: EBUSY");

	dmae_prep_copy_fixed(dmae_get_sqe(&ring), 1, 4101, 0, 777, n);
	ok = run_one(&ring, NULL) == (int)n && !memcmp(a + 777, b + 4101, n) &&
	     range_is(b, 4101, POISON) &&
	     range_is(b + 4101 + n, len - 4101 - n, POISON);
	tap(ok, "copy %zu bytes between registered buffers at offsets, guards intact", n);

	dmae_prep_fill_fixed(dmae_get_sqe(&ring), 1, 3, 0x4141414141414141ULL, 10);
	if (has_op(DMAE_UOP_FILL))
		tap(run_one(&ring, NULL) == 10 && range_is(b + 3, 10, 0x41) &&
		    b[2] == POISON && b[13] == POISON,
		    "fill part of a registered buffer, nothing around it");
	else
		tap(run_one(&ring, NULL) == -EOPNOTSUPP && range_is(b, 4101, POISON),
		    "fill of a registered buffer, not offered: EOPNOTSUPP, untouched");

	/* A registered source, a plain destination */
	sqe = dmae_get_sqe(&ring);
	dmae_prep_copy(sqe, b + 2 * n + 8192, NULL, 5000);
	sqe->flags = DMAE_SQE_FIXED_SRC;
	sqe->src_buf = 0;
	sqe->src = 100;
	tap(run_one(&ring, NULL) == 5000 && !memcmp(a + 100, b + 2 * n + 8192, 5000),
	    "registered source, plain destination");

	dmae_prep_copy_fixed(dmae_get_sqe(&ring), 2, 0, 0, 0, 100);
	tap(run_one(&ring, NULL) == -EINVAL, "buffer index beyond the table: EINVAL");
	dmae_prep_copy_fixed(dmae_get_sqe(&ring), 1, len - 50, 0, 0, 100);
	tap(run_one(&ring, NULL) == -EINVAL, "range past the buffer's end: EINVAL");
	dmae_prep_copy_fixed(dmae_get_sqe(&ring), 1, 0, 0, 0xffffffffffffff00ULL, 0x200);
	tap(run_one(&ring, NULL) == -EINVAL, "offset that wraps: EINVAL");
	dmae_prep_copy_fixed(dmae_get_sqe(&ring), 0, 100, 0, 0, 200);
	tap(run_one(&ring, NULL) == -EINVAL, "overlap inside one buffer: EINVAL");
	sqe = dmae_get_sqe(&ring);
	dmae_prep_fill_fixed(sqe, 1, 0, 0, 10);
	sqe->flags |= DMAE_SQE_FIXED_SRC;
	tap(run_one(&ring, NULL) == -EINVAL, "FILL with a registered source: EINVAL");

	tap(dmae_unregister_buffers(&ring) == 0, "unregister");
	tap(dmae_unregister_buffers(&ring) == -ENXIO, "unregister again: ENXIO");
	dmae_prep_copy_fixed(dmae_get_sqe(&ring), 1, 0, 0, 0, 100);
	tap(run_one(&ring, NULL) == -EINVAL, "a registered copy after unregister: EINVAL");

	ro = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	iov[0] = (struct iovec){ ro, 8192 };
	tap(dmae_register_buffers(&ring, iov, 1) == -EFAULT,
	    "registering read-only memory: EFAULT");
	tap(dmae_register_buffers(&ring, iov, 0) == -EINVAL, "registering 0 buffers: EINVAL");
	tap(dmae_register_buffers(&ring, iov, 2000) == -EINVAL,
	    "registering 2000 buffers: EINVAL");
	iov[0] = (struct iovec){ a, 0 };
	tap(dmae_register_buffers(&ring, iov, 1) == -EINVAL,
	    "registering an empty buffer: EINVAL");
	dmae_queue_exit(&ring);
	munmap(ro, 8192);
	munmap(a, len);
	munmap(b, len);
	return failures ? 1 : 0;
}
