// SPDX-License-Identifier: GPL-2.0
/*
 * file-test DEVICE DIR NAME: the file operations on files in DIR, a tmpfs
 * or ext4 mount, through the shared ring and through io_uring's
 * URING_CMD. FILE_READ (a pread() by the engine): every read checked byte
 * for byte against pread() of the same range; holes, the end of the file,
 * files not in the page cache, registered destinations, every errno,
 * reads racing with truncate. FILE_WRITE and FILE_COPY (pwrite and
 * copy_file_range by the engine): each checked against a model of the
 * file (size and every byte), growth, holes, short copies at the source's
 * end, one file to itself, the data after sync and dropped caches, every
 * errno (seals, immutable and append-only inodes, RLIMIT_FSIZE with
 * SIGXFSZ). TAP lines "ok - file[NAME]: ...". Exit 0 when all pass, 1
 * otherwise, 77 when the kernel has no FILE_READ.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <liburing.h>
#include <linux/fs.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libdmae.h"
#include "libdmae_uring.h"
#include "tap.h"

static const char *name;
static struct dmae_ring ring;
static struct io_uring uring;
static int devfd;

static void ok(bool cond, const char *fmt, ...)
{
	char prefix[64];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "file[%s]: ", name);
	va_start(ap, fmt);
	tap_line(cond, prefix, fmt, ap);
	va_end(ap);
}

/* One entry through the shared ring: its res */
static int ring_do(const struct dmae_sqe *op)
{
	struct dmae_sqe *sqe = dmae_get_sqe(&ring);
	struct dmae_cqe *cqe;
	int ret;

	if (!sqe)
		return -EBUSY;
	*sqe = *op;
	ret = dmae_submit_and_wait(&ring, 1);
	if (ret < 0)
		return ret;
	ret = dmae_wait_cqe(&ring, &cqe);
	if (ret)
		return ret;
	ret = cqe->res;
	dmae_cqe_seen(&ring, cqe);
	return ret;
}

/* The same entry as an io_uring URING_CMD: its res */
static int ucmd_do(const struct dmae_sqe *op)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&uring);
	struct io_uring_cqe *cqe;
	int ret;

	if (!sqe)
		return -EBUSY;
	dmae_io_uring_prep(sqe, devfd, op, uring.flags);
	ret = io_uring_submit_and_wait(&uring, 1);
	if (ret < 0)
		return ret;
	ret = io_uring_wait_cqe(&uring, &cqe);
	if (ret)
		return ret;
	ret = cqe->res;
	io_uring_cqe_seen(&uring, cqe);
	return ret;
}

static int (*do_op)(const struct dmae_sqe *op) = ring_do;

static int file_read(void *dst, int fd, uint64_t off, unsigned len)
{
	struct dmae_sqe op;

	dmae_prep_file_read(&op, dst, fd, off, len);
	return do_op(&op);
}

/* Byte i of a test file, from its offset: a misplaced page shows. */
static uint8_t pat(uint64_t off)
{
	return (uint8_t)(off * 131 + (off >> 12) * 7 + 1);
}

static int make_file(const char *path, uint64_t size)
{
	uint8_t *buf = malloc(1 << 20);
	uint64_t done = 0;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || !buf) {
		free(buf);
		return -1;
	}
	while (done < size) {
		size_t n = size - done < (1 << 20) ? size - done : (1 << 20);

		for (size_t i = 0; i < n; i++)
			buf[i] = pat(done + i);
		if (pwrite(fd, buf, n, done) != (ssize_t)n) {
			close(fd);
			free(buf);
			return -1;
		}
		done += n;
	}
	free(buf);
	return fd;
}

/*
 * Read [off, off + len) of @fd by the engine and by pread(): the same
 * count, the same bytes, and nothing written past the count.
 */
static bool same_as_pread(int fd, uint64_t off, unsigned len)
{
	uint8_t *a = alloc_buf(len + 4096), *b = malloc(len + 1);
	ssize_t want;
	bool good;
	int got;

	if (!a || !b)
		return false;
	memset(a, 0xee, len + 4096);
	want = pread(fd, b, len, off);
	got = file_read(a, fd, off, len);
	good = got == want && !memcmp(a, b, got > 0 ? got : 0) &&
	       a[got > 0 ? got : 0] == 0xee;
	if (!good)
		printf("# read %u at %llu: engine %d, pread %zd\n", len,
		       (unsigned long long)off, got, want);
	munmap(a, len + 4096);
	free(b);
	return good;
}

static long pages_held(void)
{
	FILE *f = fopen("/sys/module/dmae_svc/parameters/file_pages_held", "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

static void test_reads(const char *dir, const char *how)
{
	char path[256];
	uint64_t size = (16 << 20) + 12345;
	int fd;

	snprintf(path, sizeof(path), "%s/data", dir);
	fd = make_file(path, size);
	ok(fd >= 0, "%s: a %llu-byte file", how, (unsigned long long)size);
	if (fd < 0)
		return;
	ok(same_as_pread(fd, 0, 4096), "%s: one page", how);
	ok(same_as_pread(fd, 777, 300000), "%s: 300000 bytes at offset 777", how);
	ok(same_as_pread(fd, 0, 16 << 20), "%s: 16 MiB at once (many jobs)", how);
	ok(same_as_pread(fd, size - 5000, 1 << 20),
	   "%s: a read running past the end is short, as pread's", how);
	ok(file_read(alloc_buf(4096), fd, size, 4096) == 0,
	   "%s: a read at the end of the file returns 0", how);
	ok(file_read(alloc_buf(4096), fd, size + (1 << 20), 4096) == 0,
	   "%s: a read past the end of the file returns 0", how);
	close(fd);

	/* Holes: the data written at 2 MiB and at 5 MiB - 3, zeros around */
	snprintf(path, sizeof(path), "%s/sparse", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ok(fd >= 0 && ftruncate(fd, 8 << 20) == 0 &&
	   pwrite(fd, "hello", 5, 2 << 20) == 5 &&
	   pwrite(fd, "world", 5, (5 << 20) - 3) == 5 &&
	   same_as_pread(fd, 0, 8 << 20),
	   "%s: a sparse file reads as pread reads it (holes are zeros)", how);
	if (fd >= 0)
		close(fd);
	ok(pages_held() == 0, "%s: no page-cache page stays held (%ld)", how,
	   pages_held());
}

/* Pages not in the page cache: FILE_READ must read them in. */
static void test_uncached(const char *dir)
{
	char path[256];
	uint64_t size = (4 << 20) + 100;
	int fd;

	snprintf(path, sizeof(path), "%s/cold", dir);
	fd = make_file(path, size);
	if (fd < 0) {
		ok(false, "uncached: a file");
		return;
	}
	fsync(fd);
	close(fd);
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	ok(fd >= 0 && write(fd, "3", 1) == 1, "uncached: caches dropped");
	if (fd >= 0)
		close(fd);
	fd = open(path, O_RDONLY);
	ok(fd >= 0 && same_as_pread(fd, 0, size),
	   "uncached: a file dropped from the page cache is read in first");
	if (fd >= 0)
		close(fd);
}

static void test_fixed(const char *dir)
{
	char path[256];
	size_t blen = 1 << 20;
	uint8_t *buf = alloc_buf(blen), *ref = malloc(blen);
	struct iovec iov = { buf, blen };
	struct dmae_sqe op;
	int fd, ret;

	snprintf(path, sizeof(path), "%s/fixed", dir);
	fd = make_file(path, 3 << 20);
	if (fd < 0 || !buf || !ref || dmae_register_buffers(&ring, &iov, 1)) {
		ok(false, "fixed: a file and a registered buffer");
		return;
	}
	dmae_prep_file_read_fixed(&op, 0, 4096, fd, (1 << 20) + 11, 100000);
	ret = do_op(&op);
	ok(ret == 100000 && pread(fd, ref, 100000, (1 << 20) + 11) == 100000 &&
	   !memcmp(buf + 4096, ref, 100000),
	   "fixed: FILE_READ into a registered buffer (%d)", ret);
	dmae_prep_file_read_fixed(&op, 0, blen - 10, fd, 0, 100);
	ok(do_op(&op) == -EINVAL,
	   "fixed: a range running off the registered buffer is EINVAL");
	dmae_unregister_buffers(&ring);
	close(fd);
	munmap(buf, blen);
	free(ref);
}

static void test_errors(const char *dir, const char *how)
{
	uint8_t *buf = alloc_buf(8192);
	uint8_t *ro = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	char path[256];
	struct dmae_sqe op;
	int fd, wfd, dfd, p[2], zfd;

	snprintf(path, sizeof(path), "%s/err", dir);
	fd = make_file(path, 65536);
	wfd = open(path, O_WRONLY);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	zfd = open("/dev/zero", O_RDONLY);
	if (fd < 0 || wfd < 0 || dfd < 0 || zfd < 0 || pipe(p) ||
	    ro == MAP_FAILED) {
		ok(false, "%s errors: the files", how);
		return;
	}
	ok(file_read(buf, -1, 0, 4096) == -EBADF, "%s errors: fd -1 is EBADF", how);
	ok(file_read(buf, 1000, 0, 4096) == -EBADF,
	   "%s errors: an fd that is not open is EBADF", how);
	ok(file_read(buf, wfd, 0, 4096) == -EBADF,
	   "%s errors: a file open only for writing is EBADF", how);
	ok(file_read(buf, dfd, 0, 4096) == -EINVAL, "%s errors: a directory is EINVAL", how);
	ok(file_read(buf, p[0], 0, 4096) == -EINVAL, "%s errors: a pipe is EINVAL", how);
	ok(file_read(buf, zfd, 0, 4096) == -EINVAL,
	   "%s errors: a character device is EINVAL", how);
	ok(file_read(buf, devfd, 0, 4096) == -EINVAL,
	   "%s errors: the engine's own device file is EINVAL", how);
	{
		int pfd = open("/proc/self/status", O_RDONLY);
		int sfd = open("/sys/module/dmae_svc/parameters/file_pages_held",
			       O_RDONLY);

		ok(pfd >= 0 && file_read(buf, pfd, 0, 4096) == -EINVAL,
		   "%s errors: a /proc file (no page cache) is EINVAL", how);
		ok(sfd >= 0 && file_read(buf, sfd, 0, 4096) == -EINVAL,
		   "%s errors: a sysfs file (its page cache is not its data) is EINVAL",
		   how);
		if (pfd >= 0)
			close(pfd);
		if (sfd >= 0)
			close(sfd);
	}
	ok(file_read(buf, fd, 1ULL << 63, 4096) == -EINVAL,
	   "%s errors: a negative offset is EINVAL", how);
	ok(file_read(buf, fd, (1ULL << 63) - 100, 4096) == -EINVAL,
	   "%s errors: offset + length past the largest offset is EINVAL", how);
	ok(file_read(buf, fd, 0, 0) == -EINVAL, "%s errors: length 0 is EINVAL", how);
	ok(file_read(ro, fd, 0, 4096) == -EFAULT,
	   "%s errors: a read-only destination is EFAULT", how);
	ok(file_read(NULL, fd, 0, 4096) == -EFAULT,
	   "%s errors: a NULL destination is EFAULT", how);
	dmae_prep_file_read(&op, buf, fd, 0, 4096);
	op.flags = DMAE_SQE_FIXED_SRC;
	ok(do_op(&op) == -EINVAL, "%s errors: FIXED_SRC with FILE_READ is EINVAL", how);
	dmae_prep_file_read(&op, buf, fd, 0, 4096);
	op.dst_fd = fd;
	ok(do_op(&op) == -EINVAL, "%s errors: a nonzero dst_fd is EINVAL", how);
	dmae_prep_copy(&op, buf, buf + 4096, 100);
	op.src_fd = fd;
	ok(do_op(&op) == -EINVAL, "%s errors: src_fd on a COPY is EINVAL", how);
	ok(same_as_pread(fd, 0, 65536), "%s errors: the file reads after them all", how);
	close(fd);
	close(wfd);
	close(dfd);
	close(zfd);
	close(p[0]);
	close(p[1]);
}

/*
 * Reads racing with truncate: a thread cuts the file down and writes it
 * back, again and again. Each read must return a count within the range,
 * the bytes it returns must be the file's pattern (or zeros, where a
 * truncate cleared the tail of a page during the read, as it can under a
 * CPU read too), and the kernel must stay sound.
 */
struct racer {
	int fd;
	uint64_t size;
	volatile bool stop;
};

static void *truncator(void *arg)
{
	struct racer *r = arg;
	uint8_t *buf = malloc(r->size);
	unsigned n = 0;

	for (uint64_t i = 0; buf && i < r->size; i++)
		buf[i] = pat(i);
	while (buf && !r->stop) {
		uint64_t cut = (n++ * 40503u) % r->size;

		if (n % 2) {
			/* a hole punched in, then written back */
			if (fallocate(r->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				      cut & ~4095ULL, 65536) && errno != EOPNOTSUPP)
				break;
		} else if (ftruncate(r->fd, cut)) {
			break;
		}
		if (pwrite(r->fd, buf + cut, r->size - cut, cut) < 0)
			break;
	}
	free(buf);
	return NULL;
}

static void test_truncate_race(const char *dir)
{
	struct racer r = { .size = 1 << 20 };
	uint8_t *buf = alloc_buf(r.size);
	unsigned reads = 0, bad = 0, i;
	char path[256];
	pthread_t t;

	snprintf(path, sizeof(path), "%s/race", dir);
	r.fd = make_file(path, r.size);
	if (r.fd < 0 || !buf || pthread_create(&t, NULL, truncator, &r)) {
		ok(false, "truncate race: set up");
		return;
	}
	for (i = 0; i < 300; i++) {
		uint64_t off = (i * 7919u) % r.size;
		int got = file_read(buf, r.fd, off, r.size - off);

		reads++;
		if (got < 0 || (uint64_t)got > r.size - off) {
			if (bad++ < 5)
				printf("# read at %llu: res %d\n",
				       (unsigned long long)off, got);
			continue;
		}
		for (int j = 0; j < got; j++) {
			if (buf[j] != pat(off + j) && buf[j]) {
				if (bad++ < 5)
					printf("# read at %llu: res %d, byte %d is %#x, not %#x\n",
					       (unsigned long long)off, got, j,
					       buf[j], pat(off + j));
				break;
			}
		}
	}
	r.stop = true;
	pthread_join(t, NULL);
	ok(!bad, "truncate race: %u reads racing with truncate, hole punch and rewrite, each sound (%u bad)",
	   reads, bad);
	ok(same_as_pread(r.fd, 0, r.size), "truncate race: the file reads right after it");
	close(r.fd);
	munmap(buf, r.size);
}

static int file_write(int fd, uint64_t off, const void *src, unsigned len)
{
	struct dmae_sqe op;

	dmae_prep_file_write(&op, fd, off, src, len);
	return do_op(&op);
}

static int file_copy(int dfd, uint64_t doff, int sfd, uint64_t soff,
		     unsigned len)
{
	struct dmae_sqe op;

	dmae_prep_file_copy(&op, dfd, doff, sfd, soff, len);
	return do_op(&op);
}

static off_t file_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : st.st_size;
}

/* The whole file equals @want (@n bytes): size and every byte */
static bool file_is(int fd, const uint8_t *want, size_t n)
{
	uint8_t *got = malloc(n + 1);
	bool same;

	if (!got)
		return false;
	same = file_size(fd) == (off_t)n && pread(fd, got, n + 1, 0) == (ssize_t)n &&
	       !memcmp(got, want, n);
	if (!same)
		printf("# file: size %lld, want %zu\n", (long long)file_size(fd), n);
	free(got);
	return same;
}

/* Writes and copies, each checked against what the CPU calls make */
static void test_writes(const char *dir, const char *how)
{
	size_t big = (16 << 20) + 12345;
	uint8_t *src = alloc_buf(big), *model = calloc(1, big + (4 << 20));
	char path[256], path2[256];
	int fd, fd2, ret;

	snprintf(path, sizeof(path), "%s/w", dir);
	snprintf(path2, sizeof(path2), "%s/w2", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || !src || !model) {
		ok(false, "%s write: set up", how);
		return;
	}
	for (size_t i = 0; i < big; i++)
		src[i] = pat(i * 3 + 5);

	ret = file_write(fd, 0, src, 1 << 20);
	memcpy(model, src, 1 << 20);
	ok(ret == 1 << 20 && file_is(fd, model, 1 << 20),
	   "%s write: 1 MiB into an empty file (%d)", how, ret);
	ret = file_write(fd, 777, src + 4096, 300000);
	memcpy(model + 777, src + 4096, 300000);
	ok(ret == 300000 && file_is(fd, model, 1 << 20),
	   "%s write: 300000 bytes over the middle at offset 777", how);
	ret = file_write(fd, (3 << 20) + 5, src, 10000);
	memcpy(model + (3 << 20) + 5, src, 10000);
	ok(ret == 10000 && file_is(fd, model, (3 << 20) + 10005),
	   "%s write: past the end, the file grows and the gap reads as zeros", how);
	ret = file_write(fd, 0, src, big);
	ok(ret == (int)big && file_is(fd, src, big),
	   "%s write: 16 MiB + 12345 bytes at once", how);

	/* file -> file */
	fd2 = open(path2, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ret = file_copy(fd2, 0, fd, 0, big);
	ok(fd2 >= 0 && ret == (int)big && file_is(fd2, src, big),
	   "%s copy: a 16 MiB file to a new one (%d)", how, ret);
	memcpy(model, src, big);
	ret = file_copy(fd2, 4097, fd, 123, 500000);
	memcpy(model + 4097, src + 123, 500000);
	ok(ret == 500000 && file_is(fd2, model, big),
	   "%s copy: 500000 bytes, offsets 123 -> 4097", how);
	ret = file_copy(fd2, 0, fd, big - 1000, 1 << 20);
	memcpy(model, src + big - 1000, 1000);
	ok(ret == 1000 && file_is(fd2, model, big),
	   "%s copy: from near the source's end is short, as copy_file_range's (%d)",
	   how, ret);
	ok(file_copy(fd2, 0, fd, big + 1, 4096) == 0,
	   "%s copy: from past the source's end copies 0", how);
	ret = file_copy(fd, big, fd, 0, 8192);
	memcpy(model, src, big);
	memcpy(model + big, src, 8192);
	ok(ret == 8192 && file_is(fd, model, big + 8192),
	   "%s copy: within one file, ranges apart", how);
	ok(file_copy(fd, 4096, fd, 0, 8192) == -EINVAL,
	   "%s copy: within one file, overlapping ranges are EINVAL", how);

	/* the data reach the disk: written back, dropped, read again */
	sync();
	ret = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (ret >= 0) {
		ok(write(ret, "3", 1) == 1, "%s write: caches dropped", how);
		close(ret);
	}
	ok(file_is(fd, model, big + 8192) && same_as_pread(fd2, 0, big),
	   "%s write: after sync and dropping the caches the data are there", how);
	close(fd);
	close(fd2);
	unlink(path2);
	free(model);
	munmap(src, big);
	ok(pages_held() == 0, "%s write: no page-cache page stays held", how);
}

static volatile sig_atomic_t xfsz;

static void on_xfsz(int sig)
{
	(void)sig;
	xfsz++;
}

static void test_write_errors(const char *dir, const char *how)
{
	uint8_t *buf = alloc_buf(1 << 20);
	char path[256];
	int fd, rfd, afd, p[2], nfd, mfd, ret, flags, oflags;
	struct rlimit old, lim = { 1 << 20, RLIM_INFINITY };
	struct dmae_sqe op;

	snprintf(path, sizeof(path), "%s/we", dir);
	fd = make_file(path, 65536);
	rfd = open(path, O_RDONLY);
	afd = open(path, O_WRONLY | O_APPEND);
	nfd = open("/dev/null", O_WRONLY);
	if (fd < 0 || rfd < 0 || afd < 0 || nfd < 0 || !buf || pipe(p)) {
		ok(false, "%s write errors: set up", how);
		return;
	}
	ok(file_write(-1, 0, buf, 4096) == -EBADF, "%s write errors: fd -1 is EBADF", how);
	ok(file_write(rfd, 0, buf, 4096) == -EBADF,
	   "%s write errors: a file open only for reading is EBADF", how);
	ok(file_write(afd, 0, buf, 4096) == -EINVAL,
	   "%s write errors: an O_APPEND file is EINVAL", how);
	ok(file_write(p[1], 0, buf, 4096) == -EINVAL, "%s write errors: a pipe is EINVAL", how);
	ok(file_write(nfd, 0, buf, 4096) == -EINVAL,
	   "%s write errors: a character device is EINVAL", how);
	ok(file_write(fd, 1ULL << 63, buf, 4096) == -EINVAL,
	   "%s write errors: a negative offset is EINVAL", how);
	ok(file_write(fd, 0, NULL, 4096) == -EFAULT,
	   "%s write errors: a source that is not mapped is EFAULT", how);
	ok(file_copy(fd, 0, nfd, 0, 4096) == -EBADF,
	   "%s copy errors: a source open only for writing is EBADF", how);
	ok(file_copy(fd, 0, p[0], 0, 4096) == -EINVAL,
	   "%s copy errors: a pipe as the source is EINVAL", how);
	dmae_prep_file_write(&op, fd, 0, buf, 4096);
	op.flags = DMAE_SQE_FIXED_DST;
	ok(do_op(&op) == -EINVAL, "%s write errors: FIXED_DST is EINVAL", how);
	dmae_prep_file_copy(&op, fd, 0, rfd, 0, 4096);
	op.flags = DMAE_SQE_FIXED_SRC;
	ok(do_op(&op) == -EINVAL, "%s copy errors: FIXED_SRC is EINVAL", how);

	/* past the file system's largest file (ext4: 16 TiB with 4 KiB blocks) */
	if (!strcmp(name, "ext4"))
		ok(file_write(fd, 1ULL << 45, buf, 4096) == -EFBIG,
		   "%s write errors: past the largest file size is EFBIG", how);

	/* sealed memfds */
	mfd = memfd_create("dmae-sealed", MFD_ALLOW_SEALING);
	ok(mfd >= 0 && ftruncate(mfd, 65536) == 0 &&
	   fcntl(mfd, F_ADD_SEALS, F_SEAL_GROW) == 0 &&
	   file_write(mfd, 0, buf, 4096) == 4096 &&
	   file_write(mfd, 65536 - 100, buf, 4096) == 100 &&
	   file_write(mfd, 65536, buf, 4096) == -EPERM,
	   "%s write errors: F_SEAL_GROW: within the size it writes, past it EPERM", how);
	ok(mfd >= 0 && fcntl(mfd, F_ADD_SEALS, F_SEAL_WRITE) == 0 &&
	   file_write(mfd, 0, buf, 4096) == -EPERM,
	   "%s write errors: F_SEAL_WRITE is EPERM", how);
	if (mfd >= 0)
		close(mfd);

	/* immutable and append-only inodes, where the file system has them */
	if (ioctl(fd, FS_IOC_GETFLAGS, &oflags) == 0 &&
	    (flags = oflags | FS_IMMUTABLE_FL, ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0)) {
		ok(file_write(fd, 0, buf, 4096) == -EPERM,
		   "%s write errors: an immutable file is EPERM", how);
		flags = oflags | FS_APPEND_FL;
		ok(ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0 &&
		   file_write(fd, 0, buf, 4096) == -EPERM,
		   "%s write errors: an append-only file is EPERM", how);
		ok(ioctl(fd, FS_IOC_SETFLAGS, &oflags) == 0,
		   "%s write errors: the file's flags restored", how);
	} else {
		printf("ok - file[%s]: %s write errors: immutable files # SKIP no FS_IOC_SETFLAGS here\n",
		       name, how);
	}

	/* RLIMIT_FSIZE: EFBIG and SIGXFSZ, as write(2) gives them */
	getrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, on_xfsz);
	xfsz = 0;
	setrlimit(RLIMIT_FSIZE, &lim);
	ret = file_write(fd, (1 << 20) - 1000, buf, 4096);
	ok(ret == 1000, "%s write errors: RLIMIT_FSIZE cuts a write at the limit (%d)", how, ret);
	ret = file_write(fd, 1 << 20, buf, 4096);
	ok(ret == -EFBIG && (do_op != ring_do || xfsz == 1),
	   "%s write errors: at the limit EFBIG%s (%d, %d signals)", how,
	   do_op == ring_do ? " and SIGXFSZ" : "", ret, (int)xfsz);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);

	ok(same_as_pread(fd, 0, 65536), "%s write errors: the file reads after them all", how);
	close(fd);
	close(rfd);
	close(afd);
	close(nfd);
	close(p[0]);
	close(p[1]);
	munmap(buf, 1 << 20);
}

static void test_write_fixed(const char *dir)
{
	size_t blen = 1 << 20;
	uint8_t *buf = alloc_buf(blen);
	struct iovec iov = { buf, blen };
	struct dmae_sqe op;
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/wf", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || !buf || dmae_register_buffers(&ring, &iov, 1)) {
		ok(false, "write fixed: set up");
		return;
	}
	for (size_t i = 0; i < blen; i++)
		buf[i] = pat(i + 99);
	dmae_prep_file_write_fixed(&op, fd, 10, 0, 4096, 200000);
	ret = do_op(&op);
	{
		uint8_t *model = calloc(1, 200010);

		if (model)
			memcpy(model + 10, buf + 4096, 200000);
		ok(ret == 200000 && model && file_is(fd, model, 200010),
		   "write fixed: FILE_WRITE from a registered buffer (%d)", ret);
		free(model);
	}
	dmae_unregister_buffers(&ring);
	close(fd);
	munmap(buf, blen);
}

/*
 * FILE_WRITE racing with pwrite() of the same range: each holds the inode
 * lock for the whole write, so the file ends as one of them left it,
 * never a mix.
 */
struct writer {
	int fd;
	const uint8_t *data;
	size_t n;
	volatile bool stop;
};

static void *cpu_writer(void *arg)
{
	struct writer *w = arg;

	while (!w->stop)
		if (pwrite(w->fd, w->data, w->n, 0) != (ssize_t)w->n)
			break;
	return NULL;
}

static void test_write_race(const char *dir)
{
	size_t n = 1 << 20;
	uint8_t *a = alloc_buf(n), *b = alloc_buf(n), *got = malloc(n);
	struct writer w = { .n = n };
	unsigned i, bad = 0, mixed = 0;
	char path[256];
	pthread_t t;

	snprintf(path, sizeof(path), "%s/wr", dir);
	w.fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (w.fd < 0 || !a || !b || !got) {
		ok(false, "write race: set up");
		return;
	}
	memset(a, 0xaa, n);
	memset(b, 0xbb, n);
	w.data = b;
	if (pthread_create(&t, NULL, cpu_writer, &w)) {
		ok(false, "write race: thread");
		return;
	}
	for (i = 0; i < 50; i++)
		if (file_write(w.fd, 0, a, n) != (int)n)
			bad++;
	w.stop = true;
	pthread_join(t, NULL);
	if (pread(w.fd, got, n, 0) != (ssize_t)n)
		bad++;
	else if (memcmp(got, a, n) && memcmp(got, b, n))
		mixed++;
	ok(!bad && !mixed,
	   "write race: FILE_WRITE and pwrite() of one range, 50 times: the file is one or the other (%u failed, %u mixed)",
	   bad, mixed);
	close(w.fd);
	munmap(a, n);
	munmap(b, n);
	free(got);
}

/* Registered files: entries name them by index */
static void test_fixed_files(const char *dir, const char *how)
{
	uint8_t *a = alloc_buf(1 << 20), *b = malloc(1 << 20);
	char path[256], path2[256];
	int fds[2], p[2], bad[1], ret;
	struct dmae_sqe op;

	snprintf(path, sizeof(path), "%s/ff", dir);
	snprintf(path2, sizeof(path2), "%s/ff2", dir);
	fds[0] = make_file(path, 3 << 20);
	fds[1] = open(path2, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fds[0] < 0 || fds[1] < 0 || !a || !b || pipe(p)) {
		ok(false, "%s fixed files: set up", how);
		return;
	}
	bad[0] = p[0];
	ok(dmae_register_files(&ring, bad, 1) == -EINVAL,
	   "%s fixed files: registering a pipe is EINVAL", how);
	bad[0] = 999;
	ok(dmae_register_files(&ring, bad, 1) == -EBADF,
	   "%s fixed files: registering a closed descriptor is EBADF", how);
	ok(dmae_register_files(&ring, fds, 0) == -EINVAL,
	   "%s fixed files: registering none is EINVAL", how);
	ok(dmae_register_files(&ring, fds, 2) == 0,
	   "%s fixed files: two files registered", how);
	ok(dmae_register_files(&ring, fds, 2) == -EBUSY,
	   "%s fixed files: registering again is EBUSY", how);

	dmae_prep_file_read(&op, a, 0, 4096 + 3, 1 << 20);
	op.flags = DMAE_SQE_FIXED_FILE_SRC;
	ret = do_op(&op);
	ok(ret == 1 << 20 && pread(fds[0], b, 1 << 20, 4096 + 3) == 1 << 20 &&
	   !memcmp(a, b, 1 << 20),
	   "%s fixed files: FILE_READ from registered file 0 (%d)", how, ret);
	dmae_prep_file_copy(&op, 1, 0, 0, 0, 3 << 20);
	op.flags = DMAE_SQE_FIXED_FILE_SRC | DMAE_SQE_FIXED_FILE_DST;
	ret = do_op(&op);
	ok(ret == 3 << 20 && same_as_pread(fds[1], 0, 3 << 20) &&
	   file_size(fds[1]) == 3 << 20,
	   "%s fixed files: FILE_COPY from registered file 0 to 1 (%d)", how, ret);
	dmae_prep_file_read(&op, a, 2, 0, 4096);
	op.flags = DMAE_SQE_FIXED_FILE_SRC;
	ok(do_op(&op) == -EBADF, "%s fixed files: index 2 of 2 is EBADF", how);
	dmae_prep_copy(&op, a, a + 8192, 100);
	op.flags = DMAE_SQE_FIXED_FILE_SRC;
	ok(do_op(&op) == -EINVAL, "%s fixed files: FIXED_FILE_SRC on a COPY is EINVAL", how);
	dmae_prep_file_read(&op, a, 0, 0, 4096);
	op.flags = DMAE_SQE_FIXED_FILE_DST;
	ok(do_op(&op) == -EINVAL,
	   "%s fixed files: FIXED_FILE_DST on a FILE_READ is EINVAL", how);

	/* the table holds its own references */
	close(fds[0]);
	dmae_prep_file_read(&op, a, 0, 0, 4096);
	op.flags = DMAE_SQE_FIXED_FILE_SRC;
	ok(do_op(&op) == 4096,
	   "%s fixed files: a registered file works after its descriptor is closed", how);
	ok(dmae_unregister_files(&ring) == 0, "%s fixed files: unregistered", how);
	ok(do_op(&op) == -EBADF, "%s fixed files: after that its index is EBADF", how);
	ok(dmae_unregister_files(&ring) == -ENXIO,
	   "%s fixed files: unregistering again is ENXIO", how);
	close(fds[1]);
	close(p[0]);
	close(p[1]);
	munmap(a, 1 << 20);
	free(b);
}

/*
 * --flood DEVICE FILE: FILE_READs of FILE, 8 in flight, and FILE_COPYs
 * from it to FILE.flood, until killed (the shell test kills it with -9
 * and checks nothing stays held or locked).
 */
static int flood(const char *dev, const char *path)
{
	size_t blen = 8 << 20;
	uint8_t *buf = alloc_buf(blen);
	unsigned n = 0;
	int fd = open(path, O_RDONLY), out;
	char opath[256];

	snprintf(opath, sizeof(opath), "%s.flood", path);
	out = open(opath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || !buf || dmae_queue_init_dev(dev, 8, &ring, 0))
		return 1;
	for (;;) {
		struct dmae_sqe *sqe;
		struct dmae_cqe *cqe;

		while ((sqe = dmae_get_sqe(&ring))) {
			if (out >= 0 && n % 4 == 3)
				dmae_prep_file_copy(sqe, out, (n % 8) << 20, fd,
						    (n * 4099u) % (1 << 20), 1 << 20);
			else
				dmae_prep_file_read(sqe, buf + (n % 8) * (1 << 20), fd,
						    (n * 4099u) % (1 << 20), 1 << 20);
			n++;
		}
		if (dmae_submit_and_wait(&ring, 1) < 0)
			return 1;
		while (dmae_peek_cqe(&ring, &cqe) == 0)
			dmae_cqe_seen(&ring, cqe);
	}
}

/*
 * --fail-write DEVICE FILE: the shell has armed the device to fail the
 * next descriptor. A FILE_WRITE over the start of FILE (1 MiB, in the
 * page cache) must fail with EIO, leave the size alone, and leave the
 * page cache and the disk agreeing (what reads back before and after
 * dropping the caches is the same). Prints TAP lines; exit 0 if all pass.
 */
static int fail_write(const char *dev, const char *path)
{
	size_t n = 1 << 20;
	uint8_t *src = alloc_buf(n), *a = malloc(n), *b = malloc(n);
	int fd, ret, dc;

	name = "fail";
	fd = make_file(path, n);
	if (fd < 0 || !src || !a || !b || dmae_queue_init_dev(dev, 8, &ring, 0))
		return 1;
	memset(src, 0xc3, n);
	ret = file_write(fd, 0, src, 256 << 10);
	ok(ret == -EIO, "a FILE_WRITE whose descriptor fails completes with EIO (%d)", ret);
	ok(file_size(fd) == (off_t)n, "the file keeps its size");
	fsync(fd);
	ok(pread(fd, a, n, 0) == (ssize_t)n, "the file reads");
	dc = open("/proc/sys/vm/drop_caches", O_WRONLY);
	ok(dc >= 0 && write(dc, "3", 1) == 1, "caches dropped");
	if (dc >= 0)
		close(dc);
	ok(pread(fd, b, n, 0) == (ssize_t)n && !memcmp(a, b, n),
	   "the page cache and the disk agree after the failed write");
	ret = file_write(fd, 0, src, 256 << 10);
	ok(ret == 256 << 10, "the next FILE_WRITE works (%d)", ret);
	close(fd);
	dmae_queue_exit(&ring);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct io_uring_params p = { .flags = IORING_SETUP_SQE128 };
	const char *dir;
	int ret;

	if (argc == 4 && !strcmp(argv[1], "--flood"))
		return flood(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "--fail-write"))
		return fail_write(argv[2], argv[3]);
	if (argc != 4) {
		fprintf(stderr, "usage: file-test DEVICE DIR NAME\n"
			"       file-test --flood DEVICE FILE\n"
			"       file-test --fail-write DEVICE FILE\n");
		return 2;
	}
	dir = argv[2];
	name = argv[3];
	ret = dmae_queue_init_dev(argv[1], 8, &ring, 0);
	if (ret) {
		printf("not ok - file[%s]: ring setup: %s\n", name, strerror(-ret));
		return 1;
	}
	if (!(ring.features & DMAE_FEAT_FILE_READ)) {
		printf("# file[%s]: no DMAE_FEAT_FILE_READ: skipped\n", name);
		return 77;
	}
	devfd = ring.fd;
	ret = io_uring_queue_init_params(8, &uring, &p);
	if (ret) {
		printf("not ok - file[%s]: io_uring setup: %s\n", name, strerror(-ret));
		return 1;
	}

	test_reads(dir, "ring");
	do_op = ucmd_do;
	test_reads(dir, "uring_cmd");
	do_op = ring_do;
	test_uncached(dir);
	test_fixed(dir);
	if (ring.features & DMAE_FEAT_FIXED_FILES)
		test_fixed_files(dir, "ring");
	test_errors(dir, "ring");
	do_op = ucmd_do;
	if (ring.features & DMAE_FEAT_FIXED_FILES)
		test_fixed_files(dir, "uring_cmd");
	test_errors(dir, "uring_cmd");
	do_op = ring_do;
	test_truncate_race(dir);
	if (ring.features & DMAE_FEAT_FILE_WRITE) {
		test_writes(dir, "ring");
		test_write_errors(dir, "ring");
		test_write_fixed(dir);
		test_write_race(dir);
		do_op = ucmd_do;
		test_writes(dir, "uring_cmd");
		test_write_errors(dir, "uring_cmd");
		do_op = ring_do;
	}
	ok(pages_held() == 0, "no page-cache page stays held at the end (%ld)",
	   pages_held());
	io_uring_queue_exit(&uring);
	dmae_queue_exit(&ring);
	return failures ? 1 : 0;
}
