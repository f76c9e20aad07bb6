// SPDX-License-Identifier: GPL-2.0
/*
 * dmae_delay: a test module, never for a system in use. A kprobe on each
 * function of the copy service that posts a completion (dmae_ctx_post(),
 * dmae_ctx_post_active()) holds one CPU at its start for a while, before
 * the post takes any lock. What the service does on the other CPUs
 * between a request finishing and its completion being posted then shows
 * in what the process reads, where otherwise only a preempted vCPU at the
 * wrong instruction would show it (ring/275-link: a drain let go before
 * every completion ahead of it was posted).
 */

#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/smp.h>

static unsigned int delay_us = 500;
module_param(delay_us, uint, 0444);
MODULE_PARM_DESC(delay_us, "How long each post on the CPU waits (us, at most 10000)");

static unsigned int cpu;
module_param(cpu, uint, 0444);
MODULE_PARM_DESC(cpu, "The CPU whose posts wait");

static atomic_t dmae_delay_hits = ATOMIC_INIT(0);

static int dmae_delay_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (raw_smp_processor_id() == cpu) {
		atomic_inc(&dmae_delay_hits);
		udelay(delay_us);
	}
	return 0;
}

static struct kprobe dmae_delay_kps[] = {
	{ .symbol_name = "dmae_ctx_post", .pre_handler = dmae_delay_pre },
	{ .symbol_name = "dmae_ctx_post_active", .pre_handler = dmae_delay_pre },
};

static bool dmae_delay_on[ARRAY_SIZE(dmae_delay_kps)];

static int __init dmae_delay_init(void)
{
	unsigned int i, n = 0;

	if (delay_us > 10000 || cpu >= nr_cpu_ids)
		return -EINVAL;
	/* a service without one of the functions is probed on the other */
	for (i = 0; i < ARRAY_SIZE(dmae_delay_kps); i++) {
		dmae_delay_on[i] = !register_kprobe(&dmae_delay_kps[i]);
		n += dmae_delay_on[i];
	}
	if (!n)
		return -ENOENT;
	pr_info("dmae_delay: posts on CPU %u wait %u us (%u probes)\n", cpu,
		delay_us, n);
	return 0;
}

static void __exit dmae_delay_exit(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dmae_delay_kps); i++)
		if (dmae_delay_on[i])
			unregister_kprobe(&dmae_delay_kps[i]);
	pr_info("dmae_delay: %d posts waited\n", atomic_read(&dmae_delay_hits));
}

module_init(dmae_delay_init);
module_exit(dmae_delay_exit);
MODULE_DESCRIPTION("Test only: delays the dma-engine service's completion posts on one CPU");
MODULE_LICENSE("GPL");
