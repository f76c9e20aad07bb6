// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine copy service (dmae_svc.ko): zero-copy memory and file copies
 * for user space, over shared rings and io_uring URING_CMD, run by a
 * backend (dmae_backend.h): our device's channels, registered by
 * dma_engine.ko, or any dmaengine memcpy channel (dmae_dmabe.c).
 */

#include <linux/module.h>
#include <linux/workqueue.h>

#include "dmae_cdev.h"

/* Completion work of user requests: drained before the module goes. */
struct workqueue_struct *dmae_svc_wq;

static int __init dmae_svc_init(void)
{
	int ret;

	dmae_svc_wq = alloc_workqueue("dmae_svc", WQ_UNBOUND, 0);
	if (!dmae_svc_wq)
		return -ENOMEM;
	ret = dmae_dmabe_init();
	if (ret) {
		dmae_dmabe_exit();
		destroy_workqueue(dmae_svc_wq);
	}
	return ret;
}
module_init(dmae_svc_init);

static void __exit dmae_svc_exit(void)
{
	/* Every backend of dma_engine.ko is gone: it depends on us. */
	dmae_dmabe_exit();
	/* A completion work item may still be returning into this module. */
	destroy_workqueue(dmae_svc_wq);
}
module_exit(dmae_svc_exit);

MODULE_DESCRIPTION("dma-engine copy service: shared rings and URING_CMD over DMA engines");
MODULE_LICENSE("GPL");
