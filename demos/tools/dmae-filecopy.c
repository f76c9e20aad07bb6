// SPDX-License-Identifier: MIT
/*
 * dmae-filecopy: a sendfile-like file copy by the engine, against the
 * kernel's own ways of copying a file, in one run.
 *
 * "engine": both files are mapped (MAP_SHARED), and each chunk is a copy
 * through the shared ring from the source's pages to the destination's:
 * the driver pins the page-cache pages and the engine moves the bytes
 * between them; no byte passes through the CPU. The other methods are
 * read/write through a buffer, sendfile(2) and copy_file_range(2). After
 * each method the destination is compared with the source byte for byte.
 * "engine-fd" names both files by descriptor (FILE_COPY): no mapping, no
 * page-table work.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "devhint.h"
#include "cpustat.h"
#include "filecmp.h"
#include "sizearg.h"
#include "libdmae.h"

#define MAX_DEPTH	64

struct job {
	const char *src_path, *dst_path, *dev, *label;
	FILE *csv;
	size_t chunk;
	unsigned int depth;
	off_t size;
	bool verbose;
	bool overwrite;	/* -k: into existing pages, not a fresh file */
};

typedef int (*copy_fn)(const struct job *j, int in, int out);

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* A progress line every quarter of a large file. */
static void progress(const struct job *j, const char *how, off_t done,
		     off_t *next)
{
	if (!j->verbose || done < *next || done >= j->size)
		return;
	printf("    %s: %lld of %lld MiB\n", how, (long long)(done >> 20),
	       (long long)(j->size >> 20));
	fflush(stdout);
	*next += j->size / 4;
}

static int copy_engine(const struct job *j, int in, int out)
{
	unsigned int inflight = 0;
	off_t off = 0, done = 0, next = j->size / 4;
	struct dmae_ring ring;
	struct dmae_cqe *cqe;
	uint8_t *src, *dst;
	double t0 = now(), t1 = 0, t2 = 0;
	int ret;

	/*
	 * Give the destination its pages in one call where the file system
	 * can (write(2) allocates as it goes; faulting them in one by one
	 * while pinning costs more), and map both files populated, so that
	 * pinning finds the pages in the page tables.
	 */
	if (fallocate(out, 0, 0, j->size) && ftruncate(out, j->size))
		return -errno;
	src = mmap(NULL, j->size, PROT_READ, MAP_SHARED | MAP_POPULATE, in, 0);
	if (src == MAP_FAILED)
		return -errno;
	dst = mmap(NULL, j->size, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_POPULATE, out, 0);
	if (dst == MAP_FAILED) {
		ret = -errno;
		munmap(src, j->size);
		return ret;
	}
	ret = dmae_queue_init_dev(j->dev, j->depth, &ring, 0);
	if (ret)
		goto out_unmap;
	if (j->chunk > ring.max_len) {
		fprintf(stderr, "dmae-filecopy: -c %zu is over the engine's %u\n",
			j->chunk, ring.max_len);
		ret = -EINVAL;
		goto out_exit;
	}
	t1 = now();
	while (done < j->size && !ret) {
		while (inflight < j->depth && off < j->size) {
			size_t n = j->size - off < (off_t)j->chunk ?
				   (size_t)(j->size - off) : j->chunk;
			struct dmae_sqe *sqe = dmae_get_sqe(&ring);

			dmae_prep_copy(sqe, dst + off, src + off, n);
			dmae_sqe_set_data(sqe, n);
			off += n;
			inflight++;
		}
		ret = dmae_submit_and_wait(&ring, 1);
		if (ret < 0)
			break;
		ret = 0;
		while (!dmae_peek_cqe(&ring, &cqe)) {
			if (cqe->res != (int)cqe->user_data && !ret)
				ret = cqe->res < 0 ? cqe->res : -EIO;
			done += cqe->user_data;
			inflight--;
			dmae_cqe_seen(&ring, cqe);
		}
		progress(j, "engine", done, &next);
	}
	/* After an error, let what is in flight finish before unmapping. */
	while (inflight && !dmae_wait_cqe(&ring, &cqe)) {
		inflight--;
		dmae_cqe_seen(&ring, cqe);
	}
	t2 = now();
	/* The bytes are in the page cache; make them the file's, as write does. */
	if (!ret && msync(dst, j->size, MS_SYNC))
		ret = -errno;
out_exit:
	dmae_queue_exit(&ring);
out_unmap:
	munmap(dst, j->size);
	munmap(src, j->size);
	if (j->verbose && t2 > 0)
		printf("    engine: %.3f s to allocate and map, %.3f s of copies, %.3f s to sync and unmap\n",
		       t1 - t0, t2 - t1, now() - t2);
	return ret;
}

/*
 * "engine-fd": FILE_COPY entries, the files named by descriptor: the
 * kernel finds both files' pages, the engine moves the bytes, nothing is
 * mapped into the process (uapi version 2).
 */
static int copy_engine_fd(const struct job *j, int in, int out)
{
	off_t done = 0, next = j->size / 4;
	struct dmae_ring ring;
	struct dmae_cqe *cqe;
	int ret;

	ret = dmae_queue_init_dev(j->dev, j->depth, &ring, 0);
	if (ret)
		return ret;
	if (!(ring.features & DMAE_FEAT_FILE_WRITE)) {
		dmae_queue_exit(&ring);
		return -EOPNOTSUPP;
	}
	while (done < j->size && !ret) {
		size_t n = j->size - done < (off_t)ring.max_len ?
			   (size_t)(j->size - done) : ring.max_len;
		struct dmae_sqe *sqe = dmae_get_sqe(&ring);

		dmae_prep_file_copy(sqe, out, done, in, done, n);
		ret = dmae_submit_and_wait(&ring, 1);
		if (ret < 0)
			break;
		ret = dmae_wait_cqe(&ring, &cqe);
		if (ret)
			break;
		/* a short copy: the source shrank under us */
		ret = cqe->res <= 0 ? (cqe->res ? cqe->res : -EIO) : 0;
		if (!ret)
			done += cqe->res;
		dmae_cqe_seen(&ring, cqe);
		progress(j, "engine-fd", done, &next);
	}
	dmae_queue_exit(&ring);
	return ret;
}

static int copy_read_write(const struct job *j, int in, int out)
{
	off_t done = 0, next = j->size / 4;
	char *buf = malloc(j->chunk);
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	while (done < j->size) {
		ssize_t n = read(in, buf, j->chunk), w = 0;

		if (n <= 0) {
			ret = n ? -errno : -EIO;	/* EIO: file shrank */
			break;
		}
		while (w < n) {
			ssize_t k = write(out, buf + w, n - w);

			if (k < 0) {
				ret = -errno;
				goto out;
			}
			w += k;
		}
		done += n;
		progress(j, "read/write", done, &next);
	}
out:
	free(buf);
	return ret;
}

static int copy_sendfile(const struct job *j, int in, int out)
{
	off_t done = 0, next = j->size / 4;

	while (done < j->size) {
		ssize_t n = sendfile(out, in, NULL, j->size - done);

		if (n <= 0)
			return n ? -errno : -EIO;
		done += n;
		progress(j, "sendfile", done, &next);
	}
	return 0;
}

static int copy_cfr(const struct job *j, int in, int out)
{
	off_t done = 0, next = j->size / 4;

	while (done < j->size) {
		ssize_t n = copy_file_range(in, NULL, out, NULL,
					    j->size - done, 0);

		if (n <= 0)
			return n ? -errno : -EIO;
		done += n;
		progress(j, "copy_file_range", done, &next);
	}
	return 0;
}

static const struct {
	const char *name;
	copy_fn fn;
} methods[] = {
	{ "engine", copy_engine },
	{ "engine-fd", copy_engine_fd },
	{ "read-write", copy_read_write },
	{ "sendfile", copy_sendfile },
	{ "copy_file_range", copy_cfr },
};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

/*
 * -k: the destination is first written whole with a pattern no source
 * byte run matches for long (0xa5), so that the method overwrites pages
 * that are already in the page cache, and a method that skipped a page
 * would leave the pattern there for the comparison to find.
 */
static int prefill(const struct job *j)
{
	char *buf = malloc(j->chunk);
	off_t done = 0;
	int fd, ret = 0;

	fd = open(j->dst_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (!buf || fd < 0) {
		ret = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	memset(buf, 0xa5, j->chunk);
	while (done < j->size) {
		size_t n = j->size - done < (off_t)j->chunk ?
			   (size_t)(j->size - done) : j->chunk;
		ssize_t w = write(fd, buf, n);

		if (w <= 0) {
			ret = w < 0 ? -errno : -EIO;
			break;
		}
		done += w;
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

/*
 * Run one method, into an empty destination (or with -k a prefilled one);
 * 0 if it copied and the destination is identical with the source.
 */
static int run(const struct job *j, unsigned int m)
{
	double t, busy0 = 0, busy1 = 0, self0;
	int in, out, ret;

	if (j->overwrite) {
		ret = prefill(j);
		if (ret) {
			fprintf(stderr, "dmae-filecopy: %s: %s\n", j->dst_path,
				strerror(-ret));
			return 1;
		}
	}
	in = open(j->src_path, O_RDONLY);
	out = open(j->dst_path, O_RDWR | O_CREAT | (j->overwrite ? 0 : O_TRUNC),
		   0644);
	if (in < 0 || out < 0) {
		fprintf(stderr, "dmae-filecopy: %s: %s\n",
			in < 0 ? j->src_path : j->dst_path, strerror(errno));
		if (in >= 0)
			close(in);
		if (out >= 0)
			close(out);
		return 1;
	}
	if (cpustat_busy(&busy0))
		busy0 = 0;
	self0 = cpustat_self();
	t = now();
	ret = j->size ? methods[m].fn(j, in, out) : 0;
	t = now() - t;
	self0 = cpustat_self() - self0;
	if (cpustat_busy(&busy1))
		busy1 = busy0;
	close(in);
	close(out);
	if (ret) {
		printf("  %-16s FAILED: %s\n", methods[m].name, strerror(-ret));
		if (j->csv) {
			fprintf(j->csv, "%s,%lld,%s,,,,,failed\n", j->label,
				(long long)j->size, methods[m].name);
			fflush(j->csv);
		}
		return 1;
	}
	in = open(j->src_path, O_RDONLY);
	out = open(j->dst_path, O_RDONLY);
	ret = in >= 0 && out >= 0 && files_equal(in, out) ? 0 : 1;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	printf("  %-16s %9.3f %9.1f %12.3f %12.3f  %s\n", methods[m].name, t,
	       t > 0 ? j->size / t / 1e6 : 0, busy1 - busy0, self0,
	       ret ? "DIFFERS" : "identical");
	fflush(stdout);
	if (j->csv) {
		fprintf(j->csv, "%s,%lld,%s,%.6f,%.1f,%.3f,%.3f,%s\n", j->label,
			(long long)j->size, methods[m].name, t,
			t > 0 ? j->size / t / 1e6 : 0, busy1 - busy0, self0,
			ret ? "differs" : "identical");
		fflush(j->csv);
	}
	return ret ? 1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dmae-filecopy [-d DEV] [-c CHUNK] [-q DEPTH] [-m METHODS] [-k] [-v]\n"
		"                     [-o CSV [-L LABEL]] SRC DST\n"
		"Copy the file SRC to DST by each method and compare DST with SRC byte\n"
		"for byte after each; print the time, MB/s and CPU time of each.\n"
		"Methods (-m, comma-separated; default all):\n"
		"  engine           both files mapped, the engine copies page cache to\n"
		"                   page cache through the shared ring, then msync\n"
		"  engine-fd        FILE_COPY entries naming both files by descriptor:\n"
		"                   no mapping; the engine copies page cache to page cache\n"
		"  read-write       read(2) into a CHUNK buffer, write(2) it out\n"
		"  sendfile         sendfile(2)\n"
		"  copy_file_range  copy_file_range(2)\n"
		"Options:\n"
		"  -d DEV    engine device (default $DMAE_DEVICE or /dev/dma_engine0)\n"
		"  -c CHUNK  bytes per engine copy and read/write buffer (default 4 MiB;\n"
		"            4 KiB to 64 MiB; suffixes k and m)\n"
		"  -q DEPTH  engine copies in flight (1 to %d, default 8)\n"
		"  -k        overwrite: before each method DST is written whole with 0xa5\n"
		"            bytes (not timed), so the copy goes into pages already in the\n"
		"            page cache instead of a fresh, empty file\n"
		"  -v        progress lines while copying\n"
		"  -o CSV    also append one line per method to the file CSV:\n"
		"            label,bytes,method,seconds,MB/s,cpu_all_s,cpu_proc_s,output\n"
		"            (output: identical, differs, or failed with the figures empty)\n"
		"            (a header line first when the file is empty)\n"
		"  -L LABEL  the label column of -o (default \"-\"; say the file system)\n"
		"CPU time: \"all CPUs\" is the busy time of every CPU (/proc/stat, 10 ms\n"
		"ticks), which includes the kernel's work on our behalf; \"process\" is\n"
		"getrusage(). DST is overwritten.\n", MAX_DEPTH);
}

int main(int argc, char **argv)
{
	struct job j = { .chunk = 4 << 20, .depth = 8 };
	bool use[NMETHODS];
	char *tok, *save = NULL;
	const char *csv_path = NULL;
	struct stat st;
	unsigned int m;
	long long v;
	int opt, failed = 0;

	memset(use, 1, sizeof(use));
	j.dev = getenv("DMAE_DEVICE") ? getenv("DMAE_DEVICE") :
					"/dev/dma_engine0";
	j.label = "-";
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};

	while ((opt = getopt_long(argc, argv, "d:c:q:m:kvo:L:h", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'o':
			csv_path = optarg;
			break;
		case 'L':
			if (!*optarg || strpbrk(optarg, ",\n")) {
				fprintf(stderr, "dmae-filecopy: -L takes a label without commas\n");
				return 2;
			}
			j.label = optarg;
			break;
		case 'd':
			j.dev = optarg;
			break;
		case 'c':
			v = parse_size(optarg);
			if (v < 4096 || v > (64 << 20)) {
				fprintf(stderr, "dmae-filecopy: -c takes 4k to 64m\n");
				return 2;
			}
			j.chunk = v;
			break;
		case 'q':
			v = parse_size(optarg);
			if (v < 1 || v > MAX_DEPTH) {
				fprintf(stderr, "dmae-filecopy: -q takes 1 to %d\n",
					MAX_DEPTH);
				return 2;
			}
			j.depth = v;
			break;
		case 'm':
			memset(use, 0, sizeof(use));
			for (tok = strtok_r(optarg, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				for (m = 0; m < NMETHODS; m++)
					if (!strcmp(tok, methods[m].name))
						break;
				if (m == NMETHODS) {
					fprintf(stderr, "dmae-filecopy: unknown method '%s'\n",
						tok);
					return 2;
				}
				use[m] = true;
			}
			break;
		case 'v':
			j.verbose = true;
			break;
		case 'k':
			j.overwrite = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	j.src_path = argv[optind];
	j.dst_path = argv[optind + 1];
	errno = 0;
	if (stat(j.src_path, &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "dmae-filecopy: %s: %s\n", j.src_path,
			errno ? strerror(errno) : "not a regular file");
		return 1;
	}
	j.size = st.st_size;
	/* Say what to do about the device before any method runs. */
	if ((use[0] || use[1]) && dmae_dev_check("dmae-filecopy", j.dev))
		return 1;
	if (csv_path) {
		j.csv = fopen(csv_path, "a");
		if (!j.csv) {
			fprintf(stderr, "dmae-filecopy: %s: %s\n", csv_path,
				strerror(errno));
			return 1;
		}
		if (!fstat(fileno(j.csv), &st) && st.st_size == 0)
			fprintf(j.csv, "label,bytes,method,seconds,mbps,cpu_all_s,cpu_proc_s,output\n");
	}
	printf("dmae-filecopy: %s -> %s, %lld bytes; engine: chunks of %zu, %u in flight\n",
	       j.src_path, j.dst_path, (long long)j.size, j.chunk, j.depth);
	printf("  %-16s %9s %9s %12s %12s  %s\n", "method", "seconds", "MB/s",
	       "CPU all (s)", "CPU proc (s)", "output");
	for (m = 0; m < NMETHODS; m++)
		if (use[m])
			failed += run(&j, m);
	if (j.csv) {
		int bad = ferror(j.csv);

		if (fclose(j.csv) || bad) {
			fprintf(stderr, "dmae-filecopy: %s: %s\n", csv_path,
				bad ? "write error" : strerror(errno));
			failed++;
		}
	}
	return failed ? 1 : 0;
}
