/* SPDX-License-Identifier: MIT */
/*
 * libdmae_uring: the engine's operations as IORING_OP_URING_CMD entries
 * of a stock io_uring (liburing 2.3 has no URING_CMD prep helper), so that
 * a DMA copy can be linked with reads, writes and sends:
 *
 *	struct dmae_sqe op;
 *
 *	dmae_prep_copy(&op, dst, src, len);		// from libdmae.h
 *	dmae_io_uring_prep(io_uring_get_sqe(&ring), fd, &op, ring.flags);
 *
 * @fd is an open /dev/dma_engineN. Header only.
 */
#ifndef LIBDMAE_URING_H
#define LIBDMAE_URING_H

#include <stddef.h>
#include <stdint.h>

#include <liburing.h>

#include "libdmae.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * dmae_io_uring_prep() - fill an io_uring SQE with an engine operation
 * @sqe: the io_uring entry
 * @fd: an open /dev/dma_engineN
 * @op: the operation, prepared with the dmae_prep_*() helpers
 * @ring_flags: the io_uring's setup flags (struct io_uring.flags)
 *
 * On a ring set up with IORING_SETUP_SQE128 the operation is copied into
 * the entry. Otherwise the entry carries a pointer to @op, which the
 * kernel reads when it issues the command: @op must then stay valid until
 * the completion.
 */
static inline void dmae_io_uring_prep(struct io_uring_sqe *sqe, int fd,
				      const struct dmae_sqe *op,
				      unsigned ring_flags)
{
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	if (ring_flags & IORING_SETUP_SQE128) {
		/*
		 * The 80-byte command area runs past struct io_uring_sqe into
		 * the second half of the 128-byte entry; going through an
		 * integer keeps the compiler from bounding it by the union
		 * member that shares its offset.
		 */
		unsigned char *cmd = (unsigned char *)(uintptr_t)sqe +
				     offsetof(struct io_uring_sqe, cmd);

		sqe->cmd_op = DMAE_UCMD_SQE;
		memcpy(cmd, op, sizeof(*op));
	} else {
		struct dmae_ucmd_ptr p = { .sqe = (uintptr_t)op, .resv = 0 };

		sqe->cmd_op = DMAE_UCMD_SQE_PTR;
		memcpy(sqe->cmd, &p, sizeof(p));
	}
}

/**
 * dmae_io_uring_result() - COMPARE's offset or COPY_CRC32C's CRC
 * @cqe: a completion of a ring set up with IORING_SETUP_CQE32
 */
static inline uint32_t dmae_io_uring_result(const struct io_uring_cqe *cqe)
{
	return (uint32_t)cqe->big_cqe[0];
}

/**
 * dmae_io_uring_cqe_flags() - DMAE_CQE_F_* of the completion
 * @cqe: a completion of a ring set up with IORING_SETUP_CQE32
 */
static inline uint32_t dmae_io_uring_cqe_flags(const struct io_uring_cqe *cqe)
{
	return (uint32_t)(cqe->big_cqe[0] >> 32);
}

#ifdef __cplusplus
}
#endif

#endif /* LIBDMAE_URING_H */
