// SPDX-License-Identifier: GPL-2.0
/*
 * uapi-fuzz: a random fuzzer of the whole user interface of
 * /dev/dma_engineN, for the guest.
 *
 *   uapi-fuzz [-n OPS] [-s SEED] [DEVICE]
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
 * What must hold, else exit 1: every verified copy (clean buffers nobody
 * disturbs) has its data; a COPY never reports more bytes than asked; the
 * CQ never holds more entries than it has; the child processes end. The
 * guest suite around it checks the kernel log and the pinned pages.
 * Prints the operation count and what was done.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <signal.h>
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

struct fctx {
	int fd;
	bool setup;
	struct dmae_uring_params p;
	uint8_t *sq, *cq;
	struct dmae_sqe *sqes;
	uint32_t sq_tail;
	bool cq_head_bad;	/* we last wrote a garbage CQ head */
	int evfd;
	struct io_uring ur;
	bool ur_ok;
};

static const char *dev = "/dev/dma_engine0";
static struct fctx ctx[NCTX];
static uint8_t *pool, *clean_src, *clean_dst;
static uint64_t rng_state;
static unsigned long long n_ops, n_sqes, n_cqes, n_verified, n_forks, n_ucmd;

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
	p.cpu_threshold = rnd_below(4) ? 0 : rnd_below(70000);
	if (!rnd_below(16))
		p.flags = rnd();
	if (!rnd_below(16))
		p.resv[rnd_below(4)] = rnd();
	if (ioctl(c->fd, DMAE_IOC_SETUP, &p))
		return;
	c->p = p;
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
	return c->fd >= 0 && c->setup && c->sq && c->sqes && c->cq;
}

static uint32_t *ring_u32(uint8_t *ring, uint32_t off)
{
	return (uint32_t *)(ring + off);
}

static void rnd_sqe(struct dmae_sqe *s)
{
	memset(s, 0, sizeof(*s));
	s->opcode = rnd_below(8) ? 1 + rnd_below(4) : rnd_below(256);
	s->len = rnd_len();
	if (!rnd_below(4))
		s->flags = rnd_below(8) ? rnd_below(8) : rnd();
	s->src = rnd_addr(s->len);
	s->dst = rnd_addr(s->len);
	if (s->flags & (DMAE_SQE_FIXED_SRC | DMAE_SQE_FIXED_DST)) {
		s->src_buf = rnd_below(4);
		s->dst_buf = rnd_below(4);
		s->src = rnd_below(POOL_SIZE);
		s->dst = rnd_below(POOL_SIZE);
	}
	s->pattern = rnd();
	s->user_data = rnd();
	if (!rnd_below(32))
		s->resv1 = rnd();
	if (s->opcode == DMAE_UOP_NOP && rnd_below(2))
		s->len = 0;
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
	ioctl(c->fd, DMAE_IOC_ENTER, &e);
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
	if (rnd_below(3) == 0) {
		ioctl(c->fd, DMAE_IOC_UNREGISTER_BUFFERS);
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
	ioctl(c->fd, DMAE_IOC_REGISTER_BUFFERS, &r);
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
		c->ur_ok = !io_uring_queue_init(8, &c->ur, IORING_SETUP_SQE128 |
						IORING_SETUP_CQE32);
		if (!c->ur_ok)
			return;
	}
	n = 1 + rnd_below(4);
	for (i = 0; i < n; i++) {
		unsigned char *cmd;

		sqe = io_uring_get_sqe(&c->ur);
		if (!sqe)
			break;
		io_uring_prep_rw(IORING_OP_URING_CMD, sqe, c->fd, NULL, 0, 0);
		sqe->cmd_op = rnd_below(8) ? DMAE_UCMD_SUBMIT : rnd_below(8);
		rnd_sqe(&op);
		cmd = (unsigned char *)sqe + offsetof(struct io_uring_sqe, cmd);
		memcpy(cmd, &op, sizeof(op));
		if (sqe->cmd_op == DMAE_UCMD_SUBMIT_PTR) {
			struct dmae_ucmd_ptr p = {
				.sqe = rnd_below(2) ? rnd() : (uintptr_t)pool,
			};

			memcpy(cmd, &p, sizeof(p));
		}
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

	if (off + len > POOL_SIZE)
		len = POOL_SIZE - off;
	if (rnd_below(2)) {
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
		rng_state ^= getpid();
		run_ops(20 + rnd_below(40), true);
		_exit(0);
	}
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

	if (!ctx_ready(c))
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

static void run_ops(unsigned long long n, bool child)
{
	unsigned long long i;

	for (i = 0; i < n; i++) {
		struct fctx *c = &ctx[rnd_below(NCTX)];
		unsigned w = rnd_below(100);

		n_ops++;
		if (w < 4)
			op_open(c);
		else if (w < 7)
			ctx_close(c);
		else if (w < 14)
			op_setup(c);
		else if (w < 45)
			op_submit(c);
		else if (w < 60)
			op_reap(c);
		else if (w < 66)
			op_register(c);
		else if (w < 69)
			op_eventfd(c);
		else if (w < 77)
			op_ucmd(c);
		else if (w < 81)
			op_unmap_pool();
		else if (w < 83 && !child)
			op_fork();
		else
			op_verified(c);
		if (!child && n >= 20 && !((i + 1) % (n / 10)))
			printf("uapi-fuzz: %llu of %llu operations\n", i + 1, n);
	}
}

int main(int argc, char **argv)
{
	unsigned long long n = 10000, seed = 1;
	int o, i;

	while ((o = getopt(argc, argv, "n:s:h")) != -1) {
		switch (o) {
		case 'n':
			n = strtoull(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		default:
			printf("usage: uapi-fuzz [-n OPS] [-s SEED] [DEVICE]\n"
			       "Random operations on every part of the ring and\n"
			       "URING_CMD interface; exit 1 on a broken invariant.\n");
			return o == 'h' ? 0 : 2;
		}
	}
	if (optind < argc)
		dev = argv[optind];
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	pool = mmap(NULL, POOL_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	clean_src = mmap(NULL, 2 * CLEAN_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool == MAP_FAILED || clean_src == MAP_FAILED)
		return 1;
	clean_dst = clean_src + CLEAN_SIZE;
	for (i = 0; i < NCTX; i++) {
		ctx[i].fd = -1;
		ctx[i].evfd = -1;
	}
	signal(SIGPIPE, SIG_IGN);
	run_ops(n, false);
	for (i = 0; i < NCTX; i++)
		ctx_close(&ctx[i]);
	printf("uapi-fuzz: %llu operations (seed %llu): %llu SQEs, %llu URING_CMDs, %llu completions, %llu verified copies, %llu forks; no broken invariant\n",
	       n_ops, seed, n_sqes, n_ucmd, n_cqes, n_verified, n_forks);
	return 0;
}
