// SPDX-License-Identifier: GPL-2.0
/*
 * ring-memlock [DEVICE]: without CAP_IPC_LOCK, registered buffers are
 * charged to RLIMIT_MEMLOCK (in a child that drops the capability).
 */
#include "ring.h"

#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

static int memlock_child(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	struct rlimit rl = { 65536, 65536 };
	uint8_t *a = alloc_buf(1 << 20);
	struct iovec iov = { a, 1 << 20 };
	struct dmae_ring ring;

	if (syscall(SYS_capget, &h, d))
		return 10;
	d[0].effective &= ~(1U << CAP_IPC_LOCK);
	if (syscall(SYS_capset, &h, d) || setrlimit(RLIMIT_MEMLOCK, &rl))
		return 11;
	if (dmae_queue_init_dev(dev, 8, &ring, 0))
		return 12;
	if (dmae_register_buffers(&ring, &iov, 1) != -ENOMEM)
		return 13;
	iov.iov_len = 32768;
	if (dmae_register_buffers(&ring, &iov, 1))
		return 14;
	dmae_queue_exit(&ring);
	return 0;
}

int main(int argc, char **argv)
{
	int st = -1;
	pid_t p;

	if (!ring_start(argc, argv, "ring-memlock [DEVICE]"))
		return 77;
	p = fork();
	if (!p)
		_exit(memlock_child());
	waitpid(p, &st, 0);
	tap(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "without CAP_IPC_LOCK, RLIMIT_MEMLOCK (64 KiB) refuses 1 MiB with ENOMEM and allows 32 KiB (exit %d)",
	    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return failures ? 1 : 0;
}
