// SPDX-License-Identifier: MIT
/*
 * dmaectl: see and set what the copy service is doing.
 *
 *   dmaectl [--json] list
 *   dmaectl [--json] stats [--watch] [--count N]
 *   dmaectl config [NAME=VALUE...]
 *   dmaectl [--json] test
 *
 * Everything comes from sysfs files that the modules document
 * (docs/sysfs.md) and, for the limits, from a ring set up and torn down
 * at once. --json prints one object (stats --watch: one per line and
 * refresh); the keys are listed in docs/dmaectl.md and only ever added to.
 * Exit status: 0 done, 1 a failure (named on stderr, with what to do),
 * 2 a usage error.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devhint.h"
#include "libdmae.h"

#define MISC	"/sys/class/misc"
#define DRV	"/sys/bus/pci/drivers/dma_engine"
#define PARAMS_HW	"/sys/module/dma_engine/parameters"
#define PARAMS_SVC	"/sys/module/dmae_svc/parameters"
#define MAXDEV	64

static bool json;
/* $DMAECTL_SYSROOT: a tree to read instead of / (the host test's fake sysfs) */
static const char *sysroot = "";

/* @path under the sysroot, in a buffer of its own per call site */
static const char *at_root(char *buf, size_t size, const char *path)
{
	snprintf(buf, size, "%s%s", sysroot, path);
	return buf;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dmaectl [--json] list\n"
		"       dmaectl [--json] stats [--watch] [--count N]\n"
		"       dmaectl config [NAME=VALUE...]\n"
		"       dmaectl [--json] test\n"
		"See and set what the dma-engine copy service is doing.\n"
		"  list    the service devices (backend, engine, channels and their roles,\n"
		"          interrupt mode, IOMMU domain, limits, the CPU path's measured\n"
		"          break-even)\n"
		"  stats   counters per service device, per channel and (as root) per\n"
		"          open context; --watch refreshes once a second (--count N\n"
		"          times, default for ever)\n"
		"  config  the settings (module parameters); NAME=VALUE sets one (root):\n"
		"          chan_roles, timeout_ms, dma_channels (of dmae_svc)\n"
		"  test    a self-test through every channel of our engines (root) and a\n"
		"          checked 64 KiB copy through every service device\n"
		"  --json  machine-readable output (keys: docs/dmaectl.md)\n"
		"Exit status: 0 done, 1 something failed (said on stderr), 2 usage.\n");
}

/* fmt() for paths and names; a text that does not fit is cut (sysfs
 * names are short: it does not happen). */
static void __attribute__((format(printf, 3, 4)))
fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, size, f, ap);
	va_end(ap);
}

/* read_file() - a sysfs file's text, without the last newline; NULL if none */
static char *read_file(const char *path)
{
	static char buf[8192];
	char full[PATH_MAX + 256];
	ssize_t n;
	int fd = open(at_root(full, sizeof(full), path), O_RDONLY);

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = 0;
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return buf;
}

static char *read_at(const char *dir, const char *name)
{
	char path[PATH_MAX];

	fmt(path, sizeof(path), "%s/%s", dir, name);
	return read_file(path);
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void jstr(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

/*
 * "key N key N ..." as JSON members (numbers stay numbers, words become
 * strings); @skip words first (a line's own name).
 */
static void jpairs(const char *line, int skip)
{
	char *copy = strdup(line), *save = NULL, *k, *v;
	bool first = true;

	for (k = strtok_r(copy, " ", &save); k && skip; k = strtok_r(NULL, " ", &save))
		skip--;
	while (k && (v = strtok_r(NULL, " ", &save))) {
		char *end;

		printf("%s", first ? "" : ", ");
		first = false;
		jstr(k);
		printf(": ");
		strtoull(v, &end, 10);
		if (*v && !*end)
			printf("%s", v);
		else
			jstr(v);
		k = strtok_r(NULL, " ", &save);
	}
	free(copy);
}

struct svcdev {
	char name[64];		/* dma_engine0, dmae_dma0, dmae_group0 */
	char kind[32];		/* native, dmaengine */
	char parent[64];	/* the engine: a PCI address, a dmaengine device */
};

static int svc_devices(struct svcdev *d)
{
	char full[PATH_MAX];
	struct dirent *e;
	DIR *dir = opendir(at_root(full, sizeof(full), MISC));
	int n = 0;

	if (!dir)
		return 0;
	while ((e = readdir(dir)) && n < MAXDEV) {
		char path[PATH_MAX], *b;

		if (strncmp(e->d_name, "dma_engine", 10) &&
		    strncmp(e->d_name, "dmae_dma", 8) &&
		    strncmp(e->d_name, "dmae_group", 10))
			continue;
		fmt(path, sizeof(path), MISC "/%s/backend", e->d_name);
		b = read_file(path);
		if (!b)
			continue;
		fmt(d[n].name, sizeof(d[n].name), "%s", e->d_name);
		if (sscanf(b, "%31s %63s", d[n].kind, d[n].parent) != 2)
			continue;
		n++;
	}
	closedir(dir);
	/* in name order, so that the output is stable */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && strverscmp(d[j - 1].name, d[j].name) > 0; j--) {
			struct svcdev t = d[j];

			d[j] = d[j - 1];
			d[j - 1] = t;
		}
	return n;
}

static int no_devices(void)
{
	fprintf(stderr, "dmaectl: no service device: is the module loaded (modprobe dma_engine)? "
		"For dmaengine channels: echo all >" PARAMS_SVC "/dma_channels\n");
	return 1;
}

/*
 * The interrupt mode of PCI function @pci: MSI-X, MSI or INTx. Each of
 * its MSI vectors is a file msi_irqs/<irq> that says "msi" or "msix".
 */
static const char *irq_mode(const char *pci)
{
	char path[PATH_MAX], full[PATH_MAX + 256];
	const char *mode = "INTx";
	struct dirent *e;
	DIR *dir;

	fmt(path, sizeof(path), "/sys/bus/pci/devices/%s/msi_irqs", pci);
	dir = opendir(at_root(full, sizeof(full), path));
	if (!dir)
		return mode;
	while ((e = readdir(dir))) {
		char *m;

		if (e->d_name[0] == '.')
			continue;
		fmt(path, sizeof(path), "/sys/bus/pci/devices/%s/msi_irqs/%s",
		    pci, e->d_name);
		m = read_file(path);
		mode = m && !strcmp(m, "msix") ? "MSI-X" : "MSI";
		break;
	}
	closedir(dir);
	return mode;
}

/* The IOMMU domain type of @pci: DMA, DMA-FQ, identity, or none. */
static const char *iommu_domain(const char *pci)
{
	static char type[32];
	char path[PATH_MAX], *t;

	fmt(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group/type", pci);
	t = read_file(path);
	fmt(type, sizeof(type), "%s", t ? t : "none");
	return type;
}

static int cmd_list(void)
{
	struct svcdev d[MAXDEV];
	int n = svc_devices(d);

	if (!n)
		return no_devices();
	if (json)
		printf("{\"devices\": [");
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX], pci[PATH_MAX], *roles = NULL, *v;
		struct dmae_ring ring;
		bool native = !strcmp(d[i].kind, "native");
		long brk = -1;
		int ret;

		fmt(path, sizeof(path), "/dev/%s", d[i].name);
		ret = dmae_queue_init_dev(path, 1, &ring, 0);
		if (!ret)
			dmae_queue_exit(&ring);
		/* measured by the driver at its first use (cpu_threshold AUTO) */
		fmt(pci, sizeof(pci), MISC "/%s", d[i].name);
		v = read_at(pci, "cpu_break_even");
		v = v ? strdup(v) : NULL;
		if (v && *v)
			brk = strtol(v, NULL, 10);
		fmt(pci, sizeof(pci), "/sys/bus/pci/devices/%s", d[i].parent);
		if (native) {
			/* read_file()'s buffer is reused by the next read */
			roles = read_at(pci, "chan_roles");
			roles = roles ? strdup(roles) : NULL;
		}
		if (json) {
			printf("%s{\"device\": ", i ? ", " : "");
			jstr(path);
			printf(", \"backend\": ");
			jstr(d[i].kind);
			printf(", \"engine\": ");
			jstr(d[i].parent);
			if (native) {
				printf(", \"irq\": ");
				jstr(irq_mode(d[i].parent));
				printf(", \"iommu_domain\": ");
				jstr(iommu_domain(d[i].parent));
			}
			if (!ret)
				printf(", \"max_len\": %u, \"features\": %u, \"ops\": %u",
				       ring.max_len, ring.features, ring.ops);
			else
				printf(", \"error\": \"%s\"", strerror(-ret));
			if (brk > 0)
				printf(", \"cpu_break_even\": %ld", brk);
			printf(", \"channels\": [");
			if (roles) {
				char *save = NULL, *l;
				bool first = true;

				for (l = strtok_r(roles, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
					char ch[16], role[16], dname[32] = "";

					if (sscanf(l, "%15s %15s %31s", ch, role, dname) < 2)
						continue;
					printf("%s{\"channel\": %d, \"role\": ", first ? "" : ", ",
					       atoi(ch + 2));
					jstr(role);
					if (*dname) {
						printf(", \"dmaengine\": ");
						jstr(dname);
					}
					printf("}");
					first = false;
				}
			}
			printf("]}");
			free(roles);
			free(v);
			continue;
		}
		printf("%s: %s backend on %s", path, d[i].kind, d[i].parent);
		if (native)
			printf(", %s, IOMMU domain %s", irq_mode(d[i].parent),
			       iommu_domain(d[i].parent));
		printf("\n");
		if (!ret)
			printf("  limits: %u bytes per entry, features %#x, ops %#x\n",
			       ring.max_len, ring.features, ring.ops);
		else
			printf("  limits: unknown (%s)\n", strerror(-ret));
		if (brk > 0)
			printf("  CPU path break-even: %ld bytes (cpu_threshold AUTO)\n",
			       brk);
		else if (v && !strcmp(v, "unmeasured"))
			printf("  CPU path break-even: not measured yet (the first context asking for cpu_threshold AUTO measures it)\n");
		if (roles) {
			char *save = NULL, *l;

			for (l = strtok_r(roles, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
				printf("  %s\n", l);
		}
		free(roles);
		free(v);
	}
	if (json)
		printf("]}\n");
	return 0;
}

/* One report of the counters (with --json: one object, one line). */
static int stats_once(void)
{
	struct svcdev d[MAXDEV];
	int n = svc_devices(d);

	if (!n)
		return no_devices();
	if (json)
		printf("{\"devices\": [");
	for (int i = 0; i < n; i++) {
		char dir[PATH_MAX], pci[PATH_MAX], *s, *save = NULL, *l;
		bool native = !strcmp(d[i].kind, "native");

		fmt(dir, sizeof(dir), MISC "/%s", d[i].name);
		fmt(pci, sizeof(pci), "/sys/bus/pci/devices/%s", d[i].parent);
		s = read_at(dir, "ring_stats");
		if (json) {
			printf("%s{\"device\": \"/dev/%s\", \"ring\": {", i ? ", " : "", d[i].name);
			if (s)
				jpairs(s, 0);
			printf("}, \"channels\": [");
		} else {
			printf("/dev/%s (%s on %s): %s\n", d[i].name, d[i].kind, d[i].parent,
			       s ? s : "no counters");
		}
		s = native ? read_at(pci, "chan_stats") : NULL;
		s = s ? strdup(s) : NULL;
		for (l = s ? strtok_r(s, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
			if (json) {
				printf("%s{\"channel\": %d, ", l == s ? "" : ", ", atoi(l + 2));
				jpairs(l, 1);
				printf("}");
			} else {
				printf("  %s\n", l);
			}
		}
		free(s);
		if (json)
			printf("], \"contexts\": [");
		s = read_at(dir, "contexts");
		s = s ? strdup(s) : NULL;
		save = NULL;
		for (l = s ? strtok_r(s, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
			if (json) {
				if (strcmp(l, "more")) {
					printf("%s{", l == s ? "" : ", ");
					jpairs(l, 0);
					printf("}");
				}
			} else {
				printf("  %s\n", l);
			}
		}
		if (!s && !json && geteuid())
			printf("  (contexts: root only)\n");
		free(s);
		if (json)
			printf("]}");
	}
	if (json)
		printf("]}\n");
	fflush(stdout);
	return 0;
}

static int cmd_stats(bool watch, long count)
{
	int ret;

	if (!watch)
		return stats_once();
	for (long i = 0; !count || i < count; i++) {
		if (i)
			sleep(1);
		if (!json)
			printf("%s-- %ld --\n", i ? "\n" : "", i + 1);
		ret = stats_once();
		if (ret)
			return ret;
	}
	return 0;
}

static const struct {
	const char *name;
	const char *dir;
	const char *what;
} settings[] = {
	{ "chan_roles", PARAMS_HW, "role of each channel of our engines (applies when an engine is bound)" },
	{ "timeout_ms", PARAMS_HW, "how long a channel may go without progress before it is reset" },
	{ "ring_size", PARAMS_HW, "descriptor ring entries per channel (read-only: set at load)" },
	{ "coal_count", PARAMS_HW, "interrupt coalescing: completions per interrupt (read-only: set at load)" },
	{ "coal_usec", PARAMS_HW, "interrupt coalescing: most microseconds a completion waits (read-only: set at load)" },
	{ "dma_channels", PARAMS_SVC, "the dmaengine channels the service takes (all, dmaN, dmaNchanM,...)" },
};
#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

static int cmd_config(int argc, char **argv)
{
	char path[PATH_MAX];
	int rc = 0;

	if (!argc) {
		for (size_t i = 0; i < NSETTINGS; i++) {
			char *v;

			fmt(path, sizeof(path), "%s/%s", settings[i].dir, settings[i].name);
			v = read_file(path);
			printf("%-13s %-24s %s\n", settings[i].name,
			       v ? (*v ? v : "(empty)") : "(module not loaded)",
			       settings[i].what);
		}
		return 0;
	}
	for (int a = 0; a < argc; a++) {
		char full[PATH_MAX + 256], *eq = strchr(argv[a], '=');
		size_t i;
		int fd;

		for (i = 0; eq && i < NSETTINGS; i++)
			if (strlen(settings[i].name) == (size_t)(eq - argv[a]) &&
			    !strncmp(argv[a], settings[i].name, eq - argv[a]))
				break;
		if (!eq || i == NSETTINGS) {
			fprintf(stderr, "dmaectl: config: '%s' is not NAME=VALUE with a NAME of: ", argv[a]);
			for (i = 0; i < NSETTINGS; i++)
				fprintf(stderr, "%s%s", i ? ", " : "", settings[i].name);
			fprintf(stderr, "\n");
			return 2;
		}
		fmt(path, sizeof(path), "%s/%s", settings[i].dir, settings[i].name);
		fd = open(at_root(full, sizeof(full), path), O_WRONLY);
		if (fd < 0 || write(fd, eq + 1, strlen(eq + 1)) < 0) {
			int err = errno;

			fprintf(stderr, "dmaectl: config %s: %s", settings[i].name, strerror(err));
			if (err == EACCES || err == EPERM)
				fprintf(stderr, ": settings are root's (run as root)");
			else if (err == ENOENT)
				fprintf(stderr, ": is the module loaded?");
			else if (err == EINVAL || err == ENODEV)
				fprintf(stderr, ": '%s' refused, nothing changed", eq + 1);
			fprintf(stderr, "\n");
			rc = 1;
		} else if (!strcmp(settings[i].name, "chan_roles")) {
			printf("chan_roles set; it applies to engines bound from now on "
			       "(echo BDF >" DRV "/unbind, then >" DRV "/bind)\n");
		}
		if (fd >= 0)
			close(fd);
	}
	return rc;
}

/* A 64 KiB copy through @path, on the engine (never the CPU), checked. */
static int ring_copy_test(const char *path)
{
	enum { LEN = 65536 };
	static unsigned char src[LEN], dst[LEN];
	struct dmae_ring ring;
	struct dmae_sqe *sqe;
	struct dmae_cqe *cqe;
	int ret;

	for (int i = 0; i < LEN; i++) {
		src[i] = (unsigned char)(i * 13 + 7);
		dst[i] = 0;
	}
	ret = dmae_queue_init_dev(path, 2, &ring, 0);
	if (ret)
		return ret;
	sqe = dmae_get_sqe(&ring);
	dmae_prep_copy(sqe, dst, src, LEN);
	dmae_sqe_set_flags(sqe, DMAE_SQE_NO_CPU);
	ret = dmae_submit_and_wait(&ring, 1);
	if (ret == 1)
		ret = dmae_wait_cqe(&ring, &cqe);
	else if (ret >= 0)
		ret = -EIO;
	if (!ret) {
		ret = cqe->res == LEN ? 0 : cqe->res < 0 ? cqe->res : -EIO;
		dmae_cqe_seen(&ring, cqe);
	}
	dmae_queue_exit(&ring);
	if (!ret && memcmp(src, dst, LEN))
		ret = -EIO;
	return ret;
}

static void test_result(bool *first, const char *what, const char *name, int err)
{
	if (json) {
		printf("%s{\"test\": \"%s\", \"target\": ", *first ? "" : ", ", what);
		jstr(name);
		printf(", \"pass\": %s", err ? "false" : "true");
		if (err) {
			printf(", \"error\": ");
			jstr(strerror(err));
		}
		printf("}");
	} else {
		printf("%-4s %s %s%s%s\n", err ? "FAIL" : "ok", what, name,
		       err ? ": " : "", err ? strerror(err) : "");
		if (err) {
			bool hook = !strcmp(what, "chan_selftest") &&
				    (err == ENOENT || err == EACCES ||
				     err == EPERM);
			const char *hint = hook ?
				"chan_selftest is a debugfs hook: run as root, with debugfs mounted (mount -t debugfs none /sys/kernel/debug)" :
				dmae_dev_hint(err);

			if (hint)
				printf("     %s\n", hint);
		}
	}
	*first = false;
}

static int cmd_test(void)
{
	struct svcdev d[MAXDEV];
	int n = svc_devices(d), failed = 0;
	bool first = true;

	if (!n)
		return no_devices();
	if (json)
		printf("{\"tests\": [");
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		int err;

		if (!strcmp(d[i].kind, "native")) {
			int fd;

			char full[PATH_MAX + 256];

			fmt(path, sizeof(path),
			    "/sys/kernel/debug/dma_engine/%s/chan_selftest",
			    d[i].parent);
			fd = open(at_root(full, sizeof(full), path), O_WRONLY);
			err = fd < 0 || write(fd, "65536", 5) < 0 ? errno : 0;
			if (fd >= 0)
				close(fd);
			test_result(&first, "chan_selftest", d[i].parent, err);
			failed += !!err;
		}
		fmt(path, sizeof(path), "/dev/%s", d[i].name);
		err = -ring_copy_test(path);
		test_result(&first, "ring_copy", path, err);
		failed += !!err;
	}
	if (json)
		printf("], \"failed\": %d}\n", failed);
	else
		printf("%d test%s failed\n", failed, failed == 1 ? "" : "s");
	return failed ? 1 : 0;
}

static bool watch;
static long count;

/*
 * Options, before the command or after it; stops at the first word that
 * is not one ("+": config's NAME=VALUE). Returns -1 to go on, else the
 * exit status.
 */
static int parse_opts(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "watch", no_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "+jwc:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'w':
			watch = true;
			break;
		case 'c':
			count = strtol(optarg, NULL, 10);
			if (count <= 0) {
				fprintf(stderr, "dmaectl: --count needs a number above 0\n");
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	const char *cmd;
	int ret = parse_opts(argc, argv);

	if (getenv("DMAECTL_SYSROOT"))
		sysroot = getenv("DMAECTL_SYSROOT");
	if (ret >= 0)
		return ret;
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	/* options may also follow the command (the command as argv[0]) */
	argv += optind;
	argc -= optind;
	optind = 0;	/* glibc: start afresh */
	ret = parse_opts(argc, argv);
	if (ret >= 0)
		return ret;
	if (!strcmp(cmd, "list") && optind == argc)
		return cmd_list();
	if (!strcmp(cmd, "stats") && optind == argc)
		return cmd_stats(watch, count);
	if (!strcmp(cmd, "config") && !json)
		return cmd_config(argc - optind, argv + optind);
	if (!strcmp(cmd, "test") && optind == argc)
		return cmd_test();
	fprintf(stderr, "dmaectl: '%s' is not a command, or not with these arguments\n", cmd);
	usage(stderr);
	return 2;
}
