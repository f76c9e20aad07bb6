/* SPDX-License-Identifier: MIT */
/*
 * devhint.h: what to do when a service device cannot be used, for the
 * messages of the demos and the benchmark. Header only.
 */
#ifndef DMAE_DEVHINT_H
#define DMAE_DEVHINT_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/**
 * dmae_dev_hint() - advice for an error from opening or setting up a ring
 * on a service device
 * @err: the errno (positive)
 *
 * Return: a sentence, or NULL when the errno says nothing about the
 * device itself.
 */
static inline const char *dmae_dev_hint(int err)
{
	switch (err) {
	case ENOENT:
		return "no such device: is the module loaded (modprobe dma_engine)? "
		       "The engines are /dev/dma_engineN, the dmaengine-backed ones /dev/dmae_dmaN "
		       "and /dev/dmae_groupN";
	case EACCES:
	case EPERM:
		return "permission denied: the service devices are for root and, with the udev rule "
		       "installed (packaging/udev/60-dma-engine.rules), group dmae: "
		       "join it (usermod -aG dmae $USER, then log in again) or run as root";
	case ENOTTY:
		return "not a copy-service device: name /dev/dma_engineN, /dev/dmae_dmaN or "
		       "/dev/dmae_groupN";
	case ENODEV:
	case ENXIO:
		return "the engine behind it is gone (unbound or unloaded); pick another one";
	default:
		return NULL;
	}
}

/**
 * dmae_dev_error() - print "PROG: PATH: ERROR" and, where there is one,
 * what to do, to stderr
 * @prog: the program's name
 * @path: the device
 * @err: the errno (positive)
 */
static inline void dmae_dev_error(const char *prog, const char *path, int err)
{
	const char *hint = dmae_dev_hint(err);

	fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(err));
	if (hint)
		fprintf(stderr, "%s: %s\n", prog, hint);
}

/**
 * dmae_dev_check() - can @path be opened as a service device? Says what
 * to do if not.
 * @prog: the program's name, for the message
 * @path: the device
 *
 * Return: 0, or -1 after printing the error and the advice.
 */
static inline int dmae_dev_check(const char *prog, const char *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0) {
		dmae_dev_error(prog, path, errno);
		return -1;
	}
	close(fd);
	return 0;
}

#endif /* DMAE_DEVHINT_H */
