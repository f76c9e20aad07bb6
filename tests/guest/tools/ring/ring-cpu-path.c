// SPDX-License-Identifier: GPL-2.0
/*
 * ring-cpu-path [DEVICE]: copies below the context's CPU threshold run
 * on the CPU (DMAE_CQE_F_CPU), unless DMAE_SQE_NO_CPU; above it, on the
 * engine. Each checked with its guards.
 */
#include "ring.h"

int main(int argc, char **argv)
{
	struct dmae_ring ring;
	bool cpu = false, ok;

	if (!ring_start(argc, argv, "ring-cpu-path [DEVICE]"))
		return 77;
	if (dmae_queue_init_dev(dev, 8, &ring, 4096)) {
		tap(false, "ring with a CPU threshold");
		return 1;
	}
	ok = check_copy(&ring, 1000, 3, 5, 0, &cpu);
	tap(ok && cpu, "copy below the threshold runs on the CPU (flag set)");
	ok = check_copy(&ring, 1000, 3, 5, DMAE_SQE_NO_CPU, &cpu);
	tap(ok && !cpu, "DMAE_SQE_NO_CPU sends it to the engine");
	ok = check_copy(&ring, 5000, 3, 5, 0, &cpu);
	tap(ok && !cpu, "copy above the threshold runs on the engine");
	check_stats(&ring, 0, 7000);
	dmae_queue_exit(&ring);
	return failures ? 1 : 0;
}
