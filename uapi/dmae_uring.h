/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * dma-engine shared ring: the contract between user space and the kernel.
 *
 * A process opens /dev/dma_engineN, sets up a context with
 * DMAE_IOC_SETUP, maps its three regions (SQ ring, SQE array, CQ ring) at
 * the offsets below, writes submission entries, publishes them by storing
 * the SQ tail (store-release), tells the kernel with DMAE_IOC_ENTER, and
 * reads completion entries after loading the CQ tail (load-acquire).
 * Field by field: docs/uapi.md. Usable from C, C++ and the kernel.
 */
#ifndef _UAPI_DMAE_URING_H
#define _UAPI_DMAE_URING_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define DMAE_URING_VERSION	2

/* Operations (dmae_sqe.opcode) */
#define DMAE_UOP_NOP		0	/* completes with res 0 */
#define DMAE_UOP_COPY		1	/* dst <- src, len bytes */
#define DMAE_UOP_FILL		2	/* dst <- pattern repeated */
#define DMAE_UOP_COMPARE	3	/* res: 0 equal, 1 different */
#define DMAE_UOP_COPY_CRC32C	4	/* COPY; cqe.result: CRC32C */
/* version 2, DMAE_FEAT_FILE_READ: */
#define DMAE_UOP_FILE_READ	5	/* dst <- file src_fd at offset src */
/* version 2, DMAE_FEAT_FILE_WRITE: */
#define DMAE_UOP_FILE_WRITE	6	/* file dst_fd at offset dst <- src */
#define DMAE_UOP_FILE_COPY	7	/* file dst_fd at dst <- file src_fd at src */
#define DMAE_UOP_LAST		DMAE_UOP_FILE_COPY

/* Submission flags (dmae_sqe.flags) */
#define DMAE_SQE_FIXED_SRC	(1U << 0)	/* src: offset in buffer src_buf */
#define DMAE_SQE_FIXED_DST	(1U << 1)	/* dst: offset in buffer dst_buf */
#define DMAE_SQE_NO_CPU		(1U << 2)	/* never take the CPU path */
/* version 2, DMAE_FEAT_FIXED_FILES: */
#define DMAE_SQE_FIXED_FILE_SRC	(1U << 3)	/* src_fd: a registered file's index */
#define DMAE_SQE_FIXED_FILE_DST	(1U << 4)	/* dst_fd: a registered file's index */
/*
 * DMAE_FEAT_LINK (shared ring only; io_uring has IOSQE_IO_LINK itself):
 * IO_LINK: the next entry of the same ENTER starts once this one has
 * completed with res >= 0; if it fails, the rest of the chain completes
 * with -ECANCELED. IO_DRAIN (on a chain's first entry): the chain starts
 * once every entry taken before it has completed, and entries taken after
 * it wait until it has.
 */
#define DMAE_SQE_IO_LINK	(1U << 5)
#define DMAE_SQE_IO_DRAIN	(1U << 6)
#define DMAE_SQE_VALID_FLAGS	0x7fU

/**
 * struct dmae_sqe - a submission queue entry (64 bytes)
 * @opcode: DMAE_UOP_*
 * @flags: DMAE_SQE_*
 * @src_buf: registered buffer of the source, with DMAE_SQE_FIXED_SRC
 * @len: bytes, 1 to dmae_uring_params.max_len (0 for NOP); the file
 *	operations: at most, the completion's res says how many (fewer at
 *	the end of the source file, or at the file size limit)
 * @src: source user address, or offset into @src_buf; FILE_READ and
 *	FILE_COPY: the offset in the file src_fd (0 to 2^63 - 1)
 * @dst: destination user address, or offset into @dst_buf; FILE_WRITE
 *	and FILE_COPY: the offset in the file dst_fd
 * @pattern: FILL: byte i of the destination gets byte i % 8 (little-endian)
 * @user_data: copied to the completion
 * @dst_buf: registered buffer of the destination, with DMAE_SQE_FIXED_DST
 * @src_fd: FILE_READ, FILE_COPY: the file read from (a regular file open
 *	for reading), or with DMAE_SQE_FIXED_FILE_SRC the index of a
 *	registered file; zero for the other operations
 * @dst_fd: FILE_WRITE, FILE_COPY: the file written (a regular file open
 *	for writing, not O_APPEND), or with DMAE_SQE_FIXED_FILE_DST the index
 *	of a registered file; zero for the other operations
 * @resv0: must be zero
 * @resv1: must be zero
 * @resv2: must be zero
 */
struct dmae_sqe {
	__u8	opcode;
	__u8	flags;
	__u16	src_buf;
	__u32	len;
	__u64	src;
	__u64	dst;
	__u64	pattern;
	__u64	user_data;
	__u16	dst_buf;
	__u16	resv0;
	__u32	resv1;
	__s32	src_fd;
	__s32	dst_fd;
	__u64	resv2;
};

/* Completion flags (dmae_cqe.flags) */
#define DMAE_CQE_F_CPU		(1U << 0)	/* done by the CPU, not the engine */

/**
 * struct dmae_cqe - a completion queue entry (32 bytes)
 * @user_data: the submission's
 * @res: bytes done (COMPARE: 0 equal, 1 different), or -errno
 * @flags: DMAE_CQE_F_*
 * @result: COMPARE: offset of the first difference (len if equal);
 *	COPY_CRC32C: the CRC32C of the data
 * @resv: zero
 */
struct dmae_cqe {
	__u64	user_data;
	__s32	res;
	__u32	flags;
	__u32	result;
	__u32	resv0;
	__u64	resv1;
};

/* Offsets of the fields of the SQ ring region, from DMAE_OFF_SQ_RING */
struct dmae_sqring_offsets {
	__u32	head;		/* kernel: entries consumed */
	__u32	tail;		/* user: entries published */
	__u32	ring_mask;
	__u32	ring_entries;
	__u32	flags;		/* DMAE_SQ_* */
	__u32	dropped;	/* entries the kernel refused as malformed */
	__u32	resv[2];
};

/* Offsets of the fields of the CQ ring region, from DMAE_OFF_CQ_RING */
struct dmae_cqring_offsets {
	__u32	head;		/* user: entries consumed */
	__u32	tail;		/* kernel: entries posted */
	__u32	ring_mask;
	__u32	ring_entries;
	__u32	overflow;	/* completions waiting for room (kept) */
	__u32	cqes;		/* the array of struct dmae_cqe */
	__u32	resv[2];
};

/* DMAE_SQ_* bits of the SQ ring's flags word */
#define DMAE_SQ_CQ_OVERFLOW	(1U << 0)	/* completions wait for CQ room */
/* DMAE_SETUP_SQPOLL: the SQ thread sleeps; ENTER (DMAE_ENTER_SQ_WAKEUP) wakes it */
#define DMAE_SQ_NEED_WAKEUP	(1U << 1)

/* Features (dmae_uring_params.features) */
#define DMAE_FEAT_NODROP	(1U << 0)	/* CQ overflow is kept, never lost */
#define DMAE_FEAT_CPU_PATH	(1U << 1)	/* small copies may run on the CPU */
#define DMAE_FEAT_FIXED_BUFS	(1U << 2)	/* registered buffers */
#define DMAE_FEAT_EVENTFD	(1U << 3)
#define DMAE_FEAT_FILE_READ	(1U << 4)	/* DMAE_UOP_FILE_READ */
#define DMAE_FEAT_FILE_WRITE	(1U << 5)	/* FILE_WRITE, FILE_COPY */
#define DMAE_FEAT_FIXED_FILES	(1U << 6)	/* DMAE_IOC_REGISTER_FILES */
/* version 2: DMAE_BUF_REG_DESC, DMAE_UCMD_SQE(_PTR), ENTER's resv */
#define DMAE_FEAT_BUF_DESC	(1U << 7)
/* dmae_uring_params.ops tells which operations the engine runs */
#define DMAE_FEAT_OPS		(1U << 8)
/* DMAE_SQE_IO_LINK, DMAE_SQE_IO_DRAIN and DMAE_SETUP_SPREAD */
#define DMAE_FEAT_LINK		(1U << 9)
/* DMAE_SETUP_IOPOLL: the engine behind the device can be polled */
#define DMAE_FEAT_IOPOLL	(1U << 10)
/* DMAE_SETUP_SQPOLL and dmae_uring_params.sq_thread_idle */
#define DMAE_FEAT_SQPOLL	(1U << 11)
/* dmae_uring_params.cpu_threshold may be DMAE_CPU_THRESHOLD_AUTO */
#define DMAE_FEAT_CPU_AUTO	(1U << 12)

/* Setup flags (dmae_uring_params.flags), DMAE_FEAT_LINK */
#define DMAE_SETUP_SPREAD	(1U << 0)	/* entries go to every channel in turn */
/*
 * DMAE_FEAT_IOPOLL: completions are polled for, not signalled. The
 * context's copies ask the engine for no interrupt; ENTER with
 * DMAE_ENTER_GETEVENTS (and poll(2)) reaps the engine's completion
 * records itself for up to the module parameter poll_usec, then asks for
 * one interrupt after what is queued and sleeps (hybrid: a process never
 * spins for ever). As with io_uring's IOPOLL, completions are found by
 * such a wait: peeking at the CQ alone does not reap them (the driver's
 * watchdog does, after timeout_ms, as a last resort).
 */
#define DMAE_SETUP_IOPOLL	(1U << 1)
/*
 * DMAE_FEAT_SQPOLL: a kernel thread of the context takes the entries the
 * process publishes in the SQ (its tail), with no system call. After
 * sq_thread_idle ms without an entry it sets DMAE_SQ_NEED_WAKEUP in the
 * SQ ring's flags and sleeps; the process, having published entries,
 * reads the flag (after a full memory barrier) and if it is set calls
 * ENTER with DMAE_ENTER_SQ_WAKEUP (libdmae does both). ENTER's to_submit
 * is ignored. Entries naming files must use registered files (a plain
 * descriptor completes with -EBADF: the thread has no file table of the
 * process); the thread runs with the credentials and the RLIMIT_FSIZE
 * the process had at setup, and a write past that limit gives -EFBIG
 * without SIGXFSZ. With DMAE_SETUP_IOPOLL too, the thread also reaps the
 * engine's completions while entries are in flight (it is not idle then)
 * and waits sleep until it posts them, as with io_uring's SQPOLL|IOPOLL.
 * ENTER fails with -EOWNERDEAD once the thread has ended because the
 * process that set the ring up is gone. The module parameter sqpoll_max
 * bounds the threads of all contexts (setup: -EAGAIN when all are taken);
 * SQPOLL needs CAP_SYS_NICE (-EPERM), and only the process that set the
 * context up may map its rings (-EPERM).
 */
#define DMAE_SETUP_SQPOLL	(1U << 2)

/**
 * struct dmae_uring_params - DMAE_IOC_SETUP argument
 * @sq_entries: in: SQ size wanted (1 to 4096, rounded up to a power of
 *	two); out: the size
 * @cq_entries: in: CQ size wanted, 0 for twice the SQ; out: the size
 * @flags: in: DMAE_SETUP_* (DMAE_SETUP_SPREAD: the context's entries are
 *	spread over all of the device's channels, so they may run in any
 *	order unless linked or drained; without it they go to one channel;
 *	DMAE_SETUP_IOPOLL: completions polled for, -EOPNOTSUPP where the
 *	backend cannot be polled)
 * @cpu_threshold: in: copies shorter than this run on the CPU (0: never;
 *	at most 65536; DMAE_CPU_THRESHOLD_AUTO, with DMAE_FEAT_CPU_AUTO:
 *	the device's measured break-even, sysfs `cpu_break_even`); out: the
 *	threshold used
 * @features: out: DMAE_FEAT_*
 * @version: out: DMAE_URING_VERSION
 * @max_len: out: the longest dmae_sqe.len accepted
 * @sq_ring_size: out: bytes to map at DMAE_OFF_SQ_RING
 * @sqes_size: out: bytes to map at DMAE_OFF_SQES
 * @cq_ring_size: out: bytes to map at DMAE_OFF_CQ_RING
 * @ops: in: must be zero; out (DMAE_FEAT_OPS): bit (1U << DMAE_UOP_x)
 *	set for every operation this device runs; the others complete with
 *	-EOPNOTSUPP (an engine behind dmaengine may copy but not compare)
 * @sq_thread_idle: in: with DMAE_SETUP_SQPOLL, ms the SQ thread polls
 *	for entries before it sleeps (0: 1000; at most
 *	DMAE_MAX_SQ_THREAD_IDLE); zero without it; out: the value used
 * @resv: must be zero
 * @sq_off: out: where the SQ ring's fields are
 * @cq_off: out: where the CQ ring's fields are
 */
struct dmae_uring_params {
	__u32	sq_entries;
	__u32	cq_entries;
	__u32	flags;
	__u32	cpu_threshold;
	__u32	features;
	__u32	version;
	__u32	max_len;
	__u32	sq_ring_size;
	__u32	sqes_size;
	__u32	cq_ring_size;
	__u32	ops;
	__u32	sq_thread_idle;
	__u32	resv[2];
	struct dmae_sqring_offsets sq_off;
	struct dmae_cqring_offsets cq_off;
};

/* mmap() offsets of the three regions */
#define DMAE_OFF_SQ_RING	0ULL
#define DMAE_OFF_CQ_RING	0x8000000ULL
#define DMAE_OFF_SQES		0x10000000ULL

/* DMAE_IOC_ENTER flags */
#define DMAE_ENTER_GETEVENTS	(1U << 0)	/* wait for min_complete */
#define DMAE_ENTER_SQ_WAKEUP	(1U << 1)	/* wake the SQ thread (SQPOLL) */

/**
 * struct dmae_enter - DMAE_IOC_ENTER argument
 * @to_submit: in: entries to take from the SQ (at most what is there)
 * @min_complete: in: with DMAE_ENTER_GETEVENTS, wait until the CQ holds
 *	this many entries
 * @flags: in: DMAE_ENTER_*
 * @submitted: out: entries taken from the SQ
 * @timeout_ns: in: longest wait; negative: no limit
 * @resv: must be zero (version 2; DMAE_IOC_ENTER_V1 is the 24 bytes
 *	before it, which version-1 programs pass)
 */
struct dmae_enter {
	__u32	to_submit;
	__u32	min_complete;
	__u32	flags;
	__u32	submitted;
	__s64	timeout_ns;
	__u64	resv;
};

/* DMAE_IOC_REGISTER_BUFFERS flags (dmae_buf_reg.flags) */
#define DMAE_BUF_REG_DESC	(1U << 0)	/* iovs: struct dmae_buf_desc[] */

/**
 * struct dmae_buf_desc - one buffer, the same in 32- and 64-bit processes
 * @addr: its user address
 * @len: its length
 */
struct dmae_buf_desc {
	__u64	addr;
	__u64	len;
};

/**
 * struct dmae_buf_reg - DMAE_IOC_REGISTER_BUFFERS argument
 * @iovs: user pointer to an array of struct dmae_buf_desc with
 *	DMAE_BUF_REG_DESC, else of the process's own struct iovec
 * @nr: entries in it (1 to DMAE_MAX_BUFS)
 * @flags: DMAE_BUF_REG_* (version 1 called it resv and required 0)
 * @resv: the same word, by its version-1 name
 */
struct dmae_buf_reg {
	__u64	iovs;
	__u32	nr;
	union {
		__u32	flags;
		__u32	resv;
	};
};

/* Limits, so that programs need not copy them (docs/uapi.md) */
#define DMAE_MAX_SQ_ENTRIES	4096	/* dmae_uring_params.sq_entries */
#define DMAE_MAX_CQ_ENTRIES	8192	/* dmae_uring_params.cq_entries */
#define DMAE_MAX_CPU_THRESHOLD	65536	/* dmae_uring_params.cpu_threshold */
/* dmae_uring_params.cpu_threshold: the break-even the device measured */
#define DMAE_CPU_THRESHOLD_AUTO	0xffffffffU
#define DMAE_MAX_LEN		(64U << 20)	/* dmae_sqe.len, at most */
#define DMAE_MAX_BUFS		1024	/* DMAE_IOC_REGISTER_BUFFERS */
#define DMAE_MAX_FILES		1024	/* DMAE_IOC_REGISTER_FILES */
#define DMAE_MAX_SQ_THREAD_IDLE	60000	/* dmae_uring_params.sq_thread_idle, ms */

/**
 * struct dmae_files_reg - DMAE_IOC_REGISTER_FILES argument
 * @fds: user pointer to an array of __s32 file descriptors: regular files
 *	(index i is what an entry with DMAE_SQE_FIXED_FILE_* names as i)
 * @nr: entries in it (1 to DMAE_MAX_FILES)
 * @resv: must be zero
 */
struct dmae_files_reg {
	__u64	fds;
	__u32	nr;
	__u32	resv;
};

/**
 * struct dmae_ctx_stats - DMAE_IOC_STATS result
 * @submitted: entries taken from the SQ
 * @completed: completions posted
 * @errors: completions with a negative res
 * @bytes: bytes moved by successful operations
 * @cpu_ops: operations done on the CPU path
 * @overflowed: completions that had to wait for CQ room
 */
struct dmae_ctx_stats {
	__u64	submitted;
	__u64	completed;
	__u64	errors;
	__u64	bytes;
	__u64	cpu_ops;
	__u64	overflowed;
};

/*
 * The same operations from a stock io_uring: IORING_OP_URING_CMD on a file
 * of /dev/dma_engineN, with sqe->cmd_op one of these (encoded with _IOWR,
 * as NVMe's; version 1's raw numbers work too). The operation is a
 * struct dmae_sqe (its user_data is not used; io_uring's is). cqe->res is
 * what dmae_cqe.res would be; with IORING_SETUP_CQE32, big_cqe[0] holds
 * dmae_cqe.result in bits 31:0 and dmae_cqe.flags in bits 63:32.
 */
#define DMAE_UCMD_SQE		_IOWR(DMAE_IOC_MAGIC, 0x80, struct dmae_sqe)	/* in sqe->cmd; SQE128 */
#define DMAE_UCMD_SQE_PTR	_IOWR(DMAE_IOC_MAGIC, 0x81, struct dmae_ucmd_ptr)	/* in sqe->cmd */
/* The same two by their version-1 numbers, still accepted */
#define DMAE_UCMD_SUBMIT	0x01
#define DMAE_UCMD_SUBMIT_PTR	0x02

/**
 * struct dmae_ucmd_ptr - DMAE_UCMD_SUBMIT_PTR payload (16 bytes)
 * @sqe: user pointer to a struct dmae_sqe, read when the command is
 *	issued (which may be after io_uring_submit() returns: keep it valid
 *	until the completion)
 * @resv: must be zero
 */
struct dmae_ucmd_ptr {
	__u64	sqe;
	__u64	resv;
};

#define DMAE_IOC_MAGIC		0xDE
#define DMAE_IOC_SETUP		_IOWR(DMAE_IOC_MAGIC, 0, struct dmae_uring_params)
#define DMAE_IOC_ENTER		_IOWR(DMAE_IOC_MAGIC, 1, struct dmae_enter)
/* version 1's ENTER: struct dmae_enter without resv (24 bytes) */
#define DMAE_IOC_ENTER_V1	_IOC(_IOC_READ | _IOC_WRITE, DMAE_IOC_MAGIC, 1, 24)
#define DMAE_IOC_REGISTER_BUFFERS _IOW(DMAE_IOC_MAGIC, 2, struct dmae_buf_reg)
#define DMAE_IOC_UNREGISTER_BUFFERS _IO(DMAE_IOC_MAGIC, 3)
#define DMAE_IOC_REGISTER_EVENTFD _IOW(DMAE_IOC_MAGIC, 4, __s32)
#define DMAE_IOC_UNREGISTER_EVENTFD _IO(DMAE_IOC_MAGIC, 5)
#define DMAE_IOC_STATS		_IOR(DMAE_IOC_MAGIC, 6, struct dmae_ctx_stats)
#define DMAE_IOC_REGISTER_FILES	_IOW(DMAE_IOC_MAGIC, 7, struct dmae_files_reg)
#define DMAE_IOC_UNREGISTER_FILES _IO(DMAE_IOC_MAGIC, 8)

#endif /* _UAPI_DMAE_URING_H */
