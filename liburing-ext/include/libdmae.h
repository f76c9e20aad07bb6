/* SPDX-License-Identifier: MIT */
/*
 * libdmae: the dma-engine shared ring from user space, in the manner of
 * liburing. Set up a ring on /dev/dma_engineN, get submission entries,
 * prepare them, submit, and reap completions:
 *
 *	struct dmae_ring ring;
 *	struct dmae_cqe *cqe;
 *
 *	dmae_queue_init(64, &ring, 0);
 *	dmae_prep_copy(dmae_get_sqe(&ring), dst, src, len);
 *	dmae_submit_and_wait(&ring, 1);
 *	dmae_wait_cqe(&ring, &cqe);	// cqe->res: bytes or -errno
 *	dmae_cqe_seen(&ring, cqe);
 *	dmae_queue_exit(&ring);
 *
 * Functions return 0 (or a count) on success and a negative errno on
 * failure, like liburing's. No system call is made unless one is needed:
 * getting entries and peeking at completions only touch shared memory.
 */
#ifndef LIBDMAE_H
#define LIBDMAE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dmae_uring.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The ring's memory order, as the kernel side has it: entries are
 * written before the tail that publishes them (store-release), and read
 * after the tail that says they are there (load-acquire).
 */
static inline unsigned dmae_smp_load_acquire(const unsigned *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void dmae_smp_store_release(unsigned *p, unsigned v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/*
 * The structures below are the library's ABI: fields are only ever
 * added in the room left for them (resv), which the library zeroes, so a
 * program built against an older libdmae.so.2 header keeps working.
 */

/** The submission side of a ring, as mapped into the process. */
struct dmae_sq {
	unsigned *khead;	/* kernel: entries consumed */
	unsigned *ktail;	/* ours: entries published */
	unsigned *kflags;
	unsigned *kdropped;
	unsigned ring_mask;
	unsigned ring_entries;
	struct dmae_sqe *sqes;
	unsigned sqe_head;	/* first entry not yet submitted */
	unsigned sqe_tail;	/* next entry to hand out */
	void *ring_ptr;
	size_t ring_sz;
	size_t sqes_sz;
	unsigned resv[4];
};

/** The completion side of a ring. */
struct dmae_cq {
	unsigned *khead;	/* ours: entries consumed */
	unsigned *ktail;	/* kernel: entries posted */
	unsigned *koverflow;
	unsigned ring_mask;
	unsigned ring_entries;
	struct dmae_cqe *cqes;
	void *ring_ptr;
	size_t ring_sz;
	unsigned resv[4];
};

/**
 * struct dmae_ring - a ring: one context of a service device
 * @fd: the device file
 * @features: DMAE_FEAT_* the kernel reported; the library checks them
 *	before calls that need one
 * @max_len: longest entry, bytes
 * @cpu_threshold: copies shorter than this may run on the CPU
 * @ops: operations the device runs, bit (1U << DMAE_UOP_x), with
 *	DMAE_FEAT_OPS; 0 when the kernel does not say (all of them)
 * @flags: DMAE_SETUP_* the ring was set up with
 * @sq: the submission side
 * @cq: the completion side
 * @resv: room for growth, zero
 */
struct dmae_ring {
	int fd;
	unsigned features;
	unsigned max_len;
	unsigned cpu_threshold;
	unsigned ops;
	unsigned flags;
	struct dmae_sq sq;
	struct dmae_cq cq;
	unsigned resv[8];
};

/**
 * dmae_queue_init_dev() - open @path and set up a ring on it
 * @path: the device, for example "/dev/dma_engine0"
 * @entries: submission entries (1 to 4096, rounded up to a power of 2)
 * @ring: filled in
 * @cpu_threshold: copies shorter than this may run on the CPU in the
 *	kernel (0: never; at most 65536)
 *
 * Return: 0 or -errno.
 */
int dmae_queue_init_dev(const char *path, unsigned entries,
			struct dmae_ring *ring, unsigned cpu_threshold);

/**
 * dmae_queue_init_params() - open @path and set up a ring as @params asks
 * @path: the device
 * @params: in: sq_entries, cq_entries, flags (DMAE_SETUP_*), cpu_threshold,
 *	the rest zero; out: what DMAE_IOC_SETUP returned (features, ops, ...)
 * @ring: filled in
 *
 * Return: 0 or -errno.
 */
int dmae_queue_init_params(const char *path, struct dmae_uring_params *params,
			   struct dmae_ring *ring);

/**
 * dmae_queue_init() - set up a ring on the engine named by $DMAE_DEVICE,
 * else /dev/dma_engine0
 * @entries: submission entries
 * @ring: filled in
 * @cpu_threshold: as for dmae_queue_init_dev()
 *
 * Return: 0 or -errno.
 */
int dmae_queue_init(unsigned entries, struct dmae_ring *ring,
		    unsigned cpu_threshold);

/**
 * dmae_ring_init_mem() - attach @ring to ring memory already mapped
 * @ring: filled in
 * @p: the parameters the kernel returned from DMAE_IOC_SETUP
 * @sq_ring: the SQ ring region
 * @sqes: the SQE array region
 * @cq_ring: the CQ ring region
 *
 * dmae_queue_init() uses it after mmap(); tests use it on plain memory.
 * The ring's fd is set to -1.
 */
void dmae_ring_init_mem(struct dmae_ring *ring,
			const struct dmae_uring_params *p, void *sq_ring,
			void *sqes, void *cq_ring);

/**
 * dmae_queue_exit() - unmap and close a ring set up by dmae_queue_init()
 * @ring: the ring
 */
void dmae_queue_exit(struct dmae_ring *ring);

/**
 * dmae_get_sqe() - the next free submission entry, zeroed
 * @ring: the ring
 *
 * Return: the entry, or NULL when the SQ is full (submit first).
 */
struct dmae_sqe *dmae_get_sqe(struct dmae_ring *ring);

/**
 * dmae_sq_ready() - entries handed out but not yet submitted
 * @ring: the ring
 */
static inline unsigned dmae_sq_ready(const struct dmae_ring *ring)
{
	return ring->sq.sqe_tail - ring->sq.sqe_head;
}

/**
 * dmae_submit() - publish prepared entries and tell the kernel
 * @ring: the ring
 *
 * With DMAE_SETUP_SQPOLL the entries are only published: the context's
 * SQ thread takes them, and a system call is made only to wake it when
 * it sleeps (DMAE_SQ_NEED_WAKEUP).
 *
 * Return: entries the kernel took (with SQPOLL: published), or -errno
 * (-EBUSY: completions must be reaped first).
 */
int dmae_submit(struct dmae_ring *ring);

/**
 * dmae_submit_and_wait() - submit, then wait for @wait_nr completions
 * @ring: the ring
 * @wait_nr: completions to wait for (in the CQ)
 *
 * Return: entries submitted, or -errno (-EINTR on a signal).
 */
int dmae_submit_and_wait(struct dmae_ring *ring, unsigned wait_nr);

/**
 * dmae_peek_cqe() - the next completion, without waiting or a syscall
 * @ring: the ring
 * @cqe: set to the entry
 *
 * Return: 0, or -EAGAIN if there is none.
 */
static inline int dmae_peek_cqe(struct dmae_ring *ring, struct dmae_cqe **cqe)
{
	struct dmae_cq *cq = &ring->cq;
	unsigned head = *cq->khead;

	if (head == dmae_smp_load_acquire(cq->ktail))
		return -EAGAIN;
	*cqe = &cq->cqes[head & cq->ring_mask];
	return 0;
}

/**
 * dmae_wait_cqe() - the next completion, waiting for it if needed
 * @ring: the ring
 * @cqe: set to the entry
 *
 * Return: 0 or -errno (-EINTR on a signal).
 */
int dmae_wait_cqe(struct dmae_ring *ring, struct dmae_cqe **cqe);

/**
 * dmae_wait_cqe_timeout() - dmae_wait_cqe() for at most @timeout_ns
 * @ring: the ring
 * @cqe: set to the entry
 * @timeout_ns: nanoseconds; negative waits for ever
 *
 * Return: 0, -ETIME when the time ran out, or -errno.
 */
int dmae_wait_cqe_timeout(struct dmae_ring *ring, struct dmae_cqe **cqe,
			  long long timeout_ns);

/**
 * dmae_cqe_seen() - hand a completion entry back to the kernel
 * @ring: the ring
 * @cqe: the entry dmae_peek_cqe() or dmae_wait_cqe() gave
 */
static inline void dmae_cqe_seen(struct dmae_ring *ring, struct dmae_cqe *cqe)
{
	(void)cqe;
	/* The entry is used up before the kernel may overwrite it. */
	dmae_smp_store_release(ring->cq.khead, *ring->cq.khead + 1);
}

/**
 * dmae_cq_ready() - completions waiting in the CQ
 * @ring: the ring
 */
static inline unsigned dmae_cq_ready(const struct dmae_ring *ring)
{
	return dmae_smp_load_acquire(ring->cq.ktail) - *ring->cq.khead;
}

/**
 * dmae_cq_overflow() - completions the kernel keeps for lack of CQ room
 * @ring: the ring
 */
static inline unsigned dmae_cq_overflow(const struct dmae_ring *ring)
{
	return __atomic_load_n(ring->cq.koverflow, __ATOMIC_RELAXED);
}

/**
 * dmae_register_eventfd() - have the kernel signal @fd per completion
 * @ring: the ring
 * @fd: an eventfd
 *
 * Return: 0 or -errno (-EBUSY if one is registered; -EOPNOTSUPP when the
 * kernel does not offer DMAE_FEAT_EVENTFD).
 */
int dmae_register_eventfd(struct dmae_ring *ring, int fd);

/**
 * dmae_unregister_eventfd() - stop signalling
 * @ring: the ring
 *
 * Return: 0 or -errno.
 */
int dmae_unregister_eventfd(struct dmae_ring *ring);

struct iovec;

/**
 * dmae_register_buffers() - register buffers, for the *_fixed helpers
 * @ring: the ring
 * @iovs: the buffers (writable memory, 1 byte to 64 MiB each)
 * @nr: how many (1 to 1024)
 *
 * The kernel pins them for as long as they are registered and maps them
 * for the engine once; they count against RLIMIT_MEMLOCK.
 *
 * Return: 0 or -errno (-EBUSY: buffers are registered already; -ENOMEM:
 * over the limit; -EOPNOTSUPP without DMAE_FEAT_FIXED_BUFS).
 */
int dmae_register_buffers(struct dmae_ring *ring, const struct iovec *iovs,
			  unsigned nr);

/**
 * dmae_unregister_buffers() - release them; waits for copies using them
 * @ring: the ring
 *
 * Return: 0, or -ENXIO if none are registered.
 */
int dmae_unregister_buffers(struct dmae_ring *ring);

/**
 * dmae_register_files() - register regular files for the file operations
 * @ring: the ring
 * @fds: descriptors (the kernel keeps a reference to each file)
 * @nr: how many (1 to DMAE_MAX_FILES)
 *
 * An entry with DMAE_SQE_FIXED_FILE_SRC (or _DST) then names file @fds[i]
 * by i in src_fd (dst_fd): no descriptor lookup per entry. Needs
 * DMAE_FEAT_FIXED_FILES.
 *
 * Return: 0 or -errno (-EBUSY when files are registered already;
 * -EOPNOTSUPP without DMAE_FEAT_FIXED_FILES).
 */
int dmae_register_files(struct dmae_ring *ring, const int *fds, unsigned nr);

/**
 * dmae_unregister_files() - drop the registered files
 * @ring: the ring
 *
 * Return: 0 or -errno.
 */
int dmae_unregister_files(struct dmae_ring *ring);

/**
 * dmae_get_stats() - the ring's counters
 * @ring: the ring
 * @st: filled with the counters
 *
 * Return: 0 or -errno.
 */
int dmae_get_stats(struct dmae_ring *ring, struct dmae_ctx_stats *st);

/**
 * dmae_copy() - copy @len bytes and wait for it
 * @ring: the ring; must have no other completions outstanding
 * @dst: destination
 * @src: source (must not overlap @dst)
 * @len: bytes
 *
 * Return: @len, or -errno.
 */
int dmae_copy(struct dmae_ring *ring, void *dst, const void *src,
	      unsigned len);

/**
 * dmae_prep_rw() - an entry of any operation on plain addresses; the
 * other prep helpers are made of it
 * @sqe: the entry (every field is set: the rest cleared)
 * @op: DMAE_UOP_*
 * @dst: destination
 * @src: source (NULL for FILL and NOP)
 * @len: bytes
 */
static inline void dmae_prep_rw(struct dmae_sqe *sqe, uint8_t op,
				void *dst, const void *src, unsigned len)
{
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = op;
	sqe->len = len;
	sqe->dst = (uintptr_t)dst;
	sqe->src = (uintptr_t)src;
}

/**
 * dmae_prep_nop() - an entry that does nothing (completes with 0)
 * @sqe: the entry
 */
static inline void dmae_prep_nop(struct dmae_sqe *sqe)
{
	dmae_prep_rw(sqe, DMAE_UOP_NOP, NULL, NULL, 0);
}

/**
 * dmae_prep_copy() - copy @len bytes from @src to @dst
 * @sqe: the entry
 * @dst: destination
 * @src: source
 * @len: bytes
 */
static inline void dmae_prep_copy(struct dmae_sqe *sqe, void *dst,
				  const void *src, unsigned len)
{
	dmae_prep_rw(sqe, DMAE_UOP_COPY, dst, src, len);
}

/**
 * dmae_prep_fill() - fill @len bytes at @dst with the 8-byte @pattern
 * @sqe: the entry
 * @dst: destination
 * @pattern: the 8-byte pattern, repeated
 * @len: bytes
 */
static inline void dmae_prep_fill(struct dmae_sqe *sqe, void *dst,
				  uint64_t pattern, unsigned len)
{
	dmae_prep_rw(sqe, DMAE_UOP_FILL, dst, NULL, len);
	sqe->pattern = pattern;
}

/**
 * dmae_prep_compare() - compare @len bytes; res 0 equal, 1 different
 * @sqe: the entry
 * @a: one side (the entry's source)
 * @b: the other side (its destination)
 * @len: bytes
 */
static inline void dmae_prep_compare(struct dmae_sqe *sqe, const void *a,
				     const void *b, unsigned len)
{
	dmae_prep_rw(sqe, DMAE_UOP_COMPARE, (void *)b, a, len);
}

/**
 * dmae_prep_copy_crc32c() - copy, and cqe->result is the CRC32C
 * @sqe: the entry
 * @dst: destination
 * @src: source
 * @len: bytes
 */
static inline void dmae_prep_copy_crc32c(struct dmae_sqe *sqe, void *dst,
					 const void *src, unsigned len)
{
	dmae_prep_rw(sqe, DMAE_UOP_COPY_CRC32C, dst, src, len);
}

/**
 * dmae_prep_fixed() - an entry of any operation on registered buffers
 * @sqe: the entry (every field is set: the rest cleared)
 * @op: DMAE_UOP_*
 * @dst_buf: index of the destination buffer
 * @dst_off: offset in it
 * @src_buf: index of the source buffer
 * @src_off: offset in it
 * @len: bytes
 * @flags: DMAE_SQE_FIXED_SRC and/or DMAE_SQE_FIXED_DST: which sides are
 *	registered buffers
 */
static inline void dmae_prep_fixed(struct dmae_sqe *sqe, uint8_t op,
				   unsigned dst_buf, uint64_t dst_off,
				   unsigned src_buf, uint64_t src_off,
				   unsigned len, unsigned flags)
{
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = op;
	sqe->flags = flags;
	sqe->len = len;
	sqe->dst_buf = dst_buf;
	sqe->dst = dst_off;
	sqe->src_buf = src_buf;
	sqe->src = src_off;
}

/**
 * dmae_prep_copy_fixed() - copy between registered buffers
 * @sqe: the entry
 * @dst_buf: index of the destination buffer
 * @dst_off: offset in it
 * @src_buf: index of the source buffer
 * @src_off: offset in it
 * @len: bytes
 */
static inline void dmae_prep_copy_fixed(struct dmae_sqe *sqe, unsigned dst_buf,
					uint64_t dst_off, unsigned src_buf,
					uint64_t src_off, unsigned len)
{
	dmae_prep_fixed(sqe, DMAE_UOP_COPY, dst_buf, dst_off, src_buf, src_off,
			len, DMAE_SQE_FIXED_SRC | DMAE_SQE_FIXED_DST);
}

/**
 * dmae_prep_fill_fixed() - fill part of a registered buffer
 * @sqe: the entry
 * @dst_buf: index of the destination buffer
 * @dst_off: offset in it
 * @pattern: the 8-byte pattern, repeated
 * @len: bytes
 */
static inline void dmae_prep_fill_fixed(struct dmae_sqe *sqe, unsigned dst_buf,
					uint64_t dst_off, uint64_t pattern,
					unsigned len)
{
	dmae_prep_fixed(sqe, DMAE_UOP_FILL, dst_buf, dst_off, 0, 0, len,
			DMAE_SQE_FIXED_DST);
	sqe->pattern = pattern;
}

/**
 * dmae_prep_compare_fixed() - compare parts of registered buffers
 * @sqe: the entry
 * @a_buf: index of one buffer
 * @a_off: offset in it
 * @b_buf: index of the other buffer
 * @b_off: offset in it
 * @len: bytes
 */
static inline void dmae_prep_compare_fixed(struct dmae_sqe *sqe,
					   unsigned a_buf, uint64_t a_off,
					   unsigned b_buf, uint64_t b_off,
					   unsigned len)
{
	dmae_prep_fixed(sqe, DMAE_UOP_COMPARE, b_buf, b_off, a_buf, a_off,
			len, DMAE_SQE_FIXED_SRC | DMAE_SQE_FIXED_DST);
}

/**
 * dmae_prep_copy_crc32c_fixed() - copy with CRC32C between registered buffers
 * @sqe: the entry
 * @dst_buf: index of the destination buffer
 * @dst_off: offset in it
 * @src_buf: index of the source buffer
 * @src_off: offset in it
 * @len: bytes
 */
static inline void dmae_prep_copy_crc32c_fixed(struct dmae_sqe *sqe,
					       unsigned dst_buf,
					       uint64_t dst_off,
					       unsigned src_buf,
					       uint64_t src_off, unsigned len)
{
	dmae_prep_fixed(sqe, DMAE_UOP_COPY_CRC32C, dst_buf, dst_off, src_buf,
			src_off, len, DMAE_SQE_FIXED_SRC | DMAE_SQE_FIXED_DST);
}

/**
 * dmae_prep_file_read() - a pread() by the engine: @dst <- file @fd at @off
 * @sqe: the entry
 * @dst: destination buffer
 * @fd: a regular file open for reading
 * @off: offset in the file
 * @len: bytes at most; the completion's res says how many were read
 *	(fewer at the end of the file, 0 past it)
 *
 * Needs DMAE_FEAT_FILE_READ (ring->features).
 */
static inline void dmae_prep_file_read(struct dmae_sqe *sqe, void *dst, int fd,
				       uint64_t off, unsigned len)
{
	dmae_prep_rw(sqe, DMAE_UOP_FILE_READ, dst, NULL, len);
	sqe->src = off;
	sqe->src_fd = fd;
}

/**
 * dmae_prep_file_read_fixed() - FILE_READ into a registered buffer
 * @sqe: the entry
 * @dst_buf: index of the destination buffer
 * @dst_off: offset in it
 * @fd: the file (a descriptor, or a registered file's index with DMAE_SQE_FIXED_FILE)
 * @off: offset in the file
 * @len: bytes
 */
static inline void dmae_prep_file_read_fixed(struct dmae_sqe *sqe,
					     unsigned dst_buf, uint64_t dst_off,
					     int fd, uint64_t off, unsigned len)
{
	dmae_prep_fixed(sqe, DMAE_UOP_FILE_READ, dst_buf, dst_off, 0, off, len,
			DMAE_SQE_FIXED_DST);
	sqe->src_fd = fd;
}

/**
 * dmae_prep_file_write() - a pwrite() by the engine: file @fd at @off <- @src
 * @sqe: the entry
 * @fd: a regular file open for writing (not O_APPEND)
 * @off: offset in the file
 * @src: source buffer
 * @len: bytes; the completion's res says how many were written
 *
 * Needs DMAE_FEAT_FILE_WRITE. The entry is done before the submitting
 * call returns, as write(2) would do it.
 */
static inline void dmae_prep_file_write(struct dmae_sqe *sqe, int fd,
					uint64_t off, const void *src,
					unsigned len)
{
	dmae_prep_rw(sqe, DMAE_UOP_FILE_WRITE, NULL, src, len);
	sqe->dst = off;
	sqe->dst_fd = fd;
}

/**
 * dmae_prep_file_write_fixed() - FILE_WRITE from a registered buffer
 * @sqe: the entry
 * @fd: the file (a descriptor, or a registered file's index with DMAE_SQE_FIXED_FILE)
 * @off: offset in the file
 * @src_buf: index of the source buffer
 * @src_off: offset in it
 * @len: bytes
 */
static inline void dmae_prep_file_write_fixed(struct dmae_sqe *sqe, int fd,
					      uint64_t off, unsigned src_buf,
					      uint64_t src_off, unsigned len)
{
	dmae_prep_fixed(sqe, DMAE_UOP_FILE_WRITE, 0, off, src_buf, src_off,
			len, DMAE_SQE_FIXED_SRC);
	sqe->dst_fd = fd;
}

/**
 * dmae_prep_file_copy() - a copy_file_range() by the engine
 * @sqe: the entry
 * @dst_fd: the file written (open for writing, not O_APPEND)
 * @dst_off: offset in it
 * @src_fd: the file read (open for reading)
 * @src_off: offset in it
 * @len: bytes; res: bytes copied (fewer at the source's end of file)
 *
 * Needs DMAE_FEAT_FILE_WRITE. Within one file the ranges may not overlap.
 */
static inline void dmae_prep_file_copy(struct dmae_sqe *sqe, int dst_fd,
				       uint64_t dst_off, int src_fd,
				       uint64_t src_off, unsigned len)
{
	dmae_prep_rw(sqe, DMAE_UOP_FILE_COPY, NULL, NULL, len);
	sqe->dst = dst_off;
	sqe->dst_fd = dst_fd;
	sqe->src = src_off;
	sqe->src_fd = src_fd;
}

/**
 * dmae_sqe_set_data() - the value the completion carries back
 * @sqe: the entry
 * @data: any 64-bit value
 */
static inline void dmae_sqe_set_data(struct dmae_sqe *sqe, uint64_t data)
{
	sqe->user_data = data;
}

/**
 * dmae_sqe_set_flags() - the entry's DMAE_SQE_* flags, other than the
 * FIXED ones
 * @sqe: the entry, prepared
 * @flags: DMAE_SQE_NO_CPU, DMAE_SQE_IO_LINK, DMAE_SQE_IO_DRAIN, ...
 *
 * DMAE_SQE_FIXED_SRC and DMAE_SQE_FIXED_DST say what the prep helper put
 * into the address fields (a buffer index and offset); they are the
 * helper's, and kept as it set them, whatever @flags says.
 */
static inline void dmae_sqe_set_flags(struct dmae_sqe *sqe, unsigned flags)
{
	const unsigned fixed = DMAE_SQE_FIXED_SRC | DMAE_SQE_FIXED_DST;

	sqe->flags = (sqe->flags & fixed) | (flags & ~fixed);
}

#ifdef __cplusplus
}
#endif

#endif /* LIBDMAE_H */
