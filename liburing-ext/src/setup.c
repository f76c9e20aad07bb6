// SPDX-License-Identifier: MIT
/*
 * libdmae: setting up a ring (open, DMAE_IOC_SETUP, three mmaps) and the
 * calls that need the kernel (submit, wait, registration).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"

int dmae_queue_init_params(const char *path, struct dmae_uring_params *params,
			   struct dmae_ring *ring)
{
	struct dmae_uring_params p = *params;
	void *sq, *sqes, *cq;
	int fd, err;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, DMAE_IOC_SETUP, &p) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	sq = mmap(NULL, p.sq_ring_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		  fd, DMAE_OFF_SQ_RING);
	sqes = mmap(NULL, p.sqes_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, DMAE_OFF_SQES);
	cq = mmap(NULL, p.cq_ring_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		  fd, DMAE_OFF_CQ_RING);
	if (sq == MAP_FAILED || sqes == MAP_FAILED || cq == MAP_FAILED) {
		err = -errno;
		if (sq != MAP_FAILED)
			munmap(sq, p.sq_ring_size);
		if (sqes != MAP_FAILED)
			munmap(sqes, p.sqes_size);
		if (cq != MAP_FAILED)
			munmap(cq, p.cq_ring_size);
		close(fd);
		return err;
	}
	dmae_ring_init_mem(ring, &p, sq, sqes, cq);
	ring->fd = fd;
	*params = p;
	return 0;
}

int dmae_queue_init_dev(const char *path, unsigned entries,
			struct dmae_ring *ring, unsigned cpu_threshold)
{
	struct dmae_uring_params p;

	memset(&p, 0, sizeof(p));
	p.sq_entries = entries;
	p.cpu_threshold = cpu_threshold;
	return dmae_queue_init_params(path, &p, ring);
}

int dmae_queue_init(unsigned entries, struct dmae_ring *ring,
		    unsigned cpu_threshold)
{
	const char *path = getenv("DMAE_DEVICE");

	return dmae_queue_init_dev(path ? path : "/dev/dma_engine0", entries,
				   ring, cpu_threshold);
}

void dmae_queue_exit(struct dmae_ring *ring)
{
	munmap(ring->sq.ring_ptr, ring->sq.ring_sz);
	munmap(ring->sq.sqes, ring->sq.sqes_sz);
	munmap(ring->cq.ring_ptr, ring->cq.ring_sz);
	close(ring->fd);
	ring->fd = -1;
}

/*
 * With DMAE_SETUP_SQPOLL: does the SQ thread sleep? The entries' tail was
 * stored before; the full barrier orders that store before this load, as
 * the thread orders setting the flag before its last look at the tail.
 */
static int dmae_sq_needs_wakeup(struct dmae_ring *ring)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(ring->sq.kflags, __ATOMIC_RELAXED) &
	       DMAE_SQ_NEED_WAKEUP;
}

static int dmae_enter(struct dmae_ring *ring, unsigned to_submit,
		      unsigned min_complete, unsigned flags,
		      long long timeout_ns)
{
	struct dmae_enter e = {
		.to_submit = to_submit,
		.min_complete = min_complete,
		.flags = flags,
		.timeout_ns = timeout_ns,
	};
	int ret = ioctl(ring->fd, DMAE_IOC_ENTER, &e);

	ring->sq.sqe_head += e.submitted;
	if (ret < 0 && !e.submitted)
		return -errno;
	return e.submitted;
}

static int dmae_submit_wait(struct dmae_ring *ring, unsigned wait_nr,
			    long long timeout_ns)
{
	unsigned pending = dmae_sq_flush(ring);
	unsigned flags = wait_nr ? DMAE_ENTER_GETEVENTS : 0;

	if (ring->flags & DMAE_SETUP_SQPOLL) {
		/* The thread takes them: published is submitted. */
		unsigned n = ring->sq.sqe_tail - ring->sq.sqe_head;
		int ret;

		ring->sq.sqe_head = ring->sq.sqe_tail;
		/*
		 * The thread sleeps, or completions are kept in the kernel
		 * (they hold the SQ back until an ENTER moves them): call.
		 */
		if (pending && (dmae_sq_needs_wakeup(ring) ||
				(*ring->sq.kflags & DMAE_SQ_CQ_OVERFLOW)))
			flags |= DMAE_ENTER_SQ_WAKEUP;
		if (wait_nr && dmae_cq_ready(ring) >= wait_nr)
			flags &= ~DMAE_ENTER_GETEVENTS;
		if (flags) {
			ret = dmae_enter(ring, 0, wait_nr, flags, timeout_ns);
			/* Published entries are submitted, whatever the wait said. */
			if (ret < 0 && !n)
				return ret;
		}
		return n;
	}

	/* Nothing to hand over and nothing to wait for: no syscall. */
	if (!pending && (!wait_nr || dmae_cq_ready(ring) >= wait_nr))
		return 0;
	return dmae_enter(ring, pending, wait_nr, flags, timeout_ns);
}

int dmae_submit(struct dmae_ring *ring)
{
	return dmae_submit_wait(ring, 0, -1);
}

int dmae_submit_and_wait(struct dmae_ring *ring, unsigned wait_nr)
{
	return dmae_submit_wait(ring, wait_nr, -1);
}

int dmae_wait_cqe_timeout(struct dmae_ring *ring, struct dmae_cqe **cqe,
			  long long timeout_ns)
{
	int ret;

	for (;;) {
		unsigned flags = DMAE_ENTER_GETEVENTS;

		if (!dmae_peek_cqe(ring, cqe))
			return 0;
		/* Entries may wait in the SQ for a thread that sleeps. */
		if ((ring->flags & DMAE_SETUP_SQPOLL) &&
		    *ring->sq.ktail != dmae_smp_load_acquire(ring->sq.khead) &&
		    dmae_sq_needs_wakeup(ring))
			flags |= DMAE_ENTER_SQ_WAKEUP;
		ret = dmae_enter(ring, 0, 1, flags, timeout_ns);
		if (ret < 0)
			return ret;
	}
}

int dmae_wait_cqe(struct dmae_ring *ring, struct dmae_cqe **cqe)
{
	return dmae_wait_cqe_timeout(ring, cqe, -1);
}

int dmae_register_eventfd(struct dmae_ring *ring, int fd)
{
	int32_t v = fd;

	if (!(ring->features & DMAE_FEAT_EVENTFD))
		return -EOPNOTSUPP;
	return ioctl(ring->fd, DMAE_IOC_REGISTER_EVENTFD, &v) < 0 ? -errno : 0;
}

int dmae_unregister_eventfd(struct dmae_ring *ring)
{
	return ioctl(ring->fd, DMAE_IOC_UNREGISTER_EVENTFD) < 0 ? -errno : 0;
}

int dmae_register_buffers(struct dmae_ring *ring, const struct iovec *iovs,
			  unsigned nr)
{
	/* The fixed layout (version 2), the same for 32- and 64-bit callers */
	struct dmae_buf_desc *d;
	struct dmae_buf_reg reg = { .nr = nr };
	unsigned i;
	int ret;

	if (!(ring->features & DMAE_FEAT_FIXED_BUFS))
		return -EOPNOTSUPP;
	if (!(ring->features & DMAE_FEAT_BUF_DESC)) {
		reg.iovs = (uintptr_t)iovs;
		return ioctl(ring->fd, DMAE_IOC_REGISTER_BUFFERS, &reg) < 0 ?
		       -errno : 0;
	}
	if (!nr || nr > DMAE_MAX_BUFS)
		return -EINVAL;
	d = calloc(nr, sizeof(*d));
	if (!d)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		d[i].addr = (uintptr_t)iovs[i].iov_base;
		d[i].len = iovs[i].iov_len;
	}
	reg.iovs = (uintptr_t)d;
	reg.flags = DMAE_BUF_REG_DESC;
	ret = ioctl(ring->fd, DMAE_IOC_REGISTER_BUFFERS, &reg) < 0 ? -errno : 0;
	free(d);
	return ret;
}

int dmae_unregister_buffers(struct dmae_ring *ring)
{
	return ioctl(ring->fd, DMAE_IOC_UNREGISTER_BUFFERS) < 0 ? -errno : 0;
}

int dmae_register_files(struct dmae_ring *ring, const int *fds, unsigned nr)
{
	struct dmae_files_reg reg = { .fds = (uintptr_t)fds, .nr = nr };

	if (!(ring->features & DMAE_FEAT_FIXED_FILES))
		return -EOPNOTSUPP;
	return ioctl(ring->fd, DMAE_IOC_REGISTER_FILES, &reg) < 0 ? -errno : 0;
}

int dmae_unregister_files(struct dmae_ring *ring)
{
	return ioctl(ring->fd, DMAE_IOC_UNREGISTER_FILES) < 0 ? -errno : 0;
}

int dmae_get_stats(struct dmae_ring *ring, struct dmae_ctx_stats *st)
{
	return ioctl(ring->fd, DMAE_IOC_STATS, st) < 0 ? -errno : 0;
}

int dmae_copy(struct dmae_ring *ring, void *dst, const void *src,
	      unsigned len)
{
	struct dmae_sqe *sqe = dmae_get_sqe(ring);
	struct dmae_cqe *cqe;
	int ret;

	if (!sqe)
		return -EBUSY;
	dmae_prep_copy(sqe, dst, src, len);
	ret = dmae_submit_and_wait(ring, 1);
	if (ret < 0)
		return ret;
	ret = dmae_wait_cqe(ring, &cqe);
	if (ret < 0)
		return ret;
	ret = cqe->res;
	dmae_cqe_seen(ring, cqe);
	return ret;
}
