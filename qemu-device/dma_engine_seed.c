/*
 * dma-engine: the seed register block (BAR0 + 0x1000), one copy at a
 * time, as in the seed document. Its copies run on a worker thread of
 * their own, never on the vCPU that writes START.
 *
 * Copyright (c) 2026 The dma-engine authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/bitops.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "trace.h"
#include "dma_engine.h"

bool dmae_seed_irq_pending(DmaEngineState *s)
{
    return s->seed.status & (DMAE_STS_DONE | DMAE_STS_ERROR);
}

/* Finish the current copy: status, error, interrupt. BQL held. */
static void dmae_seed_complete(DmaEngineState *s, uint32_t err,
                               uint32_t bytes, uint64_t err_addr)
{
    DmaeSeed *sd = &s->seed;

    trace_dma_engine_done(bytes, err, err_addr);
    sd->err = err;
    sd->bytes = bytes;
    sd->err_addr = err_addr;
    sd->status &= ~DMAE_STS_BUSY;
    sd->status |= DMAE_STS_DONE;
    if (err != DMAE_ERR_NONE) {
        sd->status |= DMAE_STS_ERROR;
    }
    /* With MSI-X, the seed shares the last vector with channel errors. */
    dma_engine_signal(s, s->num_chan, 0);
}

/*
 * Run the pending copy: sd->lock held on entry and return, dropped while
 * it runs. The result goes to the completion bottom half.
 */
static void dmae_seed_run(DmaEngineState *s)
{
    DmaeSeed *sd = &s->seed;
    DmaeSeg src = sd->job_src, dst = sd->job_dst;
    DmaeXfer x;

    dmae_xfer_init(&x, s, sd->buf, sd->job_iommu, &sd->gen, &sd->abort,
                   &sd->dma_lock);
    x.want_gen = sd->job_gen;
    x.bql_held = !s->workers;
    x.mbps = 0;     /* the bandwidth model is the channels' */
    sd->job_pending = false;
    qemu_mutex_unlock(&sd->lock);

    if (s->latency_ns) {
        dmae_xfer_delay(&x, s->latency_ns);
    }
    trace_dma_engine_chunk(src.addr, dst.addr, src.len);
    dmae_xfer_copy(&x, &src, 1, &dst, 1, src.len, false);

    qemu_mutex_lock(&sd->lock);
    sd->result = x;
    sd->result_ready = true;
    qemu_bh_schedule(sd->bh);
}

static void *dmae_seed_worker(void *opaque)
{
    DmaEngineState *s = opaque;
    DmaeSeed *sd = &s->seed;

    rcu_register_thread();
    qemu_mutex_lock(&sd->lock);
    for (;;) {
        while (!sd->job_pending && !qatomic_read(&s->stopping)) {
            qemu_cond_wait(&sd->cond, &sd->lock);
        }
        if (qatomic_read(&s->stopping)) {
            break;
        }
        dmae_seed_run(s);
    }
    qemu_mutex_unlock(&sd->lock);
    rcu_unregister_thread();
    return NULL;
}

/* x-workers=off: the copy runs in this bottom half, on the main loop. */
static void dmae_seed_run_bh(void *opaque)
{
    DmaEngineState *s = opaque;
    DmaeSeed *sd = &s->seed;

    qemu_mutex_lock(&sd->lock);
    if (sd->job_pending) {
        dmae_seed_run(s);
    }
    qemu_mutex_unlock(&sd->lock);
}

/* Bottom half: the worker finished a copy. BQL held. */
static void dmae_seed_done_bh(void *opaque)
{
    DmaEngineState *s = opaque;
    DmaeSeed *sd = &s->seed;
    DmaeXfer res;
    bool ready;

    qemu_mutex_lock(&sd->lock);
    ready = sd->result_ready;
    res = sd->result;
    sd->result_ready = false;
    qemu_mutex_unlock(&sd->lock);

    if (!ready) {
        return;
    }
    if (res.want_gen != qatomic_read(&sd->gen)) {
        trace_dma_engine_stale(res.want_gen);
        return;
    }
    if (res.err == DMAE_ERR_READ || res.err == DMAE_ERR_WRITE) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-engine: DMA %s fault at 0x%" PRIx64
                      " after %u bytes\n",
                      res.err == DMAE_ERR_READ ? "read" : "write",
                      res.fault_addr, res.bytes);
    }
    dmae_seed_complete(s, res.err, res.bytes, res.fault_addr);
}

static void dmae_seed_start(DmaEngineState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    DmaeSeed *sd = &s->seed;
    uint32_t err = DMAE_ERR_NONE;

    if (sd->status & DMAE_STS_BUSY) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-engine: START while a copy runs; ignored\n");
        sd->status |= DMAE_STS_START_IGNORED;
        return;
    }
    sd->status &= ~(DMAE_STS_DONE | DMAE_STS_ERROR);
    dma_engine_update_intx(s);
    trace_dma_engine_start(sd->src, sd->dst, sd->len);

    if (sd->len == 0) {
        err = DMAE_ERR_LEN_ZERO;
    } else if (sd->len > s->max_xfer) {
        err = DMAE_ERR_LEN_MAX;
    } else if (sd->src + sd->len - 1 < sd->src ||
               sd->dst + sd->len - 1 < sd->dst) {
        err = DMAE_ERR_OVERFLOW;
    } else if (!(pci_get_word(pdev->config + PCI_COMMAND) &
                 PCI_COMMAND_MASTER)) {
        err = DMAE_ERR_BUS_MASTER;
    }
    if (err != DMAE_ERR_NONE) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-engine: copy of %u bytes refused, error %u\n",
                      sd->len, err);
        dmae_seed_complete(s, err, 0, 0);
        return;
    }

    sd->status |= DMAE_STS_BUSY;
    qatomic_set(&sd->abort, false);
    qemu_mutex_lock(&sd->lock);
    sd->job_src = (DmaeSeg) { .addr = sd->src, .len = sd->len };
    sd->job_dst = (DmaeSeg) { .addr = sd->dst, .len = sd->len };
    sd->job_gen = qatomic_read(&sd->gen);
    sd->job_iommu = dma_engine_has_iommu(s);
    sd->job_pending = true;
    if (s->workers) {
        qemu_cond_signal(&sd->cond);
    } else {
        qemu_bh_schedule(sd->run_bh);
    }
    qemu_mutex_unlock(&sd->lock);
}

bool dmae_seed_read(DmaEngineState *s, hwaddr reg, uint64_t *val)
{
    DmaeSeed *sd = &s->seed;

    switch (reg) {
    case DMAE_SEED_SRC:
        *val = sd->src;
        return true;
    case DMAE_SEED_DST:
        *val = sd->dst;
        return true;
    case DMAE_SEED_LEN:
        *val = (uint64_t)sd->len << DMAE_SEED_LEN_SHIFT;
        return true;
    case DMAE_SEED_CTRL:
        *val = sd->status;
        return true;
    case DMAE_SEED_ERR:
        *val = sd->err;
        return true;
    case DMAE_SEED_ERR_ADDR:
        *val = sd->err_addr;
        return true;
    case DMAE_SEED_BYTES:
        *val = sd->bytes;
        return true;
    }
    return false;
}

/* A write of @val (already shifted) to the bits @mask of @reg. */
bool dmae_seed_write(DmaEngineState *s, hwaddr reg, uint64_t val,
                     uint64_t mask)
{
    DmaeSeed *sd = &s->seed;

    switch (reg) {
    case DMAE_SEED_SRC:
        sd->src = (sd->src & ~mask) | val;
        return true;
    case DMAE_SEED_DST:
        sd->dst = (sd->dst & ~mask) | val;
        return true;
    case DMAE_SEED_LEN:
        sd->len = extract64((((uint64_t)sd->len << DMAE_SEED_LEN_SHIFT) &
                             ~mask) | val, DMAE_SEED_LEN_SHIFT, 32);
        return true;
    case DMAE_SEED_CTRL:
        sd->status &= ~(val & (DMAE_STS_DONE | DMAE_STS_ERROR |
                               DMAE_STS_START_IGNORED));
        dma_engine_update_intx(s);
        if (val & DMAE_CTRL_ABORT) {
            trace_dma_engine_abort();
            qatomic_set(&sd->abort, true);
        }
        if (val & DMAE_CTRL_START) {
            dmae_seed_start(s);
        }
        return true;
    }
    return false;
}

void dmae_seed_reset(DmaEngineState *s)
{
    DmaeSeed *sd = &s->seed;

    /*
     * Drop a running copy's result; once the access it may be making has
     * ended, it touches memory no more.
     */
    qatomic_inc(&sd->gen);
    qatomic_set(&sd->abort, true);
    dmae_xfer_quiesce(&sd->dma_lock);
    sd->src = 0;
    sd->dst = 0;
    sd->len = 0;
    sd->status = 0;
    sd->err = DMAE_ERR_NONE;
    sd->err_addr = 0;
    sd->bytes = 0;
}

void dmae_seed_realize(DmaEngineState *s)
{
    DmaeSeed *sd = &s->seed;

    sd->buf = g_malloc(s->buf_size);
    sd->bh = qemu_bh_new_guarded(dmae_seed_done_bh, s,
                                 &DEVICE(s)->mem_reentrancy_guard);
    qemu_mutex_init(&sd->lock);
    qemu_mutex_init(&sd->dma_lock);
    qemu_cond_init(&sd->cond);
    if (!s->workers) {
        sd->run_bh = qemu_bh_new_guarded(dmae_seed_run_bh, s,
                                         &DEVICE(s)->mem_reentrancy_guard);
        return;
    }
    qemu_thread_create(&sd->thread, "dma-engine-seed", dmae_seed_worker, s,
                       QEMU_THREAD_JOINABLE);
}

/* Wake the worker and wait for it to end: s->stopping set, no BQL. */
void dmae_seed_stop(DmaEngineState *s)
{
    DmaeSeed *sd = &s->seed;

    if (!s->workers) {
        return;
    }
    qemu_mutex_lock(&sd->lock);
    qemu_cond_signal(&sd->cond);
    qemu_mutex_unlock(&sd->lock);
    qemu_thread_join(&sd->thread);
}

/* Free what the seed block had; every worker of the device has ended. */
void dmae_seed_unrealize(DmaEngineState *s)
{
    DmaeSeed *sd = &s->seed;

    qemu_bh_delete(sd->bh);
    if (sd->run_bh) {
        qemu_bh_delete(sd->run_bh);
    }
    qemu_cond_destroy(&sd->cond);
    qemu_mutex_destroy(&sd->lock);
    qemu_mutex_destroy(&sd->dma_lock);
    g_free(sd->buf);
}
