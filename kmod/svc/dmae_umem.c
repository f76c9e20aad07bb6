// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine: user memory for the shared rings. Pinning with
 * pin_user_pages_fast() (FOLL_PIN; writable for a destination), an
 * sg_table over the pages, a streaming DMA mapping; and registered
 * buffers: pinned long-term and mapped once, charged to RLIMIT_MEMLOCK,
 * referred to by index and offset, released only when no request uses
 * them.
 */

#include <linux/compat.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "dmae_cdev.h"
#include "dmae_svc_trace.h"

/*
 * User memory is mapped with DMA_ATTR_SKIP_CPU_SYNC and synced by hand:
 * the same as a plain mapping, but a process may have several requests in
 * flight on overlapping memory (and a registered buffer over the same
 * pages), which is its business; with the CPU sync left to the mapping
 * call, DMA-API debugging takes overlapping mappings for a driver bug.
 */
#define DMAE_MAP_ATTRS	DMA_ATTR_SKIP_CPU_SYNC

/**
 * dmae_unpin() - unmap and unpin; the destination's pages are dirtied
 * (page-cache pages from dmae_file_pin() are only released)
 * @dev: the device they were mapped for
 * @p: the memory; zeroed afterwards
 */
void dmae_unpin(struct device *dev, struct dmae_upin *p)
{
	if (p->mapped) {
		dma_sync_sgtable_for_cpu(dev, &p->sgt, p->dir);
		dma_unmap_sgtable(dev, &p->sgt, p->dir, DMAE_MAP_ATTRS);
	}
	if (p->sgt.sgl)
		sg_free_table(&p->sgt);
	if (p->pagecache) {
		dmae_file_release(p->pages, p->npages);
	} else if (p->npages) {
		if (p->dir != DMA_TO_DEVICE)
			unpin_user_pages_dirty_lock(p->pages, p->npages, true);
		else
			unpin_user_pages(p->pages, p->npages);
	}
	kvfree(p->pages);
	memset(p, 0, sizeof(*p));
}

/**
 * dmae_pin() - pin user memory and map it for the device
 * @dev: the device
 * @p: filled in; dmae_unpin() undoes it, also after a failure
 * @uaddr: user address
 * @len: bytes
 * @flags: DMAE_PIN_WRITE: the device writes it (FOLL_WRITE);
 *	DMAE_PIN_LONGTERM: a registered buffer (FOLL_LONGTERM, mapped both
 *	ways); DMAE_PIN_NOWAIT: only pages already mapped (GUP-fast, no
 *	fault) and allocations that do not sleep, for io_uring's
 *	non-blocking issue
 *
 * Return: 0; -EFAULT for memory that is not there (or not writable with
 * DMAE_PIN_WRITE); -ENOMEM; -EAGAIN with DMAE_PIN_NOWAIT when a page is
 * not mapped or memory is short (try again where sleeping is allowed).
 */
int dmae_pin(struct device *dev, struct dmae_upin *p, u64 uaddr, u32 len,
	     unsigned int flags)
{
	bool longterm = flags & DMAE_PIN_LONGTERM;
	bool nowait = flags & DMAE_PIN_NOWAIT;
	unsigned int gup = (flags & DMAE_PIN_WRITE ? FOLL_WRITE : 0) |
			   (longterm ? FOLL_LONGTERM : 0);
	gfp_t gfp = nowait ? GFP_NOWAIT | __GFP_NOWARN : DMAE_GFP_USER;
	unsigned long off = uaddr & ~PAGE_MASK;
	int got, ret;

	if (uaddr + len < uaddr || uaddr + len > TASK_SIZE)
		return -EFAULT;
	if (!access_ok(u64_to_user_ptr(uaddr), len))
		return -EFAULT;
	p->dir = longterm ? DMA_BIDIRECTIONAL :
		 flags & DMAE_PIN_WRITE ? DMA_FROM_DEVICE : DMA_TO_DEVICE;
	p->longterm = longterm;
	p->npages = DIV_ROUND_UP(off + len, PAGE_SIZE);
	p->pages = kvmalloc_array(p->npages, sizeof(*p->pages), gfp);
	if (!p->pages) {
		p->npages = 0;
		return nowait ? -EAGAIN : -ENOMEM;
	}
	if (nowait)
		got = pin_user_pages_fast_only(uaddr & PAGE_MASK, p->npages,
					       gup, p->pages);
	else
		got = pin_user_pages_fast(uaddr & PAGE_MASK, p->npages, gup,
					  p->pages);
	if (got != p->npages) {
		if (got > 0)
			unpin_user_pages(p->pages, got);
		p->npages = 0;
		return nowait ? -EAGAIN : got < 0 ? got : -EFAULT;
	}
	ret = sg_alloc_table_from_pages(&p->sgt, p->pages, p->npages, off, len,
					gfp);
	if (ret)
		return nowait ? -EAGAIN : ret;
	ret = dma_map_sgtable(dev, &p->sgt, p->dir, DMAE_MAP_ATTRS);
	trace_dmae_svc_pin(uaddr, len, p->npages, ret ? 0 : p->sgt.nents, ret);
	if (ret)
		return ret;
	dma_sync_sgtable_for_device(dev, &p->sgt, p->dir);
	p->mapped = true;
	return 0;
}

static void dmae_free_bufs(struct dmae_ctx *ctx, struct dmae_ubuf *bufs,
			   u32 n)
{
	struct dmae_be *be = ctx->ud->be;
	u32 i, k;

	for (i = 0; i < n; i++) {
		struct dmae_ubuf *b = &bufs[i];

		for (k = 0; b->xsgt && k < be->ndev - 1; k++) {
			if (k < b->nx) {
				dma_sync_sgtable_for_cpu(be->devs[k + 1],
							 &b->xsgt[k],
							 DMA_BIDIRECTIONAL);
				dma_unmap_sgtable(be->devs[k + 1], &b->xsgt[k],
						  DMA_BIDIRECTIONAL,
						  DMAE_MAP_ATTRS);
			}
			if (b->xsgt[k].sgl)
				sg_free_table(&b->xsgt[k]);
		}
		kfree(b->xsgt);
		dmae_unpin(be->dma_dev, &b->pin);
	}
	kvfree(bufs);
}

/* Does any piece of a mapped table need dma_sync_*() calls? */
static bool dmae_sgt_need_sync(struct device *dev, struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i)
		if (dma_need_sync(dev, sg_dma_address(sg)))
			return true;
	return false;
}

/*
 * The iovec array of a registration, in the caller's layout: a 32-bit
 * process's struct iovec is two 32-bit words.
 */
static struct iovec *dmae_iovecs_from_user(const void __user *uiov, u32 nr)
{
	struct compat_iovec __user *ciov = (struct compat_iovec __user *)uiov;
	struct iovec *iov;
	u32 i;

	if (!in_compat_syscall())
		return memdup_user(uiov, nr * sizeof(*iov));
	iov = kmalloc_array(nr, sizeof(*iov), DMAE_GFP_USER);
	if (!iov)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < nr; i++) {
		compat_uptr_t base;
		compat_size_t len;

		if (get_user(base, &ciov[i].iov_base) ||
		    get_user(len, &ciov[i].iov_len)) {
			kfree(iov);
			return ERR_PTR(-EFAULT);
		}
		iov[i].iov_base = compat_ptr(base);
		iov[i].iov_len = len;
	}
	return iov;
}

/*
 * The buffers as struct dmae_buf_desc (DMAE_BUF_REG_DESC): one layout for
 * every process. A length or address that does not fit this kernel's
 * iovec is refused.
 */
static struct iovec *dmae_descs_from_user(const void __user *udesc, u32 nr)
{
	const struct dmae_buf_desc __user *d = udesc;
	struct iovec *iov;
	u32 i;

	iov = kmalloc_array(nr, sizeof(*iov), DMAE_GFP_USER);
	if (!iov)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < nr; i++) {
		struct dmae_buf_desc b;

		if (copy_from_user(&b, &d[i], sizeof(b))) {
			kfree(iov);
			return ERR_PTR(-EFAULT);
		}
		if (b.len > DMAE_UREQ_MAX_LEN || b.addr != (uintptr_t)b.addr) {
			kfree(iov);
			return ERR_PTR(-EINVAL);
		}
		iov[i].iov_base = u64_to_user_ptr(b.addr);
		iov[i].iov_len = b.len;
	}
	return iov;
}

/*
 * On a backend over several devices, map a registered buffer's pinned
 * pages for each of the others too: a request may go to any channel.
 */
static int dmae_buf_map_more(struct dmae_be *be, struct dmae_ubuf *b)
{
	unsigned long off = b->uaddr & ~PAGE_MASK;
	int ret;

	if (be->ndev < 2)
		return 0;
	b->xsgt = kcalloc(be->ndev - 1, sizeof(*b->xsgt), DMAE_GFP_USER);
	if (!b->xsgt)
		return -ENOMEM;
	while (b->nx < be->ndev - 1) {
		struct device *dev = be->devs[b->nx + 1];
		struct sg_table *sgt = &b->xsgt[b->nx];

		ret = sg_alloc_table_from_pages(sgt, b->pin.pages,
						b->pin.npages, off, b->len,
						DMAE_GFP_USER);
		if (ret)
			return ret;
		ret = dma_map_sgtable(dev, sgt, DMA_BIDIRECTIONAL,
				      DMAE_MAP_ATTRS);
		if (ret)
			return ret;
		dma_sync_sgtable_for_device(dev, sgt, DMA_BIDIRECTIONAL);
		b->nx++;
		b->need_sync |= dmae_sgt_need_sync(dev, sgt);
	}
	return 0;
}

/**
 * dmae_register_buffers() - DMAE_IOC_REGISTER_BUFFERS
 * @ctx: the context; its lock held
 * @arg: struct dmae_buf_reg
 *
 * Each iovec (1 to 64 MiB, writable memory) is pinned long-term and mapped
 * once (for each device of a backend over several). The pages are charged
 * to the process's RLIMIT_MEMLOCK (as io_uring does; CAP_IPC_LOCK lifts
 * the limit).
 *
 * Return: 0; -EBUSY if buffers are registered already; -EINVAL for a bad
 * count, length or reserved field; -EFAULT; -ENOMEM (also over the limit).
 */
int dmae_register_buffers(struct dmae_ctx *ctx, void __user *arg)
{
	struct dmae_be *be = ctx->ud->be;
	struct device *dev = be->dma_dev;
	unsigned long pages = 0;
	struct dmae_buf_reg reg;
	struct dmae_ubuf *bufs;
	struct iovec *iov;
	u32 i;
	int ret;

	if (copy_from_user(&reg, arg, sizeof(reg)))
		return -EFAULT;
	if (!reg.nr || reg.nr > DMAE_MAX_BUFS || reg.flags & ~DMAE_BUF_REG_DESC)
		return -EINVAL;
	if (ctx->nbufs)
		return -EBUSY;
	if (reg.flags & DMAE_BUF_REG_DESC)
		iov = dmae_descs_from_user(u64_to_user_ptr(reg.iovs), reg.nr);
	else
		iov = dmae_iovecs_from_user(u64_to_user_ptr(reg.iovs), reg.nr);
	if (IS_ERR(iov))
		return PTR_ERR(iov);
	for (i = 0; i < reg.nr; i++) {
		u64 base = (uintptr_t)iov[i].iov_base;

		if (!iov[i].iov_len || iov[i].iov_len > DMAE_UREQ_MAX_LEN ||
		    base + iov[i].iov_len < base) {
			kfree(iov);
			return -EINVAL;
		}
		pages += DIV_ROUND_UP((base & ~PAGE_MASK) + iov[i].iov_len,
				      PAGE_SIZE);
	}
	ret = account_locked_vm(current->mm, pages, true);
	if (ret) {
		kfree(iov);
		return ret;
	}
	bufs = kvcalloc(reg.nr, sizeof(*bufs), DMAE_GFP_USER);
	ret = bufs ? 0 : -ENOMEM;
	for (i = 0; !ret && i < reg.nr; i++) {
		bufs[i].uaddr = (uintptr_t)iov[i].iov_base;
		bufs[i].len = iov[i].iov_len;
		ret = dmae_pin(dev, &bufs[i].pin, bufs[i].uaddr, bufs[i].len,
			       DMAE_PIN_WRITE | DMAE_PIN_LONGTERM);
		if (!ret) {
			bufs[i].need_sync = dmae_sgt_need_sync(dev,
							       &bufs[i].pin.sgt);
			ret = dmae_buf_map_more(be, &bufs[i]);
		}
	}
	kfree(iov);
	if (ret) {
		if (bufs)
			dmae_free_bufs(ctx, bufs, reg.nr);
		account_locked_vm(current->mm, pages, false);
		return ret;
	}
	mmgrab(current->mm);
	ctx->mm = current->mm;
	ctx->locked_pages = pages;
	ctx->bufs = bufs;
	ctx->nbufs = reg.nr;
	return 0;
}

/**
 * dmae_unregister_buffers() - release the registered buffers
 * @ctx: the context; its lock held (no new request can take a buffer)
 *
 * Waits until no request in flight uses them.
 *
 * Return: 0, or -ENXIO if none are registered.
 */
int dmae_unregister_buffers(struct dmae_ctx *ctx)
{
	if (!ctx->nbufs)
		return -ENXIO;
	wait_event(ctx->idle, !atomic_read(&ctx->buf_users));
	dmae_free_bufs(ctx, ctx->bufs, ctx->nbufs);
	account_locked_vm(ctx->mm, ctx->locked_pages, false);
	mmdrop(ctx->mm);
	ctx->mm = NULL;
	ctx->locked_pages = 0;
	ctx->bufs = NULL;
	ctx->nbufs = 0;
	return 0;
}
