// SPDX-License-Identifier: MIT
/*
 * dmae-bench: the paths. Each cell copies from a source pool to a
 * destination pool for a fixed time, keeping up to QD operations in flight
 * and submitting BATCH of them per system call, then checks the last copy.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bench.h"
#include "cpustat.h"
#include "libdmae_uring.h"

static const char *const path_names[PATH_COUNT] = {
	[PATH_MEMCPY] = "memcpy",
	[PATH_KCPU] = "kernel-cpu",
	[PATH_RING] = "ring",
	[PATH_FIXED] = "ring-fixed",
	[PATH_URING] = "uring-cmd",
	[PATH_SEED] = "seed",
	[PATH_DEVICE] = "device",
	[PATH_NOP_URING] = "nop-io_uring",
	[PATH_NOP_UCMD] = "nop-uring-cmd",
	[PATH_NOP_RING] = "nop-ring",
	[PATH_POLL] = "ring-fixed-poll",
	[PATH_SQPOLL] = "ring-sqpoll",
	[PATH_SQIOPOLL] = "ring-sqpoll-poll",
	[PATH_UCMD_POLL] = "uring-cmd-poll",
};

const char *path_name(enum bench_path p)
{
	return p < PATH_COUNT ? path_names[p] : "?";
}

int path_from_name(const char *name)
{
	int i;

	for (i = 0; i < PATH_COUNT; i++)
		if (!strcmp(name, path_names[i]))
			return i;
	return -1;
}

bool path_async(enum bench_path p)
{
	return p != PATH_MEMCPY && p != PATH_SEED && p != PATH_DEVICE;
}

static bool path_nop(enum bench_path p)
{
	return p == PATH_NOP_URING || p == PATH_NOP_UCMD || p == PATH_NOP_RING;
}

size_t path_max_size(enum bench_path p)
{
	switch (p) {
	case PATH_KCPU:
		return BENCH_KCPU_MAX;
	case PATH_SEED:
	case PATH_DEVICE:
		return BENCH_SEED_MAX;
	case PATH_NOP_URING:
	case PATH_NOP_UCMD:
	case PATH_NOP_RING:
		return 0;
	default:
		return BENCH_MAX_SIZE;
	}
}

/* Copies of @size go to slots this far apart (a power of two, so that a
 * slot never straddles two registered buffers). */
static size_t slot_stride(size_t size)
{
	size_t s = 64;

	while (s < size)
		s <<= 1;
	return s;
}

static unsigned int slot_count(size_t size)
{
	size_t n = BENCH_POOL / slot_stride(size);

	return n > BENCH_MAX_QD ? BENCH_MAX_QD : (unsigned int)n;
}

/* Slots a cell cycles through: one per operation in flight (memcpy: 8). */
static unsigned int slots_used(const struct bench_cell *c)
{
	unsigned int want = path_async(c->path) ? c->qd : 8;

	return want < slot_count(c->size) ? want : slot_count(c->size);
}

static size_t slot_off(size_t size, unsigned int tag)
{
	return (size_t)(tag % slot_count(size)) * slot_stride(size);
}

#define HUGE_2M (2u << 20)

/*
 * A pool, 2 MiB-aligned and backed by transparent huge pages where the
 * kernel has them, as a DMA user would allocate buffers: fewer pieces in
 * each scatter-gather list, and 2 MiB IOMMU mappings. Both the CPU and
 * the engine copy from the same pools.
 */
static uint8_t *pool_alloc(void)
{
	size_t len = BENCH_POOL + HUGE_2M;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)p + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((uint8_t *)a + BENCH_POOL, (uintptr_t)p + len - a - BENCH_POOL);
	p = (uint8_t *)a;
	madvise(p, BENCH_POOL, MADV_HUGEPAGE);	/* a hint: no THP is fine */
	memset(p, 0, BENCH_POOL);		/* fault it in now, not in a cell */
	return p;
}

/* An SQPOLL ring with @flags on the registered pools; *@ok if there is one. */
static int sqpoll_ring(struct bench_env *env, struct dmae_ring *ring,
		       unsigned int flags, const struct iovec *iov,
		       unsigned int n, bool *ok)
{
	struct dmae_uring_params prm = {
		.sq_entries = 2 * BENCH_MAX_QD,
		.flags = DMAE_SETUP_SQPOLL | flags |
			 (env->spread ? DMAE_SETUP_SPREAD : 0),
		.sq_thread_idle = 20,
	};
	int ret = dmae_queue_init_params(env->dev, &prm, ring);

	/* an older module (EINVAL) or no thread free (EAGAIN): no such path */
	*ok = !ret;
	if (ret)
		return ret == -EINVAL || ret == -EAGAIN || ret == -EOPNOTSUPP ?
		       0 : ret;
	return dmae_register_buffers(ring, iov, n);
}

int bench_env_init(struct bench_env *env)
{
	struct iovec iov[2 * BENCH_POOL / BENCH_REG_MAX];
	unsigned int i, half = BENCH_POOL / BENCH_REG_MAX;
	uint64_t *p;
	int ret;

	env->src = pool_alloc();
	env->dst = pool_alloc();
	if (!env->src || !env->dst)
		return -ENOMEM;
	/* Every 8 bytes differ, so a copy from the wrong place shows. */
	p = (uint64_t *)env->src;
	for (i = 0; i < BENCH_POOL / 8; i++)
		p[i] = (i + 1) * 0x9e3779b97f4a7c15ull;

	{
		struct dmae_uring_params prm = {
			.sq_entries = 2 * BENCH_MAX_QD,
			.flags = env->spread ? DMAE_SETUP_SPREAD : 0,
		};

		ret = dmae_queue_init_params(env->dev, &prm, &env->ring);
		if (ret)
			return ret;
		if (env->spread && !(prm.flags & DMAE_SETUP_SPREAD))
			return -EOPNOTSUPP;
	}
	ret = dmae_queue_init_dev(env->dev, 2 * BENCH_MAX_QD, &env->kring,
				  BENCH_KCPU_MAX + 1);
	if (ret)
		return ret;
	/* Buffers 0..half-1: the source pool; half..: the destination. */
	for (i = 0; i < half; i++) {
		iov[i].iov_base = env->src + (size_t)i * BENCH_REG_MAX;
		iov[i].iov_len = BENCH_REG_MAX;
		iov[half + i].iov_base = env->dst + (size_t)i * BENCH_REG_MAX;
		iov[half + i].iov_len = BENCH_REG_MAX;
	}
	ret = dmae_register_buffers(&env->ring, iov, 2 * half);
	if (ret)
		return ret;
	/* The polled ring, on the same buffers; where the device has it. */
	{
		struct dmae_uring_params prm = {
			.sq_entries = 2 * BENCH_MAX_QD,
			.flags = DMAE_SETUP_IOPOLL |
				 (env->spread ? DMAE_SETUP_SPREAD : 0),
		};

		ret = dmae_queue_init_params(env->dev, &prm, &env->pring);
		env->poll_ok = !ret;
		if (ret && ret != -EOPNOTSUPP)
			return ret;
		if (env->poll_ok) {
			ret = dmae_register_buffers(&env->pring, iov, 2 * half);
			if (ret)
				return ret;
		}
	}
	/*
	 * The SQPOLL rings, on the same buffers. Their threads poll for
	 * 20 ms after the last entry, then sleep: little of another path's
	 * cell is spent beside a spinning thread.
	 */
	ret = sqpoll_ring(env, &env->sqring, 0, iov, 2 * half, &env->sqpoll_ok);
	if (ret)
		return ret;
	if (env->poll_ok) {
		ret = sqpoll_ring(env, &env->sqpring, DMAE_SETUP_IOPOLL, iov,
				  2 * half, &env->sqiopoll_ok);
		if (ret)
			return ret;
	}
	env->fd = open(env->dev, O_RDWR);
	if (env->fd < 0)
		return -errno;
	ret = io_uring_queue_init(2 * BENCH_MAX_QD, &env->uring,
				  IORING_SETUP_SQE128);
	if (ret)
		return ret;
	/* polled URING_CMD where the backend can be polled (as the ring) */
	if (env->poll_ok) {
		ret = io_uring_queue_init(2 * BENCH_MAX_QD, &env->puring,
					  IORING_SETUP_SQE128 | IORING_SETUP_IOPOLL);
		env->upoll_ok = !ret;
	}
	return bench_lat_init(&env->lat, 1u << 17);
}

void bench_env_exit(struct bench_env *env)
{
	io_uring_queue_exit(&env->uring);
	if (env->upoll_ok)
		io_uring_queue_exit(&env->puring);
	close(env->fd);
	dmae_queue_exit(&env->kring);
	dmae_queue_exit(&env->ring);
	if (env->poll_ok)
		dmae_queue_exit(&env->pring);
	if (env->sqpoll_ok)
		dmae_queue_exit(&env->sqring);
	if (env->sqiopoll_ok)
		dmae_queue_exit(&env->sqpring);
	munmap(env->src, BENCH_POOL);
	munmap(env->dst, BENCH_POOL);
	bench_lat_free(&env->lat);
}

/* ---- one operation on each kind of queue ---- */

static void prep_op(struct bench_env *env, const struct bench_cell *c,
		    unsigned int tag, struct dmae_sqe *sqe)
{
	size_t off = slot_off(c->size, tag);

	if (path_nop(c->path)) {
		dmae_prep_nop(sqe);
	} else if (c->path == PATH_FIXED || c->path == PATH_POLL ||
		   c->path == PATH_SQPOLL || c->path == PATH_SQIOPOLL) {
		unsigned int half = BENCH_POOL / BENCH_REG_MAX;
		unsigned int buf = off / BENCH_REG_MAX;

		dmae_prep_copy_fixed(sqe, half + buf, off % BENCH_REG_MAX, buf,
				     off % BENCH_REG_MAX, c->size);
	} else {
		dmae_prep_copy(sqe, env->dst + off, env->src + off, c->size);
	}
	dmae_sqe_set_data(sqe, tag);
}

static bool uses_uring(enum bench_path p)
{
	return p == PATH_URING || p == PATH_NOP_URING || p == PATH_NOP_UCMD ||
	       p == PATH_UCMD_POLL;
}

static struct io_uring *uring_of(struct bench_env *env, enum bench_path p)
{
	return p == PATH_UCMD_POLL ? &env->puring : &env->uring;
}

static struct dmae_ring *ring_of(struct bench_env *env, enum bench_path p)
{
	if (p == PATH_POLL)
		return &env->pring;
	if (p == PATH_SQPOLL)
		return &env->sqring;
	if (p == PATH_SQIOPOLL)
		return &env->sqpring;
	return p == PATH_KCPU ? &env->kring : &env->ring;
}

static int queue_one(struct bench_env *env, const struct bench_cell *c,
		     unsigned int tag)
{
	if (uses_uring(c->path)) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(uring_of(env, c->path));
		struct dmae_sqe op;

		if (!sqe)
			return -EBUSY;
		if (c->path == PATH_NOP_URING) {
			io_uring_prep_nop(sqe);
		} else {
			prep_op(env, c, tag, &op);
			dmae_io_uring_prep(sqe, env->fd, &op,
					   uring_of(env, c->path)->flags);
		}
		io_uring_sqe_set_data64(sqe, tag);
	} else {
		struct dmae_sqe *sqe = dmae_get_sqe(ring_of(env, c->path));

		if (!sqe)
			return -EBUSY;
		prep_op(env, c, tag, sqe);
	}
	return 0;
}

/* Submit what is queued; then wait until @wait_nr completions are ready. */
static int submit_wait(struct bench_env *env, const struct bench_cell *c,
		       unsigned int wait_nr)
{
	struct dmae_ring *r = ring_of(env, c->path);

	if (uses_uring(c->path))
		return wait_nr ? io_uring_submit_and_wait(uring_of(env, c->path),
							  wait_nr) :
				 io_uring_submit(uring_of(env, c->path));
	return wait_nr ? dmae_submit_and_wait(r, wait_nr) : dmae_submit(r);
}

static int reap_one(struct bench_env *env, const struct bench_cell *c,
		    unsigned int *tag, int *res, unsigned int *flags)
{
	if (uses_uring(c->path)) {
		struct io_uring_cqe *cqe;

		if (io_uring_peek_cqe(uring_of(env, c->path), &cqe))
			return -EAGAIN;
		*tag = cqe->user_data;
		*res = cqe->res;
		*flags = 0;
		io_uring_cqe_seen(uring_of(env, c->path), cqe);
	} else {
		struct dmae_ring *r = ring_of(env, c->path);
		struct dmae_cqe *cqe;

		if (dmae_peek_cqe(r, &cqe))
			return -EAGAIN;
		*tag = cqe->user_data;
		*res = cqe->res;
		*flags = cqe->flags;
		dmae_cqe_seen(r, cqe);
	}
	return 0;
}

/* Is this completion what the cell's path must produce? */
static int check_cqe(const struct bench_cell *c, int res, unsigned int flags)
{
	int want = path_nop(c->path) ? 0 : (int)c->size;
	bool cpu = flags & DMAE_CQE_F_CPU;

	if (res < 0)
		return res;
	if (res != want)
		return -EIO;
	/* The CPU path must have been taken exactly when asked for. */
	if (!uses_uring(c->path) && !path_nop(c->path) &&
	    cpu != (c->path == PATH_KCPU))
		return -EPROTO;
	return 0;
}

/* ---- the runners ---- */

static int run_async(struct bench_env *env, const struct bench_cell *c,
		     struct bench_result *res, unsigned int *last_tag)
{
	unsigned int free_tags[BENCH_MAX_QD], nfree = c->qd, inflight = 0, i;
	double tsub[BENCH_MAX_QD] = { 0 }, t0, deadline, t_last;
	/*
	 * A NOP costs a few hundred ns: reading the clock per operation
	 * would add about as much to every path and flatter the ratios, so
	 * NOP cells are timed as a whole, without per-operation latency.
	 */
	bool timed = !path_nop(c->path), stop = false;
	int ret, err = 0;

	for (i = 0; i < c->qd; i++)
		free_tags[i] = i;
	t0 = bench_now();
	t_last = t0;
	deadline = t0 + env->cell_secs;
	for (;;) {
		if (!stop && bench_now() >= deadline)
			stop = true;
		/* Fill the queue, BATCH entries per system call. */
		while (!stop && nfree >= c->batch) {
			double t = timed ? bench_now() : 0;

			for (i = 0; i < c->batch; i++) {
				unsigned int tag = free_tags[--nfree];

				tsub[tag] = t;
				ret = queue_one(env, c, tag);
				if (ret)
					return ret;	/* cannot happen: QD fits */
			}
			ret = submit_wait(env, c, 0);
			if (ret != (int)c->batch)
				return ret < 0 ? ret : -EIO;
			inflight += c->batch;
		}
		if (!inflight)
			break;
		ret = submit_wait(env, c, inflight < c->batch ? inflight :
							       c->batch);
		if (ret < 0)
			return ret;
		for (;;) {
			unsigned int tag, flags;
			int r;
			double t;

			if (reap_one(env, c, &tag, &r, &flags))
				break;
			if (tag >= c->qd)
				return -EPROTO;
			ret = check_cqe(c, r, flags);
			if (ret && !err) {
				err = ret;
				stop = true;
			}
			if (timed) {
				t = bench_now();
				bench_lat_add(&env->lat,
					      (uint64_t)((t - tsub[tag]) * 1e9));
				t_last = t;
			}
			free_tags[nfree++] = tag;
			inflight--;
			res->ops++;
			res->bytes += c->size;
			*last_tag = tag;
		}
	}
	if (!timed)
		t_last = bench_now();
	res->secs = t_last - t0;
	return err;
}

static int run_memcpy(struct bench_env *env, const struct bench_cell *c,
		      struct bench_result *res, unsigned int *last_tag)
{
	/* Time groups of calls when one call is shorter than the clock. */
	unsigned int k = c->size < 65536 ? 64 : 1, i, tag = 0;
	unsigned int used = slots_used(c);
	double t0 = bench_now(), deadline = t0 + env->cell_secs, ta, tb = t0;

	while (tb < deadline) {
		ta = bench_now();
		for (i = 0; i < k; i++) {
			size_t off = slot_off(c->size, tag);

			memcpy(env->dst + off, env->src + off, c->size);
			*last_tag = tag;
			tag = (tag + 1) % used;
		}
		tb = bench_now();
		bench_lat_add(&env->lat, (uint64_t)((tb - ta) * 1e9 / k));
		res->ops += k;
	}
	res->bytes = res->ops * c->size;
	res->secs = tb - t0;
	return 0;
}

/*
 * The driver's debugfs "bench": runs of up to 1024 copies, repeated for about the
 * cell's time. Latency percentiles are the driver's, from the last run.
 */
static int run_hook(struct bench_env *env, const struct bench_cell *c,
		     struct bench_result *res, double *cpu0)
{
	bool seed = c->path == PATH_SEED;
	uint64_t ns, p50, p99, total_ns = 0;
	unsigned int count = 8;
	double t0;
	int ret;

	ret = bench_dbg_bench(env->sysfs, seed, c->size, count, &ns, &p50,
			      &p99);
	if (ret)
		return ret;
	if (ns)
		count = env->cell_secs * 1e9 / ((double)ns / count);
	count = count < 8 ? 8 : count > 1024 ? 1024 : count;
	ret = cpustat_busy(cpu0);
	if (ret)
		return ret;
	t0 = bench_now();
	do {
		ret = bench_dbg_bench(env->sysfs, seed, c->size, count, &ns,
				      &p50, &p99);
		if (ret)
			return ret;
		res->ops += count;
		total_ns += ns;
	} while (bench_now() - t0 < env->cell_secs);
	res->bytes = res->ops * c->size;
	res->secs = total_ns / 1e9;
	res->p50_us = p50 / 1e3;
	res->p99_us = p99 / 1e3;
	res->verified = true;	/* the driver checked the last copy */
	return 0;
}

/**
 * bench_run_cell() - measure one cell
 * @env: the set-up environment
 * @cell: path, size, queue depth and batch
 * @res: filled in
 *
 * Return: 0, or -errno if the path failed (@res->err says the same).
 */
int bench_run_cell(struct bench_env *env, const struct bench_cell *cell,
		   struct bench_result *res)
{
	unsigned int last = 0, used = 0;
	double cpu0 = 0, cpu1 = 0;
	int ret;

	memset(res, 0, sizeof(*res));
	env->lat.n = 0;
	if (cell->path != PATH_SEED && cell->path != PATH_DEVICE &&
	    !path_nop(cell->path)) {
		/* Clear the destinations, so that the check means something. */
		used = slots_used(cell);
		memset(env->dst, 0, (size_t)used * slot_stride(cell->size));
	}
	if (cell->path == PATH_SEED || cell->path == PATH_DEVICE) {
		ret = run_hook(env, cell, res, &cpu0);
	} else {
		ret = cpustat_busy(&cpu0);
		if (!ret)
			ret = cell->path == PATH_MEMCPY ?
			      run_memcpy(env, cell, res, &last) :
			      run_async(env, cell, res, &last);
	}
	if (!ret)
		ret = cpustat_busy(&cpu1);
	if (ret) {
		res->err = -ret;
		return ret;
	}
	if (used && res->ops) {
		size_t off = slot_off(cell->size, last);

		res->verified = !memcmp(env->dst + off, env->src + off,
					cell->size);
		if (!res->verified) {
			res->err = EIO;
			return -EIO;
		}
	}
	if (path_nop(cell->path))
		res->verified = true;	/* every completion was checked */
	if (cell->path != PATH_SEED && cell->path != PATH_DEVICE)
		bench_lat_pct(&env->lat, &res->p50_us, &res->p99_us);
	bench_finish(res, cpu0, cpu1);
	return 0;
}
