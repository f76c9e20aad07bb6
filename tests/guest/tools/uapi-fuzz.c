// SPDX-License-Identifier: GPL-2.0
/*
 * uapi-fuzz: a random fuzzer of the whole user interface of
 * /dev/dma_engineN, for the guest.
 *
 *   uapi-fuzz [-n OPS] [-s SEED] [-g] [-m MASK] [-T N] [DEVICE]
 *
 * Each operation is drawn at random: open and close files, SETUP with
 * good and bad parameters, mmap of the regions (good and bad offsets and
 * sizes), batches of random SQEs (opcodes, flags, lengths, addresses,
 * reserved fields) published with good and garbage SQ tails, ENTER with
 * random counts, flags and timeouts, CQ reaping with good and garbage
 * heads, REGISTER_BUFFERS with good and bad iovecs, eventfds, URING_CMD
 * through io_uring with random payloads, fork (children that work on the
 * inherited files and are killed or exit), munmap and MADV_DONTNEED of
 * buffers that copies may be using, and copy-on-write of a MAP_PRIVATE
 * page while the engine writes into it.
 *
 * The engine writes where an entry tells it to, so the addresses drawn
 * are kept away from the fuzzer's own memory: plain ones lie in the pool
 * (inside PROT_NONE room that any range running off it meets first), or
 * are unmapped, kernel or garbage addresses; small offsets are only ever
 * used inside registered buffers. -T N checks that of N drawn entries
 * against /proc/self/maps, without a device.
 *
 * What must hold, else exit 1: every verified copy (clean buffers nobody
 * disturbs) has its data; a COPY never reports more bytes than asked; the
 * CQ never holds more entries than it has; the child processes end. The
 * guest suite around it checks the kernel log and the pinned pages.
 * Prints the operation count and what was done.
 *
 * -g: a guard array in .bss, that no operation writes, is checked after
 * every operation (and glibc's _dl_stack_used list head), and written
 * again after each fork while the child lives, so that its pages are
 * copied on write then; the last operations (the children's too) are
 * logged, and printed with exit 3 when the guard changes. -m MASK runs
 * only some kinds of operation, one bit each: open, close, setup, submit,
 * reap, register, eventfd, ucmd, unmap, fork, verified (bit 10).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dmae_uring.h"

#define NCTX		3
#define POOL_SIZE	(8u << 20)
#define CLEAN_SIZE	(1u << 20)
/*
 * The pool lies inside a reservation of PROT_NONE memory that reaches
 * further than any range rnd_addr() draws around it: POOL_BELOW under it
 * (it subtracts less than a length below POOL_SIZE) and POOL_ABOVE over
 * its end (no entry is longer than 64 MiB). A range that runs off the pool
 * meets no other memory of this process (its clean buffers, rings, image,
 * heap): it fails with EFAULT, on the engine or on the CPU path alike.
 */
#define POOL_BELOW	(8u << 20)
#define POOL_ABOVE	(64u << 20)

struct fctx {
	int fd;
	bool setup;
	struct dmae_uring_params p;
	uint8_t *sq, *cq;
	struct dmae_sqe *sqes;
	uint32_t sq_tail;
	bool cq_head_bad;	/* we last wrote a garbage CQ head */
	bool sqpoll;		/* DMAE_SETUP_SQPOLL: a kernel thread takes its SQEs */
	int evfd;
	struct io_uring ur;
	bool ur_ok;
};

static const char *dev = "/dev/dma_engine0";
static struct fctx ctx[NCTX];
static uint8_t *pool, *clean_src, *clean_dst;
static uint64_t rng_state;
/* in a forked child: an SQPOLL context's rings are not mapped here */
static bool is_child;
static unsigned long long n_ops, n_sqes, n_cqes, n_verified, n_forks, n_ucmd;
static unsigned long long n_uring_poll;	/* IORING_SETUP_IOPOLL rings set up */
static unsigned long long n_sqpoll;

/*
 * -g: watch this process's own .bss. A guard array that no operation
 * touches is checked after every operation, and rewritten (same bytes)
 * after each fork while the child lives, so that its pages are copied on
 * write then, as glibc's .bss pages are. The last operations are kept in
 * a log that is printed when the guard changes.
 */
#define GUARD_PAGES	32
#define GUARD_WORDS	(GUARD_PAGES * 4096 / 8)
#define OPLOG		16384
#define OPLOG_LEN	168
static bool guard_on;
static uint64_t guard[GUARD_WORDS] __attribute__((aligned(4096)));
/* shared with the children, so that their operations are in it too */
static char (*oplog)[OPLOG_LEN];
static unsigned long long *oplog_np;
static unsigned op_mask = ~0u;
/* glibc's list of thread stacks (static link): itself while single-threaded */
extern struct { void *next, *prev; } _dl_stack_used;

static uint64_t guard_word(size_t i)
{
	return 0x6a09e667f3bcc908ULL ^ (i * 0x9e3779b97f4a7c15ULL);
}

static void guard_fill(void)
{
	for (size_t i = 0; i < GUARD_WORDS; i++)
		guard[i] = guard_word(i);
}

/* Write every guard page again (the same bytes): copy on write now. */
static void guard_touch(void)
{
	if (!guard_on)
		return;
	for (size_t i = 0; i < GUARD_WORDS; i += 512)
		__atomic_store_n(&guard[i], guard_word(i), __ATOMIC_RELAXED);
}

static void oplogf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void oplogf(const char *fmt, ...)
{
	va_list ap;
	char *l;

	if (!guard_on)
		return;
	l = oplog[__atomic_fetch_add(oplog_np, 1, __ATOMIC_RELAXED) % OPLOG];
	l += snprintf(l, 8, "%d ", getpid() % 100000);
	va_start(ap, fmt);
	vsnprintf(l, OPLOG_LEN - 8, fmt, ap);
	va_end(ap);
}

static void guard_check(const char *after)
{
	size_t i, bad = 0, first = 0;
	unsigned long long k;

	if (!guard_on)
		return;
	for (i = 0; i < GUARD_WORDS; i++) {
		if (guard[i] == guard_word(i))
			continue;
		if (!bad++)
			first = i;
	}
	if (!bad && _dl_stack_used.next == (void *)&_dl_stack_used)
		return;
	{
		unsigned long long n = *oplog_np, from = n > OPLOG ? n - OPLOG : 0;
		uint64_t vals[4];
		size_t nv = 0, last = first;
		FILE *f;

		for (i = first; bad && i < GUARD_WORDS; i++) {
			size_t v;

			if (guard[i] == guard_word(i))
				continue;
			last = i;
			for (v = 0; v < nv && vals[v] != guard[i]; v++)
				;
			if (v == nv && nv < 4)
				vals[nv++] = guard[i];
		}
		fprintf(stderr, "uapi-fuzz[%d]: .bss CHANGED after op %llu (%s): %zu guard words, %p..%p; dl_stack_used %p/%p (self %p)\n",
			getpid(), n_ops, after, bad,
			bad ? (void *)&guard[first] : NULL,
			bad ? (void *)&guard[last] : NULL, _dl_stack_used.next,
			_dl_stack_used.prev, (void *)&_dl_stack_used);
		for (i = 0; i < nv; i++) {
			char hex[24];

			fprintf(stderr, "  value %#llx; entries that name it:\n",
				(unsigned long long)vals[i]);
			snprintf(hex, sizeof(hex), "%#llx", (unsigned long long)vals[i]);
			for (k = from; k < n; k++)
				if (strstr(oplog[k % OPLOG], hex))
					fprintf(stderr, "  [%llu] %s\n", k,
						oplog[k % OPLOG]);
		}
		for (k = n > 40 ? n - 40 : 0; k < n; k++)
			fprintf(stderr, "  [%llu] %s\n", k, oplog[k % OPLOG]);
		fprintf(stderr, "uapi-fuzz: oplog in /tmp/uapi-fuzz.oplog\n");
		f = fopen("/tmp/uapi-fuzz.oplog", "w");
		for (k = from; f && k < n; k++)
			fprintf(f, "[%llu] %s\n", k, oplog[k % OPLOG]);
		if (f)
			fclose(f);
	}
	fflush(stderr);
	_exit(3);
}

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static void fail(const char *what)
{
	fprintf(stderr, "uapi-fuzz: FAILED after %llu operations: %s\n",
		n_ops, what);
	exit(1);
}

/* A length: mostly small, sometimes large, now and then nonsense. */
static uint32_t rnd_len(void)
{
	switch (rnd_below(8)) {
	case 0:
		return 0;
	case 1:
		return rnd();
	case 2:
		return 1 + rnd_below(1u << 20);
	default:
		return 1 + rnd_below(65536);
	}
}

/* An address: in the pool mostly, else unmapped, kernel or garbage. */
static uint64_t rnd_addr(uint32_t len)
{
	switch (rnd_below(10)) {
	case 0:
		return rnd();
	case 1:
		return 0xffff888000000000ULL + rnd_below(1u << 30);
	case 2:
		return 0;
	default:
		return (uintptr_t)pool + rnd_below(POOL_SIZE) -
		       (len < POOL_SIZE ? rnd_below(len) : 0);
	}
}

static void ctx_unmap(struct fctx *c)
{
	if (c->sq)
		munmap(c->sq, c->p.sq_ring_size);
	if (c->sqes)
		munmap(c->sqes, c->p.sqes_size);
	if (c->cq)
		munmap(c->cq, c->p.cq_ring_size);
	c->sq = c->cq = NULL;
	c->sqes = NULL;
}

static void ctx_close(struct fctx *c)
{
	if (c->fd < 0)
		return;
	ctx_unmap(c);
	if (c->ur_ok)
		io_uring_queue_exit(&c->ur);
	if (c->evfd >= 0)
		close(c->evfd);
	close(c->fd);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->evfd = -1;
}

static void op_open(struct fctx *c)
{
	if (c->fd >= 0)
		ctx_close(c);
	c->fd = open(dev, O_RDWR);
	c->evfd = -1;
	oplogf("open ctx %d: fd %d", (int)(c - ctx), c->fd);
}

static void *map_region(struct fctx *c, uint64_t off, size_t len)
{
	void *p;

	/* Now and then a bad size or offset, which must be refused. */
	if (!rnd_below(16)) {
		p = mmap(NULL, len + 4096 * (1 + rnd_below(4)),
			 PROT_READ | PROT_WRITE, MAP_SHARED, c->fd,
			 rnd_below(2) ? off : off + 4096);
		if (p != MAP_FAILED)
			munmap(p, len + 4096);
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, off);
	return p == MAP_FAILED ? NULL : p;
}

static void op_setup(struct fctx *c)
{
	struct dmae_uring_params p = { 0 };

	if (c->fd < 0 || c->setup)
		return;
	p.sq_entries = rnd_below(8) ? 1 + rnd_below(64) : rnd();
	p.cq_entries = rnd_below(4) ? 0 : rnd_below(512);
	p.cpu_threshold = rnd_below(4) ? 0 : rnd_below(8) ? rnd_below(70000) :
			  DMAE_CPU_THRESHOLD_AUTO - rnd_below(2);
	if (!rnd_below(16))
		p.flags = rnd();
	/* now and then a context whose SQ a kernel thread takes */
	if (!rnd_below(8)) {
		p.flags = DMAE_SETUP_SQPOLL | rnd_below(4);	/* SPREAD, IOPOLL */
		p.sq_thread_idle = rnd_below(50);
	}
	if (!rnd_below(16)) {
		/* the four in-zero words: ops, sq_thread_idle, resv[] */
		unsigned int w = rnd_below(4);

		if (w > 1)
			p.resv[w - 2] = rnd();
		else if (w)
			p.sq_thread_idle = rnd_below(2) ? rnd_below(100) : rnd();
		else
			p.ops = rnd();
	}
	if (ioctl(c->fd, DMAE_IOC_SETUP, &p)) {
		oplogf("setup ctx %d fd %d: failed, errno %d", (int)(c - ctx),
		       c->fd, errno);
		return;
	}
	oplogf("setup ctx %d fd %d: sq %u cq %u cpu %u flags %#x", (int)(c - ctx),
	       c->fd, p.sq_entries, p.cq_entries, p.cpu_threshold, p.flags);
	c->p = p;
	c->sqpoll = p.flags & DMAE_SETUP_SQPOLL;
	n_sqpoll += c->sqpoll;
	c->setup = true;
	c->sq = map_region(c, DMAE_OFF_SQ_RING, p.sq_ring_size);
	c->sqes = map_region(c, DMAE_OFF_SQES, p.sqes_size);
	c->cq = map_region(c, DMAE_OFF_CQ_RING, p.cq_ring_size);
	c->sq_tail = 0;
	if (!c->sq || !c->sqes || !c->cq)
		ctx_unmap(c);
}

static bool ctx_ready(struct fctx *c)
{
	if (c->sqpoll && is_child)
		return false;
	return c->fd >= 0 && c->setup && c->sq && c->sqes && c->cq;
}

static uint32_t *ring_u32(uint8_t *ring, uint32_t off)
{
	return (uint32_t *)(ring + off);
}

/*
 * Files a FILE_READ may name: a tmpfs file (and one open only for
 * writing), a directory, a pipe, /dev/zero; set up by files_open().
 */
static int fuzz_fds[8];
static unsigned n_fuzz_fds;

static void files_open(void)
{
	static char data[(1 << 20) + 1];
	int p[2], fd;

	fd = open("/tmp/uapi-fuzz.file", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		memset(data, 0x5a, sizeof(data));
		if (write(fd, data, sizeof(data)) != (ssize_t)sizeof(data))
			perror("uapi-fuzz: write");
		fuzz_fds[n_fuzz_fds++] = fd;
	}
	fd = open("/tmp/uapi-fuzz.file", O_WRONLY);
	if (fd >= 0)
		fuzz_fds[n_fuzz_fds++] = fd;
	fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	if (fd >= 0)
		fuzz_fds[n_fuzz_fds++] = fd;
	if (pipe(p) == 0)
		fuzz_fds[n_fuzz_fds++] = p[0];
	fd = open("/dev/zero", O_RDONLY);
	if (fd >= 0)
		fuzz_fds[n_fuzz_fds++] = fd;
}

/* One side of a file operation: a fuzz file, a registered index, or garbage */
static void rnd_file_side(struct dmae_sqe *s, __s32 *fd, __u64 *off,
			  uint8_t fixed)
{
	*fd = n_fuzz_fds && rnd_below(8) ? fuzz_fds[rnd_below(n_fuzz_fds)] :
					    (int32_t)rnd();
	if (!rnd_below(4)) {
		s->flags |= fixed;
		*fd = rnd_below(6);
	}
	*off = rnd_below(4) ? rnd_below(2u << 20) : rnd();
}

static void rnd_sqe(struct dmae_sqe *s)
{
	memset(s, 0, sizeof(*s));
	s->opcode = rnd_below(8) ? 1 + rnd_below(DMAE_UOP_LAST) : rnd_below(256);
	s->len = rnd_len();
	if (!rnd_below(4))
		s->flags = rnd_below(8) ? rnd_below(8) : rnd();
	s->src = rnd_addr(s->len);
	s->dst = rnd_addr(s->len);
	/*
	 * An offset into a registered buffer only where the flag says so: a
	 * plain side with a small offset in it is a user address below 8 MiB,
	 * where this static program's own .data and .bss are (and maybe its
	 * heap), and the engine writes there as told.
	 */
	if (s->flags & DMAE_SQE_FIXED_SRC) {
		s->src_buf = rnd_below(4);
		s->src = rnd_below(POOL_SIZE);
	}
	if (s->flags & DMAE_SQE_FIXED_DST) {
		s->dst_buf = rnd_below(4);
		s->dst = rnd_below(POOL_SIZE);
	}
	s->pattern = rnd();
	s->user_data = rnd();
	if (!rnd_below(32))
		s->resv1 = rnd();
	if (s->opcode == DMAE_UOP_NOP && rnd_below(2))
		s->len = 0;
	/* the file operations: a file (or an index) and an offset per side */
	if (s->opcode == DMAE_UOP_FILE_READ || s->opcode == DMAE_UOP_FILE_COPY)
		rnd_file_side(s, &s->src_fd, &s->src, DMAE_SQE_FIXED_FILE_SRC);
	else if (!rnd_below(64))
		s->src_fd = rnd();
	if (s->opcode == DMAE_UOP_FILE_WRITE || s->opcode == DMAE_UOP_FILE_COPY)
		rnd_file_side(s, &s->dst_fd, &s->dst, DMAE_SQE_FIXED_FILE_DST);
	else if (!rnd_below(64))
		s->dst_fd = rnd();
	oplogf("  sqe op %u fl %#x len %u src %#llx(%u) dst %#llx(%u) pat %#llx ud %#llx",
	       s->opcode, s->flags, s->len, (unsigned long long)s->src,
	       s->src_buf, (unsigned long long)s->dst, s->dst_buf,
	       (unsigned long long)s->pattern, (unsigned long long)s->user_data);
}

/* Check and consume the CQ; a garbage head now and then. */
static void op_reap(struct fctx *c)
{
	uint32_t head, tail, mask, n;

	if (!ctx_ready(c))
		return;
	mask = *ring_u32(c->cq, c->p.cq_off.ring_mask);
	head = *ring_u32(c->cq, c->p.cq_off.head);
	tail = __atomic_load_n(ring_u32(c->cq, c->p.cq_off.tail),
			       __ATOMIC_ACQUIRE);
	n = tail - head;
	if (c->cq_head_bad) {
		/* start again from the tail */
		head = tail;
		c->cq_head_bad = false;
	} else if (n > c->p.cq_entries) {
		fail("CQ holds more entries than it has");
	}
	for (; head != tail; head++) {
		struct dmae_cqe *e = (struct dmae_cqe *)
			(c->cq + c->p.cq_off.cqes) + (head & mask);

		if (e->res > (1 << 26))
			fail("a completion reports more bytes than any entry may ask");
		n_cqes++;
	}
	if (!rnd_below(64)) {
		head = rnd();
		c->cq_head_bad = true;
	}
	__atomic_store_n(ring_u32(c->cq, c->p.cq_off.head), head,
			 __ATOMIC_RELEASE);
}

static void op_submit(struct fctx *c)
{
	struct dmae_enter e = { 0 };
	uint32_t i, n, mask, tail;
	int ret;

	if (!ctx_ready(c))
		return;
	c->sq_tail = *ring_u32(c->sq, c->p.sq_off.head);
	mask = *ring_u32(c->sq, c->p.sq_off.ring_mask);
	n = 1 + rnd_below(c->p.sq_entries);
	for (i = 0; i < n; i++)
		rnd_sqe(&c->sqes[(c->sq_tail + i) & mask]);
	n_sqes += n;
	c->sq_tail += n;
	tail = rnd_below(32) ? c->sq_tail : (uint32_t)rnd();
	__atomic_store_n(ring_u32(c->sq, c->p.sq_off.tail), tail,
			 __ATOMIC_RELEASE);
	e.to_submit = rnd_below(8) ? n : rnd();
	e.flags = rnd_below(2) ? DMAE_ENTER_GETEVENTS : 0;
	if (!rnd_below(32))
		e.flags = rnd();
	e.min_complete = rnd_below(4);
	e.timeout_ns = 1000000 + rnd_below(5000000);
	ret = ioctl(c->fd, DMAE_IOC_ENTER, &e);
	oplogf("submit ctx %d: n %u tail %#x to_submit %u fl %#x -> %d errno %d submitted %u",
	       (int)(c - ctx), n, tail, e.to_submit, e.flags, ret,
	       ret ? errno : 0, e.submitted);
	/* What the kernel took is the truth from here on. */
	c->sq_tail = *ring_u32(c->sq, c->p.sq_off.head);
	__atomic_store_n(ring_u32(c->sq, c->p.sq_off.tail), c->sq_tail,
			 __ATOMIC_RELEASE);
}

static void op_register(struct fctx *c)
{
	struct iovec iov[4];
	struct dmae_buf_reg r = { .iovs = (uintptr_t)iov };
	unsigned i;

	if (c->fd < 0)
		return;
	if (rnd_below(4) == 0) {
		/* registered files: some of the fuzz files, or garbage */
		struct dmae_files_reg fr = { .nr = rnd_below(8) ? 1 + rnd_below(4) : rnd() };
		int32_t fds[4];

		for (i = 0; i < 4; i++)
			fds[i] = n_fuzz_fds && rnd_below(8) ?
				 fuzz_fds[rnd_below(n_fuzz_fds)] : (int32_t)rnd();
		fr.fds = rnd_below(16) ? (uintptr_t)fds : rnd();
		if (!rnd_below(16))
			fr.resv = rnd();
		if (rnd_below(2))
			i = ioctl(c->fd, DMAE_IOC_UNREGISTER_FILES);
		else
			i = ioctl(c->fd, DMAE_IOC_REGISTER_FILES, &fr);
		oplogf("files ctx %d: nr %u -> %d", (int)(c - ctx), fr.nr, (int)i);
		return;
	}
	if (rnd_below(3) == 0) {
		i = ioctl(c->fd, DMAE_IOC_UNREGISTER_BUFFERS);
		oplogf("unregister ctx %d -> %d", (int)(c - ctx), (int)i);
		return;
	}
	r.nr = rnd_below(8) ? 1 + rnd_below(4) : rnd();
	for (i = 0; i < 4; i++) {
		iov[i].iov_len = rnd_below(8) ? 1 + rnd_below(POOL_SIZE / 4) : rnd();
		iov[i].iov_base = (void *)(uintptr_t)(rnd_below(8) ?
			(uintptr_t)pool + rnd_below(POOL_SIZE / 2) : rnd());
	}
	if (!rnd_below(16))
		r.resv = rnd();
	i = ioctl(c->fd, DMAE_IOC_REGISTER_BUFFERS, &r);
	oplogf("register ctx %d: nr %u [%p+%#zx %p+%#zx %p+%#zx %p+%#zx] -> %d",
	       (int)(c - ctx), r.nr, iov[0].iov_base, iov[0].iov_len,
	       iov[1].iov_base, iov[1].iov_len, iov[2].iov_base,
	       iov[2].iov_len, iov[3].iov_base, iov[3].iov_len, (int)i);
}

static void op_eventfd(struct fctx *c)
{
	int32_t fd;

	if (c->fd < 0)
		return;
	if (c->evfd >= 0 && rnd_below(2)) {
		ioctl(c->fd, DMAE_IOC_UNREGISTER_EVENTFD);
		close(c->evfd);
		c->evfd = -1;
		return;
	}
	if (c->evfd < 0)
		c->evfd = eventfd(0, EFD_NONBLOCK);
	fd = rnd_below(8) ? c->evfd : (int32_t)rnd();
	ioctl(c->fd, DMAE_IOC_REGISTER_EVENTFD, &fd);
}

static void op_ucmd(struct fctx *c)
{
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct __kernel_timespec ts = { .tv_nsec = 20000000 };
	struct dmae_sqe op;
	unsigned i, n;

	if (c->fd < 0)
		return;
	if (!c->ur_ok) {
		/* now and then a polled io_uring (->uring_cmd_iopoll) */
		unsigned int poll = rnd_below(3) ? 0 : IORING_SETUP_IOPOLL;

		c->ur_ok = !io_uring_queue_init(8, &c->ur, IORING_SETUP_SQE128 |
						IORING_SETUP_CQE32 | poll);
		if (!c->ur_ok)
			return;
		n_uring_poll += !!poll;
		oplogf("  io_uring ctx %d%s", (int)(c - ctx),
		       poll ? " IOPOLL" : "");
	}
	n = 1 + rnd_below(4);
	for (i = 0; i < n; i++) {
		unsigned char *cmd;

		sqe = io_uring_get_sqe(&c->ur);
		if (!sqe)
			break;
		io_uring_prep_rw(IORING_OP_URING_CMD, sqe, c->fd, NULL, 0, 0);
		sqe->cmd_op = rnd_below(8) ? (rnd_below(2) ? DMAE_UCMD_SUBMIT : DMAE_UCMD_SQE) :
			      rnd_below(2) ? rnd_below(8) : DMAE_UCMD_SQE_PTR;
		rnd_sqe(&op);
		cmd = (unsigned char *)sqe + offsetof(struct io_uring_sqe, cmd);
		memcpy(cmd, &op, sizeof(op));
		if (sqe->cmd_op == DMAE_UCMD_SUBMIT_PTR || sqe->cmd_op == DMAE_UCMD_SQE_PTR) {
			struct dmae_ucmd_ptr p = {
				.sqe = rnd_below(2) ? rnd() : (uintptr_t)pool,
			};

			memcpy(cmd, &p, sizeof(p));
		}
		oplogf("  ucmd ctx %d fd %d cmd_op %u", (int)(c - ctx), c->fd,
		       sqe->cmd_op);
		n_ucmd++;
	}
	io_uring_submit(&c->ur);
	/* Reap what is there; the rest comes later or at exit. */
	while (!io_uring_wait_cqe_timeout(&c->ur, &cqe, &ts)) {
		if (cqe->res > (1 << 26))
			fail("a URING_CMD completion reports more bytes than asked");
		io_uring_cqe_seen(&c->ur, cqe);
		n_cqes++;
	}
}

/* Pages that copies may be using go away, or are replaced. */
static void op_unmap_pool(void)
{
	size_t off = rnd_below(POOL_SIZE / 4096) * 4096;
	size_t len = (1 + rnd_below(64)) * 4096;
	bool dontneed;

	if (off + len > POOL_SIZE)
		len = POOL_SIZE - off;
	dontneed = rnd_below(2);
	oplogf("unmap_pool %p+%#zx %s", (void *)(pool + off), len,
	       dontneed ? "dontneed" : "munmap");
	if (dontneed) {
		madvise(pool + off, len, MADV_DONTNEED);
	} else {
		munmap(pool + off, len);
		mmap(pool + off, len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	}
}

static void run_ops(unsigned long long n, bool child);

/* A child works on the inherited files; killed or it exits. */
static void op_fork(void)
{
	pid_t pid;
	int st;

	n_forks++;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		is_child = true;
		rng_state ^= getpid();
		oplogf("child %d starts", getpid());
		run_ops(20 + rnd_below(40), true);
		_exit(0);
	}
	oplogf("fork: child %d", pid);
	guard_touch();
	if (rnd_below(2)) {
		usleep(rnd_below(2000));
		kill(pid, SIGKILL);
	}
	if (waitpid(pid, &st, 0) != pid)
		fail("a child did not end");
	/* The child shared the rings: its CQ heads may be garbage too. */
	for (int i = 0; i < NCTX; i++)
		ctx[i].cq_head_bad = true;
}

/* One copy between clean buffers, waited for and checked. */
static void op_verified(struct fctx *c)
{
	uint32_t len = 1 + rnd_below(CLEAN_SIZE / 2);
	uint32_t so = rnd_below(CLEAN_SIZE - len), doff = rnd_below(CLEAN_SIZE - len);
	struct dmae_enter e = { .to_submit = 1 };
	unsigned waits = 0;
	uint32_t mask, head, tail, i;
	struct dmae_sqe *s;
	bool cow = rnd_below(4) == 0;
	static uint32_t verify_seq;
	uint64_t tag;

	/* An SQPOLL context's ENTER takes nothing: no copy to wait for. */
	if (!ctx_ready(c) || c->sqpoll)
		return;
	/* the CQ must have room: drain it first */
	op_reap(c);
	head = *ring_u32(c->cq, c->p.cq_off.head);
	tail = *ring_u32(c->cq, c->p.cq_off.tail);
	if (tail != head || *ring_u32(c->cq, c->p.cq_off.overflow))
		return;
	for (i = 0; i < len; i++)
		clean_src[so + i] = rnd();
	memset(clean_dst + doff, 0, len);
	/* A child may have used the shared SQ: start from the kernel's head. */
	c->sq_tail = *ring_u32(c->sq, c->p.sq_off.head);
	mask = *ring_u32(c->sq, c->p.sq_off.ring_mask);
	s = &c->sqes[c->sq_tail & mask];
	memset(s, 0, sizeof(*s));
	s->opcode = DMAE_UOP_COPY;
	s->len = len;
	s->src = (uintptr_t)clean_src + so;
	s->dst = (uintptr_t)clean_dst + doff;
	/* The rings may be shared with forked children: whose copy is it? */
	tag = (uint64_t)getpid() << 32 | ++verify_seq;
	s->user_data = tag;
	c->sq_tail++;
	__atomic_store_n(ring_u32(c->sq, c->p.sq_off.tail), c->sq_tail,
			 __ATOMIC_RELEASE);
	/* Submit it alone; only an entry the kernel took is waited for. */
	oplogf("verified ctx %d: %p -> %p len %#x cow %d tag %#llx",
	       (int)(c - ctx), (void *)s->src, (void *)s->dst, len, cow,
	       (unsigned long long)tag);
	if (ioctl(c->fd, DMAE_IOC_ENTER, &e) || e.submitted != 1)
		goto out;
	if (cow) {
		/*
		 * Fork while the engine may write into the MAP_PRIVATE
		 * destination, and let the child write it too: the parent's
		 * copy must still get the data, the child's must not matter.
		 */
		pid_t pid = fork();

		if (!pid) {
			memset(clean_dst + doff, 0xee, len);
			_exit(0);
		}
		guard_touch();
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	/* Wait for this copy's own completion, consuming the others. */
	for (;;) {
		bool found = false;

		head = *ring_u32(c->cq, c->p.cq_off.head);
		tail = __atomic_load_n(ring_u32(c->cq, c->p.cq_off.tail),
				       __ATOMIC_ACQUIRE);
		for (; head != tail; head++) {
			struct dmae_cqe *q = (struct dmae_cqe *)
				(c->cq + c->p.cq_off.cqes) + (head & (c->p.cq_entries - 1));

			n_cqes++;
			if (q->user_data != tag)
				continue;
			found = true;
			if (q->res == (int32_t)len) {
				if (memcmp(clean_src + so, clean_dst + doff, len))
					fail("a copy reported done whose data is not there");
				n_verified++;
			} else if (q->res >= 0) {
				fail("a copy between clean buffers came back short");
			}
		}
		__atomic_store_n(ring_u32(c->cq, c->p.cq_off.head), tail,
				 __ATOMIC_RELEASE);
		if (found)
			break;
		/* A minute at most: the engine's watchdog fails a stuck copy in 5 s. */
		if (++waits > 600)
			fail("a copy the kernel took never completed");
		e = (struct dmae_enter){ .flags = DMAE_ENTER_GETEVENTS,
					 .min_complete = 1, .timeout_ns = 100000000 };
		if (ioctl(c->fd, DMAE_IOC_ENTER, &e) && errno != EINTR &&
		    errno != ETIME)
			fail("waiting for a verified copy failed");
	}
out:
	c->sq_tail = *ring_u32(c->sq, c->p.sq_off.head);
	__atomic_store_n(ring_u32(c->sq, c->p.sq_off.tail), c->sq_tail,
			 __ATOMIC_RELEASE);
}

/*
 * -T N: check the generator instead of fuzzing. Draws N entries as
 * op_submit() and op_ucmd() do and fails if a plain (not registered)
 * address of one starts in memory of this process other than the pool:
 * a range that starts there may be written by the engine (or the CPU
 * path), as it asks. Needs no device.
 */
static int self_test(unsigned long long n)
{
	struct { uintptr_t lo, hi; char what[64]; } map[64];
	unsigned long long i, in_pool = 0, unmapped = 0, bad = 0;
	unsigned int nmap = 0, m = 0;
	char line[256];
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return 2;
	while (nmap < 64 && fgets(line, sizeof(line), f)) {
		char perm[8] = "";

		if (sscanf(line, "%lx-%lx %7s", &map[nmap].lo, &map[nmap].hi,
			   perm) != 3 || !strcmp(perm, "---p"))
			continue;	/* PROT_NONE faults */
		if (map[nmap].lo == (uintptr_t)pool)
			continue;	/* the pool itself */
		line[strcspn(line, "\n")] = 0;
		memcpy(map[nmap].what, line, sizeof(map[0].what) - 1);
		map[nmap].what[sizeof(map[0].what) - 1] = 0;
		nmap++;
	}
	fclose(f);
	for (i = 0; i < n; i++) {
		struct dmae_sqe sqe;
		uint64_t side[2];
		int k;

		rnd_sqe(&sqe);
		side[0] = sqe.flags & DMAE_SQE_FIXED_SRC ? 0 : sqe.src;
		side[1] = sqe.flags & DMAE_SQE_FIXED_DST ? 0 : sqe.dst;
		/* offsets in files, not addresses */
		if (sqe.opcode == DMAE_UOP_FILE_READ || sqe.opcode == DMAE_UOP_FILE_COPY)
			side[0] = 0;
		if (sqe.opcode == DMAE_UOP_FILE_WRITE || sqe.opcode == DMAE_UOP_FILE_COPY)
			side[1] = 0;
		for (k = 0; k < 2; k++) {
			uint64_t a = side[k];

			m = nmap;
			if (a >= (uintptr_t)pool && a < (uintptr_t)pool + POOL_SIZE) {
				in_pool++;
				if (sqe.len <= (64u << 20) &&
				    a + sqe.len > (uintptr_t)pool + POOL_SIZE + POOL_ABOVE)
					goto bad;
				continue;
			}
			for (m = 0; m < nmap; m++)
				if (a >= map[m].lo && a < map[m].hi)
					goto bad;
			unmapped++;
			continue;
bad:
			if (bad++ < 10)
				fprintf(stderr, "uapi-fuzz: self-test: entry %llu (op %u flags %#x len %u): %s %#llx is in %s\n",
					i, sqe.opcode, sqe.flags, sqe.len,
					k ? "dst" : "src", (unsigned long long)a,
					m < nmap ? map[m].what : "the pool, running past its room");
		}
	}
	printf("uapi-fuzz: self-test: %llu entries, plain addresses: %llu in the pool, %llu unmapped or not user memory, %llu elsewhere in this process\n",
	       n, in_pool, unmapped, bad);
	return bad ? 1 : 0;
}

static void run_ops(unsigned long long n, bool child)
{
	unsigned long long i;

	for (i = 0; i < n; i++) {
		struct fctx *c = &ctx[rnd_below(NCTX)];
		unsigned w = rnd_below(100), k;

		n_ops++;
		oplogf("#%llu %s w %u ctx %d", n_ops, child ? "child" : "parent",
		       w, (int)(c - ctx));
		k = w < 4 ? 0 : w < 7 ? 1 : w < 14 ? 2 : w < 45 ? 3 : w < 60 ? 4 :
		    w < 66 ? 5 : w < 69 ? 6 : w < 77 ? 7 : w < 81 ? 8 :
		    w < 83 && !child ? 9 : 10;
		if (!(op_mask >> k & 1))
			continue;	/* -m: that kind is off */
		switch (k) {
		case 0: op_open(c); break;
		case 1: ctx_close(c); break;
		case 2: op_setup(c); break;
		case 3: op_submit(c); break;
		case 4: op_reap(c); break;
		case 5: op_register(c); break;
		case 6: op_eventfd(c); break;
		case 7: op_ucmd(c); break;
		case 8: op_unmap_pool(); break;
		case 9: op_fork(); break;
		default: op_verified(c); break;
		}
		guard_check(child ? "child" : "parent");
		if (!child && n >= 20 && !((i + 1) % (n / 10)))
			printf("uapi-fuzz: %llu of %llu operations\n", i + 1, n);
	}
}

int main(int argc, char **argv)
{
	unsigned long long n = 10000, seed = 1, test = 0;
	int o, i;

	while ((o = getopt(argc, argv, "n:s:gm:T:h")) != -1) {
		switch (o) {
		case 'T':
			test = strtoull(optarg, NULL, 0);
			break;
		case 'g':
			guard_on = true;
			break;
		case 'm':
			op_mask = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			n = strtoull(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		default:
			printf("usage: uapi-fuzz [-n OPS] [-s SEED] [-g] [-m MASK] [-T N] [DEVICE]\n"
			       "Random operations on every part of the ring and\n"
			       "URING_CMD interface; exit 1 on a broken invariant.\n"
			       "-g: check a guard in .bss after every operation (exit 3)\n"
			       "-m: operation kinds to run, a bit each: open close setup\n"
			       "    submit reap register eventfd ucmd unmap fork verified\n"
			       "-T N: draw N entries and check their addresses (no device)\n");
			return o == 'h' ? 0 : 2;
		}
	}
	if (optind < argc)
		dev = argv[optind];
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	pool = mmap(NULL, POOL_BELOW + POOL_SIZE + POOL_ABOVE, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (pool == MAP_FAILED)
		return 1;
	pool = mmap(pool + POOL_BELOW, POOL_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	clean_src = mmap(NULL, 2 * CLEAN_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool == MAP_FAILED || clean_src == MAP_FAILED)
		return 1;
	clean_dst = clean_src + CLEAN_SIZE;
	if (test)
		return self_test(test);
	for (i = 0; i < NCTX; i++) {
		ctx[i].fd = -1;
		ctx[i].evfd = -1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (guard_on) {
		oplog = mmap(NULL, OPLOG * OPLOG_LEN + 4096, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (oplog == MAP_FAILED)
			return 1;
		oplog_np = (void *)((char *)oplog + OPLOG * OPLOG_LEN);
	}
	if (guard_on)
		guard_fill();
	files_open();
	guard_check("start");
	run_ops(n, false);
	for (i = 0; i < NCTX; i++)
		ctx_close(&ctx[i]);
	printf("uapi-fuzz: %llu operations (seed %llu): %llu SQEs, %llu URING_CMDs, %llu completions, %llu verified copies, %llu forks, %llu SQPOLL contexts, %llu polled io_urings; no broken invariant\n",
	       n_ops, seed, n_sqes, n_ucmd, n_cqes, n_verified, n_forks, n_sqpoll,
	       n_uring_poll);
	return 0;
}
