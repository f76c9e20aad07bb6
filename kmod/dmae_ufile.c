// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine: file operations of the shared ring. FILE_READ is a pread()
 * done by the engine: the file's page-cache pages for the range are found
 * (read in first if needed, with readahead, as filemap_read() does), held
 * by a reference, mapped for the device to read, and released once the
 * engine is done. Nothing is mapped into the process and the CPU copies
 * nothing.
 */

#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/moduleparam.h>
#include <linux/pagemap.h>
#include <linux/security.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

#include "dmae.h"
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
 * Can the engine read this file's data from its page cache? A regular
 * file whose pages come from ->read_folio or from tmpfs; not DAX (no page
 * cache) nor anything else (pipes, sockets, devices, directories).
 */
static int dmae_file_readable(struct file *f)
{
	struct inode *inode = file_inode(f);
	struct address_space *mapping = f->f_mapping;

	if (!(f->f_mode & FMODE_READ))
		return -EBADF;
	if (!S_ISREG(inode->i_mode) || IS_DAX(inode))
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
	if (offset > LLONG_MAX || *len > LLONG_MAX - offset)
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
			 * tmpfs refuses a page past the end of the file: a
			 * truncate came first, and the read ends there.
			 */
			if (PTR_ERR(page) == -EINVAL &&
			    (loff_t)(first + i) << PAGE_SHIFT >= i_size_read(inode)) {
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
