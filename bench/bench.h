/* SPDX-License-Identifier: MIT */
/*
 * dmae-bench: guest CPU memcpy against the engine's offload paths.
 * See bench/README.md for what is measured and how.
 */
#ifndef DMAE_BENCH_H
#define DMAE_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <liburing.h>

#include "libdmae.h"

/* The ways a copy (or a NOP) can be done; see path_name(). */
enum bench_path {
	PATH_MEMCPY,	/* memcpy() in the benchmark process */
	PATH_KCPU,	/* shared ring, copy done by the kernel's CPU path */
	PATH_RING,	/* shared ring, engine, plain user buffers */
	PATH_FIXED,	/* shared ring, engine, registered buffers */
	PATH_URING,	/* stock io_uring, IORING_OP_URING_CMD copy */
	PATH_SEED,	/* the seed's register block, one copy at a time */
	PATH_DEVICE,	/* in-kernel streaming copies: the engine's ceiling */
	PATH_NOP_URING,	/* io_uring's own IORING_OP_NOP */
	PATH_NOP_UCMD,	/* the engine's NOP as IORING_OP_URING_CMD */
	PATH_NOP_RING,	/* the engine's NOP through the shared ring */
	PATH_POLL,	/* shared ring, registered buffers, DMAE_SETUP_IOPOLL */
	PATH_SQPOLL,	/* the same with DMAE_SETUP_SQPOLL: a kernel thread submits */
	PATH_SQIOPOLL,	/* DMAE_SETUP_SQPOLL and DMAE_SETUP_IOPOLL */
	PATH_UCMD_POLL,	/* URING_CMD copy on an IORING_SETUP_IOPOLL io_uring */
	PATH_COUNT
};

/* The kernel's CPU path takes copies shorter than this (dmae_ureq.c). */
#define BENCH_KCPU_MAX		65535u
/* The seed block and the "bench" hook take at most this (dmae_bench.c). */
#define BENCH_SEED_MAX		(4u << 20)
#define BENCH_MAX_SIZE		(64u << 20)
#define BENCH_MAX_QD		64u
/* Source and destination pools, each this big. */
#define BENCH_POOL		(128u << 20)
/* Registered buffers are at most this big (DMAE_UREQ_MAX_LEN). */
#define BENCH_REG_MAX		(64u << 20)

struct bench_cell {
	enum bench_path path;
	const char *sweep;	/* "size", "qd", "batch", "nop", "device" */
	size_t size;
	unsigned int qd;
	unsigned int batch;
};

struct bench_result {
	uint64_t ops;
	uint64_t bytes;
	double secs;		/* wall time, first submit to last completion */
	double mbps;		/* 10^6 bytes per second */
	double ops_s;
	double p50_us;		/* per-operation latency, submit to reap */
	double p99_us;
	double cpu_s;		/* guest CPU time, all vCPUs (/proc/stat) */
	double cpu_per_gib;	/* cpu_s per 2^30 bytes moved */
	bool verified;		/* the last copy was checked byte for byte */
	int err;		/* 0, or the errno that stopped the cell */
};

struct bench_lat {
	uint64_t *ns;
	size_t n;
	size_t cap;
};

struct bench_env {
	const char *dev;	/* /dev/dma_engineN */
	const char *sysfs;	/* its PCI device directory, whose name finds "bench" */
	int fd;
	struct dmae_ring ring;	/* plain and registered copies, NOPs */
	struct dmae_ring kring;	/* cpu_threshold at the maximum */
	struct dmae_ring pring;	/* DMAE_SETUP_IOPOLL, registered buffers */
	bool poll_ok;		/* the device offers DMAE_SETUP_IOPOLL */
	struct dmae_ring sqring;	/* DMAE_SETUP_SQPOLL, registered buffers */
	struct dmae_ring sqpring;	/* SQPOLL and IOPOLL */
	bool sqpoll_ok;		/* the device offers DMAE_SETUP_SQPOLL */
	bool sqiopoll_ok;	/* ... with IOPOLL */
	struct io_uring uring;	/* SQE128, for URING_CMD */
	struct io_uring puring;	/* SQE128 and IOPOLL, for URING_CMD */
	bool upoll_ok;		/* the device takes polled URING_CMDs */
	uint8_t *src;
	uint8_t *dst;
	double cell_secs;	/* how long each cell runs */
	bool spread;		/* ring set up with DMAE_SETUP_SPREAD */
	struct bench_lat lat;
};

const char *path_name(enum bench_path p);
int path_from_name(const char *name);
bool path_async(enum bench_path p);
size_t path_max_size(enum bench_path p);

int bench_env_init(struct bench_env *env);
void bench_env_exit(struct bench_env *env);
int bench_run_cell(struct bench_env *env, const struct bench_cell *cell,
		   struct bench_result *res);

/* measure.c */
double bench_now(void);
int bench_lat_init(struct bench_lat *lat, size_t cap);
void bench_lat_free(struct bench_lat *lat);
void bench_lat_add(struct bench_lat *lat, uint64_t ns);
void bench_lat_pct(struct bench_lat *lat, double *p50_us, double *p99_us);
void bench_finish(struct bench_result *res, double cpu0, double cpu1);
int bench_dbg_bench(const char *sysfs, bool seed, size_t size,
		    unsigned int count, uint64_t *ns, uint64_t *p50,
		    uint64_t *p99);

#endif
