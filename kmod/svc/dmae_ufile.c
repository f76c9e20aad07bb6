// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine: file operations of the shared ring. FILE_READ is a pread()
 * done by the engine: the file's page-cache pages for the range are found
 * (read in first if needed, with readahead, as filemap_read() does), held
 * by a reference, mapped for the device to read, and released once the
 * engine is done. Nothing is mapped into the process and the CPU copies
 * nothing.
 *
 * FILE_WRITE (memory -> file) and FILE_COPY (file -> file) fill the
 * destination's pages the way generic_perform_write() does, with the
 * engine in place of its CPU copy: under the inode lock, each page is
 * obtained locked with the file system's ->write_begin(), the engine
 * writes it, and ->write_end() marks it up to date and dirty and moves
 * the end of the file. tmpfs pages are done in batches of many pages per
 * trip to the engine; elsewhere one page at a time, since a file
 * system's write_begin may hold per-task state (ext4's journal handle)
 * until its write_end. The source of each batch is pinned (or its
 * page-cache pages held) before any destination page is locked, as
 * generic_perform_write() faults its source in first.
 */

#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fsnotify.h>
#include <linux/magic.h>
#include <linux/moduleparam.h>
#include <linux/nospec.h>
#include <linux/pagemap.h>
#include <linux/security.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

#include "dmae_cdev.h"

/* Page-cache pages are mapped like user memory (dmae_umem.c). */
#define DMAE_MAP_ATTRS	DMA_ATTR_SKIP_CPU_SYNC

/* Page-cache pages held for the engines now: the tests check it gets to 0 */
static atomic_long_t dmae_file_pages = ATOMIC_LONG_INIT(0);

static int dmae_file_pages_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&dmae_file_pages));
}

static const struct kernel_param_ops dmae_file_pages_ops = {
	.get = dmae_file_pages_get,
};

module_param_cb(file_pages_held, &dmae_file_pages_ops, NULL, 0444);
MODULE_PARM_DESC(file_pages_held,
		 "page-cache pages held for file operations now (read-only)");

/**
 * dmae_file_release() - drop the references dmae_file_pin() took
 * @pages: the pages
 * @n: how many
 */
void dmae_file_release(struct page **pages, unsigned int n)
{
	release_pages(pages, n);
	atomic_long_sub(n, &dmae_file_pages);
}

/*
 * Is this regular file's page cache its data? On tmpfs and ramfs the
 * pages are all there is; on a file system over a block device they are
 * what read(2) and write(2) go through. Not on the others: sysfs and
 * other pseudo files have a page cache that their reads never look at,
 * and network and FUSE file systems must revalidate theirs first, which
 * only their own read paths know how to do. Nor on DAX files.
 */
static bool dmae_file_pagecache_ok(struct file *f)
{
	struct inode *inode = file_inode(f);
	struct super_block *sb = inode->i_sb;

	if (!S_ISREG(inode->i_mode) || IS_DAX(inode))
		return false;
	return shmem_mapping(f->f_mapping) || sb->s_bdev ||
	       sb->s_magic == RAMFS_MAGIC;
}

/*
 * Can the engine read this file's data from its page cache? One whose
 * pages come from ->read_folio or from tmpfs; nothing else (pipes,
 * sockets, devices, directories, pseudo files).
 */
static int dmae_file_readable(struct file *f)
{
	struct address_space *mapping = f->f_mapping;

	if (!(f->f_mode & FMODE_READ))
		return -EBADF;
	if (!dmae_file_pagecache_ok(f))
		return -EINVAL;
	if (!shmem_mapping(mapping) && !mapping->a_ops->read_folio)
		return -EINVAL;
	return 0;
}

/*
 * The page of @mapping at @index, up to date, with a reference. A tmpfs
 * hole gets a page of zeros, as a read fault of a shared mapping would
 * give it; other file systems read the page in (a hole reads as zeros),
 * after readahead for the rest of the range.
 */
static struct page *dmae_file_page(struct file *f, pgoff_t index,
				   pgoff_t left)
{
	struct address_space *mapping = f->f_mapping;
	struct folio *folio;

	if (shmem_mapping(mapping))
		return shmem_read_mapping_page_gfp(mapping, index,
						   mapping_gfp_mask(mapping));
	folio = filemap_get_folio(mapping, index);
	if (!folio) {
		page_cache_sync_readahead(mapping, &f->f_ra, f, index, left);
	} else {
		if (folio_test_readahead(folio))
			page_cache_async_readahead(mapping, &f->f_ra, f, folio,
						   index, left);
		if (folio_test_uptodate(folio))
			return folio_file_page(folio, index);
		folio_put(folio);
	}
	/* Reads it in if it is not there or not up to date, and waits. */
	folio = read_mapping_folio(mapping, index, f);
	if (IS_ERR(folio))
		return ERR_CAST(folio);
	return folio_file_page(folio, index);
}

/**
 * dmae_file_pin() - hold and map the page-cache pages of a file range
 * @dev: the device that reads them
 * @p: filled in; dmae_unpin() releases it, also after a failure
 * @f: the file, checked open for reading
 * @offset: offset in the file
 * @len: in: bytes wanted; out: bytes held, fewer at the end of the file
 *	(0 at or past it: nothing is held)
 *
 * Each page is read in if it is not up to date, so the device never sees
 * stale or uninitialised data. The end of the file is read again once the
 * pages are held, as filemap_read() does: a truncate racing with us cuts
 * the range rather than let the device read pages past the new end.
 * Sleeps (reads may wait for I/O; a fatal signal ends the wait).
 *
 * Return: 0, -EBADF (not open for reading), -EINVAL (no page cache to
 * read from; @offset, or @offset + @len, past the largest file offset),
 * an error of security_file_permission(), -EINTR, -EIO or another error
 * of the file system's read, -ENOMEM.
 */
int dmae_file_pin(struct device *dev, struct dmae_upin *p, struct file *f,
		  u64 offset, u32 *len)
{
	struct inode *inode = file_inode(f);
	loff_t pos = offset, isize, end;
	pgoff_t first, last;
	unsigned int i;
	int ret;

	ret = dmae_file_readable(f);
	if (ret)
		return ret;
	/* pread()'s rule: a negative offset, or one past it, is EINVAL */
	if (!dmae_file_range_ok(offset, *len))
		return -EINVAL;
	ret = rw_verify_area(READ, f, &pos, *len);
	if (ret)
		return ret;
	isize = i_size_read(inode);
	end = min_t(loff_t, isize, pos + *len);
	if (pos >= end) {
		*len = 0;
		return 0;
	}
	first = pos >> PAGE_SHIFT;
	last = (end - 1) >> PAGE_SHIFT;
	p->dir = DMA_TO_DEVICE;
	p->pagecache = true;
	p->pages = kvmalloc_array(last - first + 1, sizeof(*p->pages),
				  DMAE_GFP_USER);
	if (!p->pages)
		return -ENOMEM;
	for (i = 0; first + i <= last; i++) {
		struct page *page = dmae_file_page(f, first + i, last - first - i + 1);

		if (IS_ERR(page)) {
			/*
			 * tmpfs refuses a page past the end of the file, and
			 * for nothing else: a truncate came first, and the
			 * read ends there (however the size changes later).
			 */
			if (PTR_ERR(page) == -EINVAL && shmem_mapping(f->f_mapping)) {
				end = (loff_t)(first + i) << PAGE_SHIFT;
				break;
			}
			return PTR_ERR(page);
		}
		p->pages[p->npages++] = page;
		atomic_long_inc(&dmae_file_pages);
	}
	/* A truncate while we gathered them: read no further than its end. */
	isize = i_size_read(inode);
	end = min(end, isize);
	if (pos >= end) {
		*len = 0;
		return 0;
	}
	*len = end - pos;
	ret = sg_alloc_table_from_pages(&p->sgt, p->pages,
					((end - 1) >> PAGE_SHIFT) - first + 1,
					pos & ~PAGE_MASK, *len, DMAE_GFP_USER);
	if (ret)
		return ret;
	ret = dma_map_sgtable(dev, &p->sgt, p->dir, DMAE_MAP_ATTRS);
	if (ret)
		return ret;
	dma_sync_sgtable_for_device(dev, &p->sgt, p->dir);
	p->mapped = true;
	file_accessed(f);
	return 0;
}

/* Pages one trip to the engine fills in a tmpfs file */
#define DMAE_WRITE_BATCH	64

/* Can the engine write this file's pages, as write(2) would? */
static int dmae_file_writable(struct file *f)
{
	struct inode *inode = file_inode(f);
	const struct address_space_operations *a_ops = f->f_mapping->a_ops;

	if (!(f->f_mode & FMODE_WRITE))
		return -EBADF;
	if (!dmae_file_pagecache_ok(f) || !a_ops->write_begin ||
	    !a_ops->write_end)
		return -EINVAL;
	if (IS_IMMUTABLE(inode) || IS_APPEND(inode))
		return -EPERM;
	if (IS_SWAPFILE(inode))
		return -ETXTBSY;
	/* where an O_APPEND write lands is not the entry's offset */
	if (f->f_flags & O_APPEND)
		return -EINVAL;
	return 0;
}

/**
 * struct dmae_fwrite - one FILE_WRITE or FILE_COPY under way
 * @ctx: the context
 * @dst: the destination file
 * @src: the source file (FILE_COPY), else NULL
 * @uaddr: FILE_WRITE: the source's user address
 * @fixed: FILE_WRITE: the source's registered buffer, else NULL
 * @spos: the source's offset: in @src, or in @fixed
 * @batch: destination pages per batch
 * @pages: the destination pages of the batch being filled
 * @fsdata: their write_begin() cookies
 */
struct dmae_fwrite {
	struct dmae_ctx *ctx;
	struct file *dst;
	struct file *src;
	u64 uaddr;
	struct dmae_ubuf *fixed;
	u64 spos;
	unsigned int batch;
	struct page *pages[DMAE_WRITE_BATCH];
	void *fsdata[DMAE_WRITE_BATCH];
};

/*
 * One batch: @n bytes (at most, cut at the source's end of file) of the
 * source at @done into the destination at @pos. Return: bytes written,
 * 0 at the source's end, or -errno.
 */
static ssize_t dmae_fwrite_batch(struct dmae_fwrite *w, loff_t pos, u64 done,
				 u32 n)
{
	const struct address_space_operations *a_ops = w->dst->f_mapping->a_ops;
	struct address_space *mapping = w->dst->f_mapping;
	/* each batch to the next channel, mapped for that channel's device */
	unsigned int chan = dmae_ctx_pick_chan(w->ctx);
	struct device *dev = dmae_ctx_chan_dev(w->ctx, chan);
	struct dmae_upin s = {}, d = {};
	unsigned int i, np = 0;
	bool copied;
	u32 begun = 0;
	ssize_t ret;

	/* The source first: no destination page is locked yet. */
	if (w->src)
		ret = dmae_file_pin(dev, &s, w->src, w->spos + done, &n);
	else if (!w->fixed)
		ret = dmae_pin(dev, &s, w->uaddr + done, n, 0);
	else
		ret = 0;
	if (ret || !n)
		goto out;

	while (begun < n && np < w->batch) {
		loff_t p = pos + begun;
		u32 bytes = min_t(u32, PAGE_SIZE - (p & ~PAGE_MASK), n - begun);

		ret = a_ops->write_begin(w->dst, mapping, p, bytes,
					 &w->pages[np], &w->fsdata[np]);
		if (ret < 0)
			break;
		if (mapping_writably_mapped(mapping))
			flush_dcache_page(w->pages[np]);
		np++;
		begun += bytes;
	}
	if (!np)
		goto out;

	ret = sg_alloc_table_from_pages(&d.sgt, w->pages, np, pos & ~PAGE_MASK,
					begun, DMAE_GFP_USER);
	if (!ret) {
		d.dir = DMA_FROM_DEVICE;
		ret = dma_map_sgtable(dev, &d.sgt, d.dir, DMAE_MAP_ATTRS);
	}
	if (!ret) {
		d.mapped = true;
		dma_sync_sgtable_for_device(dev, &d.sgt, d.dir);
		ret = dmae_ureq_copy_wait(w->ctx, chan, &s, w->fixed,
					  w->spos + done, &d, begun);
	}
	dmae_unpin(dev, &d);
	copied = ret == begun;

	/* In order, so that the end of the file moves page by page. */
	for (i = 0; i < np; i++) {
		loff_t p = i ? round_down(pos, PAGE_SIZE) + i * PAGE_SIZE : pos;
		u32 bytes = min_t(u32, PAGE_SIZE - (p & ~PAGE_MASK),
				  pos + begun - p);
		int st;

		u32 keep = bytes;

		flush_dcache_page(w->pages[i]);
		/*
		 * After a failed copy the engine may have written part of
		 * the page. A page that was up to date inside the file is
		 * kept as it now is, and dirtied, so that the cache and the
		 * disk agree on whatever the range holds; any other page is
		 * given back untouched (0 bytes: write_end clears what it
		 * never had).
		 */
		if (!copied && (!PageUptodate(w->pages[i]) ||
				p + bytes > i_size_read(mapping->host)))
			keep = 0;
		st = a_ops->write_end(w->dst, mapping, p, bytes, keep,
				      w->pages[i], w->fsdata[i]);
		if (copied && st != bytes)
			ret = st < 0 ? st : -EIO;
	}
out:
	dmae_unpin(dev, &s);
	return ret;
}

static int dmae_fwrite_open(struct dmae_fwrite *w, const struct dmae_sqe *sqe)
{
	int ret;

	w->dst = dmae_sqe_file(w->ctx, sqe, false);
	if (!w->dst)
		return -EBADF;
	ret = dmae_file_writable(w->dst);
	if (ret)
		return ret;
	if (!dmae_file_range_ok(sqe->dst, sqe->len))
		return -EINVAL;
	if (sqe->opcode == DMAE_UOP_FILE_COPY) {
		w->src = dmae_sqe_file(w->ctx, sqe, true);
		if (!w->src)
			return -EBADF;
		ret = dmae_file_readable(w->src);
		if (ret)
			return ret;
		if (!dmae_file_range_ok(sqe->src, sqe->len))
			return -EINVAL;
		/* within one file the ranges may not overlap (copy_file_range) */
		if (file_inode(w->src) == file_inode(w->dst) &&
		    dmae_ranges_overlap(sqe->src, sqe->dst, sqe->len))
			return -EINVAL;
		w->spos = sqe->src;
	} else if (sqe->flags & DMAE_SQE_FIXED_SRC) {
		w->fixed = &w->ctx->bufs[sqe->src_buf];
		w->spos = sqe->src;
	} else {
		w->uaddr = sqe->src;
	}
	return 0;
}

/**
 * dmae_file_write() - FILE_WRITE or FILE_COPY, done before it returns
 * @ctx: the context; its lock is held, and the device's semaphore
 * @sqe: the entry, checked by dmae_sqe_check()
 *
 * Done as write(2) does a buffered write, with the engine filling the
 * pages: freeze protection, the inode lock, the size limits
 * (RLIMIT_FSIZE with SIGXFSZ, the file system's largest size), the
 * suid bits and times, page after page through write_begin/write_end,
 * dirty throttling, and O_SYNC/O_DSYNC at the end. A fatal signal stops
 * it between batches.
 *
 * Return: bytes written (fewer than asked at the source's end of file or
 * the size limit; 0 when the source has nothing there), or -errno when
 * nothing was: EBADF, EINVAL, EPERM (immutable or append-only, a sealed
 * memfd), ETXTBSY, EFBIG, EFAULT, EINTR, ENOMEM, EIO, ENOSPC or another
 * error of the file system.
 */
int dmae_file_write(struct dmae_ctx *ctx, const struct dmae_sqe *sqe)
{
	struct dmae_fwrite *w;
	struct inode *inode;
	struct kiocb kiocb;
	loff_t count = sqe->len;
	ssize_t ret;
	u64 done = 0;

	w = kzalloc(sizeof(*w), DMAE_GFP_USER);
	if (!w)
		return -ENOMEM;
	w->ctx = ctx;
	ret = dmae_fwrite_open(w, sqe);
	if (ret)
		goto out;
	inode = file_inode(w->dst);
	w->batch = shmem_mapping(w->dst->f_mapping) ? DMAE_WRITE_BATCH : 1;

	init_sync_kiocb(&kiocb, w->dst);
	kiocb.ki_pos = sqe->dst;
	ret = rw_verify_area(WRITE, w->dst, &kiocb.ki_pos, sqe->len);
	if (ret)
		goto out;
	file_start_write(w->dst);
	inode_lock(inode);
	ret = generic_write_checks_count(&kiocb, &count);
	if (!ret)
		ret = file_modified(w->dst);
	while (!ret && done < count) {
		u32 n = min_t(u64, count - done,
			      (u64)w->batch * PAGE_SIZE -
			      ((kiocb.ki_pos + done) & ~PAGE_MASK));
		ssize_t got = dmae_fwrite_batch(w, kiocb.ki_pos + done, done, n);

		if (got <= 0) {
			ret = got;
			break;
		}
		done += got;
		balance_dirty_pages_ratelimited(w->dst->f_mapping);
		if (fatal_signal_pending(current))
			ret = -EINTR;
	}
	inode_unlock(inode);
	file_end_write(w->dst);
	if (done) {
		kiocb.ki_pos += done;
		ret = generic_write_sync(&kiocb, done);
		fsnotify_modify(w->dst);
	}
out:
	if (w->src)
		fput(w->src);
	if (w->dst)
		fput(w->dst);
	kfree(w);
	return ret;
}

/**
 * dmae_sqe_file() - the file an entry names, with a reference
 * @ctx: the context; its lock is held (the registered files stay)
 * @sqe: the entry, checked by dmae_sqe_check()
 * @src: the source's file (src_fd), else the destination's (dst_fd)
 *
 * Return: the file (fput() it), or NULL for a descriptor that is not open
 * (or any descriptor, in the SQ thread: with DMAE_SETUP_SQPOLL entries
 * name registered files).
 */
struct file *dmae_sqe_file(struct dmae_ctx *ctx, const struct dmae_sqe *sqe,
			   bool src)
{
	u8 fixed = src ? DMAE_SQE_FIXED_FILE_SRC : DMAE_SQE_FIXED_FILE_DST;
	s32 fd = src ? sqe->src_fd : sqe->dst_fd;

	if (!(sqe->flags & fixed)) {
		/* The SQ thread has no file table of the process's. */
		if (ctx->sq_task == current)
			return NULL;
		return fget(fd);
	}
	if (fd < 0 || fd >= ctx->nfiles)
		return NULL;
	return get_file(ctx->files[array_index_nospec(fd, ctx->nfiles)]);
}

/**
 * dmae_unregister_files() - drop the registered files
 * @ctx: the context, its lock held
 *
 * No request holds a registered file past its start: FILE_READ keeps
 * the pages, not the file, and the writes are done before they return.
 *
 * Return: 0, or -ENXIO when none are registered.
 */
int dmae_unregister_files(struct dmae_ctx *ctx)
{
	u32 i;

	if (!ctx->nfiles)
		return -ENXIO;
	for (i = 0; i < ctx->nfiles; i++)
		fput(ctx->files[i]);
	kvfree(ctx->files);
	ctx->files = NULL;
	ctx->nfiles = 0;
	return 0;
}

/**
 * dmae_register_files() - DMAE_IOC_REGISTER_FILES
 * @ctx: the context, its lock held
 * @arg: user pointer to a struct dmae_files_reg
 *
 * Each descriptor must name a regular file: so the table can never hold
 * one of our own files (which would keep its context alive forever).
 *
 * Return: 0; -EBUSY (files already registered), -EINVAL (count, reserved
 * field, a file that is not regular), -EBADF, -EFAULT, -ENOMEM.
 */
int dmae_register_files(struct dmae_ctx *ctx, void __user *arg)
{
	struct dmae_files_reg reg;
	struct file **files;
	s32 __user *ufds;
	int ret = 0;
	u32 i;

	if (ctx->nfiles)
		return -EBUSY;
	if (copy_from_user(&reg, arg, sizeof(reg)))
		return -EFAULT;
	if (reg.resv || !reg.nr || reg.nr > DMAE_MAX_FILES)
		return -EINVAL;
	ufds = u64_to_user_ptr(reg.fds);
	files = kvcalloc(reg.nr, sizeof(*files), DMAE_GFP_USER);
	if (!files)
		return -ENOMEM;
	for (i = 0; i < reg.nr; i++) {
		s32 fd;

		if (get_user(fd, ufds + i)) {
			ret = -EFAULT;
			break;
		}
		files[i] = fget(fd);
		if (!files[i]) {
			ret = -EBADF;
			break;
		}
		if (!S_ISREG(file_inode(files[i])->i_mode)) {
			fput(files[i]);
			ret = -EINVAL;
			break;
		}
	}
	if (ret) {
		while (i--)
			fput(files[i]);
		kvfree(files);
		return ret;
	}
	ctx->files = files;
	ctx->nfiles = reg.nr;
	return 0;
}
