// SPDX-License-Identifier: MIT
/*
 * dmae-pipeline: producer -> engine -> consumer, with the three stages
 * overlapping.
 *
 * A producer thread fills source buffers with a known stream, the main
 * thread has the engine copy each full source buffer into a free
 * destination buffer (through the shared ring, several in flight), and a
 * consumer thread checks each destination buffer against the stream and
 * drains it to a sink: a file, a pipe, or a loopback TCP socket, whose
 * reader checks the byte count and a checksum at the far end. With
 * SLOTS = 2 each side is double-buffered: the producer fills one buffer
 * while the engine empties the other. --cpu does the middle stage with
 * memcpy instead, for comparison. With the sink engine-file:PATH the
 * engine writes each source buffer straight into the file's page cache
 * (FILE_WRITE, a pwrite by the engine): no destination buffer, no
 * consumer, no write(2); the file is read back and summed at the end.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cpustat.h"
#include "devhint.h"
#include "sizearg.h"
#include "libdmae.h"

#define MAX_SLOTS	32

/* A bounded FIFO of slot numbers, for handing buffers between stages. */
struct fifo {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int item[MAX_SLOTS + 1];
	unsigned int head, tail;
};

struct chunk {
	uint64_t idx;	/* position in the stream, in chunks */
	size_t len;
};

enum sink { SINK_FILE, SINK_PIPE, SINK_SOCKET, SINK_NONE, SINK_FILE_DMA };

struct pipeline {
	size_t chunk, nslots;
	uint64_t total, nchunks;
	bool cpu, verbose;
	enum sink sink;
	const char *path;
	uint8_t *src[MAX_SLOTS], *dst[MAX_SLOTS];
	struct chunk src_chunk[MAX_SLOTS], dst_chunk[MAX_SLOTS];
	struct fifo src_free, src_full, dst_free, dst_full;
	int sink_fd;		/* the consumer writes here */
	int far_fd;		/* the reader of a pipe or socket reads here */
	uint64_t sum_sent;	/* checksum of the stream, by the consumer */
	uint64_t sum_recv;	/* and as the far end saw it */
	uint64_t bytes_recv;
	int err;		/* first error, as -errno */
	const char *err_where;
};

static void fifo_init(struct fifo *f)
{
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	f->head = f->tail = 0;
}

static void fifo_put(struct fifo *f, int v)
{
	pthread_mutex_lock(&f->lock);
	f->item[f->tail++ % (MAX_SLOTS + 1)] = v;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

/* Next item; waits unless @wait is false (then -1 if empty). */
static int fifo_get(struct fifo *f, bool wait)
{
	int v = -1;

	pthread_mutex_lock(&f->lock);
	while (wait && f->head == f->tail)
		pthread_cond_wait(&f->cond, &f->lock);
	if (f->head != f->tail)
		v = f->item[f->head++ % (MAX_SLOTS + 1)];
	pthread_mutex_unlock(&f->lock);
	return v;
}

static pthread_mutex_t err_lock = PTHREAD_MUTEX_INITIALIZER;

static void fail(struct pipeline *p, int err, const char *where)
{
	pthread_mutex_lock(&err_lock);
	if (!p->err) {
		p->err = err;
		p->err_where = where;
	}
	pthread_mutex_unlock(&err_lock);
}

static bool failed(struct pipeline *p)
{
	bool ret;

	pthread_mutex_lock(&err_lock);
	ret = p->err != 0;
	pthread_mutex_unlock(&err_lock);
	return ret;
}

/* The stream: word i of chunk c is a hash of (c, i), cheap to check. */
static inline uint64_t word(uint64_t c, uint64_t i)
{
	uint64_t x = (c << 32 | i) * 0x9e3779b97f4a7c15ull;

	return x ^ x >> 29;
}

static void produce(uint8_t *buf, const struct chunk *c)
{
	uint64_t *w = (uint64_t *)buf, i;

	for (i = 0; i < c->len / 8; i++)
		w[i] = word(c->idx, i);
}

static bool check(const uint8_t *buf, const struct chunk *c, uint64_t *sum)
{
	const uint64_t *w = (const uint64_t *)buf;
	uint64_t i;

	for (i = 0; i < c->len / 8; i++) {
		if (w[i] != word(c->idx, i))
			return false;
		*sum += w[i];
	}
	return true;
}

static void *producer(void *arg)
{
	struct pipeline *p = arg;
	uint64_t c;

	for (c = 0; c < p->nchunks; c++) {
		int s = fifo_get(&p->src_free, true);

		if (s < 0)	/* the mover gave up */
			break;
		p->src_chunk[s].idx = c;
		p->src_chunk[s].len = c == p->nchunks - 1 ?
				      p->total - c * p->chunk : p->chunk;
		produce(p->src[s], &p->src_chunk[s]);
		fifo_put(&p->src_full, s);
	}
	return NULL;
}

static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Check each copied buffer, in stream order, and drain it to the sink. */
static void *consumer(void *arg)
{
	struct pipeline *p = arg;
	int pending[MAX_SLOTS];
	uint64_t next = 0;
	unsigned int i;
	int ret;

	for (i = 0; i < MAX_SLOTS; i++)
		pending[i] = -1;
	while (next < p->nchunks) {
		int s = pending[next % p->nslots];

		if (s < 0) {
			/* Copies may finish out of order: park them. */
			s = fifo_get(&p->dst_full, true);
			if (s < 0)
				break;
			pending[p->dst_chunk[s].idx % p->nslots] = s;
			continue;
		}
		pending[next % p->nslots] = -1;
		if (!check(p->dst[s], &p->dst_chunk[s], &p->sum_sent)) {
			fail(p, -EIO, "consumer check");
			fifo_put(&p->dst_free, -1);	/* wake the mover */
			break;
		}
		if (p->sink_fd >= 0) {
			ret = write_all(p->sink_fd, p->dst[s], p->dst_chunk[s].len);
			if (ret) {
				fail(p, ret, "sink write");
				fifo_put(&p->dst_free, -1);
				break;
			}
		}
		fifo_put(&p->dst_free, s);
		next++;
		if (p->verbose && !(next % (p->nchunks / 4 ? p->nchunks / 4 : 1)) &&
		    next < p->nchunks)
			printf("    %llu of %llu chunks through\n",
			       (unsigned long long)next,
			       (unsigned long long)p->nchunks);
	}
	if (p->sink == SINK_PIPE || p->sink == SINK_SOCKET) {
		/* End of stream for the far end. */
		close(p->sink_fd);
		p->sink_fd = -1;
	}
	return NULL;
}

/* The far end of a pipe or socket: count and sum what arrives. */
static void *far_reader(void *arg)
{
	struct pipeline *p = arg;
	static uint64_t buf[1 << 13];
	size_t carry = 0;
	ssize_t n;

	/* Sum whole words; a word may straddle two reads. */
	while ((n = read(p->far_fd, (uint8_t *)buf + carry,
			 sizeof(buf) - carry)) > 0) {
		size_t have = carry + n, i;

		for (i = 0; i < have / 8; i++)
			p->sum_recv += buf[i];
		carry = have % 8;
		memmove(buf, (uint8_t *)buf + have - carry, carry);
		p->bytes_recv += n;
	}
	if (n < 0)
		fail(p, -errno, "far-end read");
	return NULL;
}

/* The middle stage: full source + free destination -> engine copy. */
static int move(struct pipeline *p)
{
	struct dmae_ring ring;
	struct dmae_sqe *sqe;
	struct dmae_cqe *cqe;
	uint64_t moved = 0;
	unsigned int inflight = 0;
	bool to_file = p->sink == SINK_FILE_DMA;
	int ret = 0;

	if (!p->cpu) {
		ret = dmae_queue_init(p->nslots, &ring, 0);
		if (ret)
			return ret;
		if (p->sink == SINK_FILE_DMA &&
		    !(ring.features & DMAE_FEAT_FILE_WRITE)) {
			dmae_queue_exit(&ring);
			return -EOPNOTSUPP;
		}
	}
	while (moved < p->nchunks && !failed(p)) {
		/*
		 * Start a copy for every pair of buffers that is ready (to a
		 * file: every full source buffer). Block for them only when
		 * nothing is in flight: the producer may be waiting for a
		 * source buffer that only a completion frees.
		 */
		int d = to_file ? -1 : fifo_get(&p->dst_free, !inflight), s = -1;

		if (to_file || d >= 0) {
			s = fifo_get(&p->src_full, !inflight);
			if (s < 0 && d >= 0) {
				fifo_put(&p->dst_free, d);
				d = -1;
			}
		}
		if (s < 0 && !inflight)	/* another stage gave up */
			break;
		if (s >= 0) {
			if (!to_file) {
				p->dst_chunk[d] = p->src_chunk[s];
				if (p->cpu) {
					memcpy(p->dst[d], p->src[s],
					       p->src_chunk[s].len);
					fifo_put(&p->src_free, s);
					fifo_put(&p->dst_full, d);
					moved++;
					continue;
				}
			}
			sqe = dmae_get_sqe(&ring);
			if (to_file)	/* the engine writes it into the file */
				dmae_prep_file_write(sqe, p->sink_fd,
						     p->src_chunk[s].idx * p->chunk,
						     p->src[s], p->src_chunk[s].len);
			else
				dmae_prep_copy(sqe, p->dst[d], p->src[s],
					       p->src_chunk[s].len);
			dmae_sqe_set_data(sqe, (uint64_t)s << 32 | (unsigned int)d);
			ret = dmae_submit(&ring);
			if (ret < 0)
				break;
			ret = 0;
			inflight++;
			continue;
		}
		ret = dmae_wait_cqe(&ring, &cqe);
		if (ret)
			break;
		s = cqe->user_data >> 32;
		d = (unsigned int)cqe->user_data;
		if (cqe->res != (int)p->src_chunk[s].len) {
			ret = cqe->res < 0 ? cqe->res : -EIO;
			dmae_cqe_seen(&ring, cqe);
			inflight--;	/* the drain below waits for the rest */
			break;
		}
		dmae_cqe_seen(&ring, cqe);
		inflight--;
		fifo_put(&p->src_free, s);
		if (!to_file)
			fifo_put(&p->dst_full, d);
		moved++;
	}
	if (!p->cpu) {
		while (inflight && !dmae_wait_cqe(&ring, &cqe)) {
			inflight--;
			dmae_cqe_seen(&ring, cqe);
		}
		dmae_queue_exit(&ring);
	}
	return ret;
}

static int open_sink(struct pipeline *p)
{
	int fds[2], lfd;
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);

	p->sink_fd = p->far_fd = -1;
	switch (p->sink) {
	case SINK_NONE:
		return 0;
	case SINK_FILE:
		p->sink_fd = open(p->path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		return p->sink_fd < 0 ? -errno : 0;
	case SINK_FILE_DMA:
		p->sink_fd = open(p->path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		return p->sink_fd < 0 ? -errno : 0;
	case SINK_PIPE:
		if (pipe(fds))
			return -errno;
		p->far_fd = fds[0];
		p->sink_fd = fds[1];
		return 0;
	case SINK_SOCKET:
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		lfd = socket(AF_INET, SOCK_STREAM, 0);
		if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) ||
		    listen(lfd, 1) ||
		    getsockname(lfd, (struct sockaddr *)&a, &alen))
			return -errno;
		p->sink_fd = socket(AF_INET, SOCK_STREAM, 0);
		if (p->sink_fd < 0 ||
		    connect(p->sink_fd, (struct sockaddr *)&a, sizeof(a)))
			return -errno;
		p->far_fd = accept(lfd, NULL, NULL);
		close(lfd);
		return p->far_fd < 0 ? -errno : 0;
	}
	return -EINVAL;
}

/*
 * The engine-file sink: read the file back chunk by chunk and check each
 * against the stream at its place, so that a chunk written at the wrong
 * offset is found (a sum alone does not see the order).
 */
static int check_file_chunks(struct pipeline *p)
{
	struct chunk c = { 0 };
	int ret = 0;

	for (c.idx = 0; c.idx < p->nchunks && !ret; c.idx++) {
		size_t got = 0;

		c.len = c.idx == p->nchunks - 1 ?
			p->total - c.idx * p->chunk : p->chunk;
		while (got < c.len) {
			ssize_t n = read(p->far_fd, p->dst[0] + got, c.len - got);

			if (n <= 0)
				break;
			got += n;
		}
		p->bytes_recv += got;
		if (got != c.len || !check(p->dst[0], &c, &p->sum_recv))
			ret = -EIO;
	}
	return ret;
}

/* The file sink: read it back and sum it, as the far end would. */
static int check_file(struct pipeline *p)
{
	int ret = 0;

	p->far_fd = open(p->path, O_RDONLY);
	if (p->far_fd < 0)
		return -errno;
	if (p->sink == SINK_FILE_DMA)
		ret = check_file_chunks(p);
	else
		far_reader(p);
	close(p->far_fd);
	return ret;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dmae-pipeline [-s TOTAL] [-c CHUNK] [-n SLOTS] [--cpu] [-v]\n"
		"                     [-o file:PATH|engine-file:PATH|pipe|socket|none] [-d DEV]\n"
		"A producer thread fills buffers with a known stream, the engine\n"
		"copies each into a destination buffer, and a consumer thread checks\n"
		"it and drains it to the sink, all three at once. The far end of the\n"
		"sink checks the byte count and checksum. Prints throughput and CPU.\n"
		"  -s TOTAL  bytes through the pipeline (default 64m)\n"
		"  -c CHUNK  bytes per buffer (default 1m; 4k to 64m, a multiple of 8)\n"
		"  -n SLOTS  buffers on each side (2 to %d, default 2: double buffering)\n"
		"  -o SINK   file:PATH, pipe, socket (loopback TCP) or none (default pipe);\n"
		"            engine-file:PATH: the engine writes the source buffers into\n"
		"            the file itself (FILE_WRITE), no destination buffers or consumer\n"
		"  --cpu     the middle stage is memcpy instead of the engine\n"
		"  -v        progress lines\n"
		"  -d DEV    the engine (default $DMAE_DEVICE or /dev/dma_engine0)\n",
		MAX_SLOTS);
}

static const char *const sink_names[] = { "file", "pipe", "socket", "none",
					  "engine-file" };

/* The checksum of the whole stream, as the consumer would sum it. */
static uint64_t stream_sum(const struct pipeline *p)
{
	uint64_t c, i, sum = 0;

	for (c = 0; c < p->nchunks; c++) {
		uint64_t len = c == p->nchunks - 1 ? p->total - c * p->chunk :
						     p->chunk;

		for (i = 0; i < len / 8; i++)
			sum += word(c, i);
	}
	return sum;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cpu", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct pipeline p = {
		.chunk = 1 << 20, .nslots = 2, .total = 64 << 20,
		.sink = SINK_PIPE,
	};
	pthread_t tp, tc, tf;
	double t, busy0 = 0, busy1 = 0, self;
	long long v;
	unsigned int i;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "s:c:n:o:d:vh", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 's':
			v = parse_size(optarg);
			if (v < 1) {
				fprintf(stderr, "dmae-pipeline: bad -s '%s'\n", optarg);
				return 2;
			}
			p.total = v;
			break;
		case 'c':
			v = parse_size(optarg);
			if (v < 4096 || v > (64 << 20) || v % 8) {
				fprintf(stderr, "dmae-pipeline: -c takes 4k to 64m, a multiple of 8\n");
				return 2;
			}
			p.chunk = v;
			break;
		case 'n':
			v = parse_size(optarg);
			if (v < 2 || v > MAX_SLOTS) {
				fprintf(stderr, "dmae-pipeline: -n takes 2 to %d\n",
					MAX_SLOTS);
				return 2;
			}
			p.nslots = v;
			break;
		case 'o':
			if (!strncmp(optarg, "file:", 5) && optarg[5]) {
				p.sink = SINK_FILE;
				p.path = optarg + 5;
			} else if (!strncmp(optarg, "engine-file:", 12) &&
				   optarg[12]) {
				p.sink = SINK_FILE_DMA;
				p.path = optarg + 12;
			} else if (!strcmp(optarg, "pipe")) {
				p.sink = SINK_PIPE;
			} else if (!strcmp(optarg, "socket")) {
				p.sink = SINK_SOCKET;
			} else if (!strcmp(optarg, "none")) {
				p.sink = SINK_NONE;
			} else {
				fprintf(stderr, "dmae-pipeline: -o takes file:PATH, engine-file:PATH, pipe, socket or none\n");
				return 2;
			}
			break;
		case 'd':
			setenv("DMAE_DEVICE", optarg, 1);
			break;
		case 'C':
			p.cpu = true;
			break;
		case 'v':
			p.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (p.cpu && p.sink == SINK_FILE_DMA) {
		fprintf(stderr, "dmae-pipeline: engine-file needs the engine (not --cpu)\n");
		return 2;
	}
	if (!p.cpu && dmae_dev_check("dmae-pipeline", getenv("DMAE_DEVICE") ?
				     getenv("DMAE_DEVICE") : "/dev/dma_engine0"))
		return 1;
	if (p.total % 8) {
		fprintf(stderr, "dmae-pipeline: -s must be a multiple of 8\n");
		return 2;
	}
	p.nchunks = (p.total + p.chunk - 1) / p.chunk;
	for (i = 0; i < p.nslots; i++) {
		p.src[i] = mmap(NULL, p.chunk, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		p.dst[i] = mmap(NULL, p.chunk, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (p.src[i] == MAP_FAILED || p.dst[i] == MAP_FAILED) {
			fprintf(stderr, "dmae-pipeline: out of memory\n");
			return 1;
		}
	}
	fifo_init(&p.src_free);
	fifo_init(&p.src_full);
	fifo_init(&p.dst_free);
	fifo_init(&p.dst_full);
	for (i = 0; i < p.nslots; i++) {
		fifo_put(&p.src_free, i);
		fifo_put(&p.dst_free, i);
	}
	ret = open_sink(&p);
	if (ret) {
		fprintf(stderr, "dmae-pipeline: sink %s: %s\n",
			sink_names[p.sink], strerror(-ret));
		return 1;
	}
	printf("dmae-pipeline: %llu bytes in chunks of %zu, %zu buffers a side, middle stage %s, sink %s%s%s\n",
	       (unsigned long long)p.total, p.chunk, p.nslots,
	       p.cpu ? "memcpy" : "engine", sink_names[p.sink],
	       p.path ? " " : "", p.path ? p.path : "");
	fflush(stdout);
	if (cpustat_busy(&busy0))
		busy0 = 0;
	self = cpustat_self();
	{
		struct timespec a, b;

		clock_gettime(CLOCK_MONOTONIC, &a);
		pthread_create(&tp, NULL, producer, &p);
		if (p.sink != SINK_FILE_DMA)
			pthread_create(&tc, NULL, consumer, &p);
		if (p.far_fd >= 0)
			pthread_create(&tf, NULL, far_reader, &p);
		ret = move(&p);
		if (ret)
			fail(&p, ret, p.cpu ? "memcpy" : "engine copy");
		if (failed(&p)) {
			/* Unblock the other stages so that they end. */
			fifo_put(&p.src_free, -1);
			fifo_put(&p.dst_full, -1);
		}
		pthread_join(tp, NULL);
		if (p.sink != SINK_FILE_DMA)
			pthread_join(tc, NULL);
		if (p.far_fd >= 0) {
			if (p.sink_fd >= 0) {	/* the consumer stopped early */
				close(p.sink_fd);
				p.sink_fd = -1;
			}
			pthread_join(tf, NULL);
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		t = b.tv_sec - a.tv_sec + (b.tv_nsec - a.tv_nsec) / 1e9;
	}
	self = cpustat_self() - self;
	if (cpustat_busy(&busy1))
		busy1 = busy0;
	if (p.sink == SINK_FILE_DMA)
		p.sum_sent = stream_sum(&p);
	if (p.sink == SINK_FILE || p.sink == SINK_FILE_DMA) {
		close(p.sink_fd);
		if (!p.err && (ret = check_file(&p)))
			fail(&p, ret, ret == -EIO ?
			     "the file read back: a chunk is short or differs from the stream" :
			     "reading the file back");
	}
	if (p.err) {
		printf("FAILED: %s: %s\n", p.err_where, strerror(-p.err));
		return 1;
	}
	printf("  %.3f s, %.1f MB/s; CPU: %.2f s all CPUs (%.3f s per GiB), %.2f s this process\n",
	       t, p.total / t / 1e6, busy1 - busy0,
	       (busy1 - busy0) / ((double)p.total / (1u << 30)), self);
	if (p.sink == SINK_NONE) {
		printf("  every buffer checked by the consumer (no sink)\n");
		return 0;
	}
	if (p.bytes_recv != p.total || p.sum_recv != p.sum_sent) {
		printf("FAILED: the %s end got %llu bytes (checksum %s), expected %llu\n",
		       sink_names[p.sink], (unsigned long long)p.bytes_recv,
		       p.sum_recv == p.sum_sent ? "equal" : "differs",
		       (unsigned long long)p.total);
		return 1;
	}
	printf("  %s; the %s end got all %llu bytes, checksum equal\n",
	       p.sink == SINK_FILE_DMA ? "written into the file by the engine" :
	       "every buffer checked by the consumer",
	       sink_names[p.sink], (unsigned long long)p.bytes_recv);
	return 0;
}
