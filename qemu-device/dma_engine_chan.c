/*
 * dma-engine: descriptor-ring channels. Each channel has a worker thread
 * that takes descriptors from a ring in guest memory, in order, runs them
 * through the data mover and writes a completion record for each. The
 * registers are written under the BQL and the channel lock; the worker
 * never waits for the BQL while holding the lock.
 *
 * Copyright (c) 2026 The dma-engine authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "trace.h"
#include "dma_engine.h"

typedef struct DmaeDesc {
    uint8_t op;
    uint16_t flags;
    uint32_t len;
    uint64_t src;
    uint64_t dst;
    uint32_t src_nsg;
    uint32_t dst_nsg;
    uint64_t pattern;
    uint64_t cookie;
} DmaeDesc;

static void dmae_desc_decode(const uint8_t *raw, DmaeDesc *d)
{
    d->op = ldub_p(raw + DMAE_DESC_OP);
    d->flags = lduw_le_p(raw + DMAE_DESC_FLAGS);
    d->len = ldl_le_p(raw + DMAE_DESC_LEN);
    d->src = ldq_le_p(raw + DMAE_DESC_SRC);
    d->dst = ldq_le_p(raw + DMAE_DESC_DST);
    d->src_nsg = ldl_le_p(raw + DMAE_DESC_SRC_NSG);
    d->dst_nsg = ldl_le_p(raw + DMAE_DESC_DST_NSG);
    d->pattern = ldq_le_p(raw + DMAE_DESC_PATTERN);
    d->cookie = ldq_le_p(raw + DMAE_DESC_COOKIE);
}

/* Halt the channel with a channel error. @ch->lock held. */
static void dmae_chan_halt(DmaeChan *ch, uint8_t err, uint64_t addr)
{
    trace_dma_engine_chan_halt(ch->idx, err, addr);
    qemu_log_mask(LOG_GUEST_ERROR,
                  "dma-engine: channel %u halted, error %u (0x%" PRIx64 ")\n",
                  ch->idx, err, addr);
    ch->halted = true;
    ch->cherr = err;
    ch->err_addr = addr;
    ch->err_fire = true;
    qemu_bh_schedule(ch->bh);
}

/*
 * Read and check one side's SG list into @out. Returns DMAE_ERR_NONE or
 * the error the descriptor fails with.
 */
static uint32_t dmae_load_sg(DmaeChan *ch, DmaeXfer *x, uint64_t list,
                             uint32_t n, uint32_t len, DmaeSeg *out)
{
    uint64_t total = 0;
    uint8_t *raw = ch->buf;     /* max-sg entries fit: checked at realize */
    uint32_t i;

    if (n == 0 || n > ch->s->max_sg) {
        return DMAE_ERR_SG_COUNT;
    }
    if (list + (uint64_t)n * DMAE_SG_SIZE - 1 < list) {
        return DMAE_ERR_OVERFLOW;
    }
    if (dmae_dma(x, list, raw, n * DMAE_SG_SIZE,
                 DMA_DIRECTION_TO_DEVICE) != MEMTX_OK) {
        x->fault_addr = list;
        return DMAE_ERR_SG_READ;
    }
    for (i = 0; i < n; i++) {
        out[i].addr = ldq_le_p(raw + i * DMAE_SG_SIZE);
        out[i].len = ldl_le_p(raw + i * DMAE_SG_SIZE + 8);
        if (out[i].len == 0) {
            return DMAE_ERR_SG_ENTRY;
        }
        if (out[i].addr + out[i].len - 1 < out[i].addr) {
            return DMAE_ERR_OVERFLOW;
        }
        total += out[i].len;
    }
    return total == len ? DMAE_ERR_NONE : DMAE_ERR_SG_TOTAL;
}

/* One side of a descriptor: a flat range or an SG list. */
static uint32_t dmae_load_side(DmaeChan *ch, DmaeXfer *x, bool sg,
                               uint64_t addr, uint32_t nsg, uint32_t len,
                               DmaeSeg *list, DmaeSeg *flat,
                               const DmaeSeg **seg, uint32_t *nseg)
{
    if (sg) {
        *seg = list;
        *nseg = nsg;
        return dmae_load_sg(ch, x, addr, nsg, len, list);
    }
    if (addr + len - 1 < addr) {
        return DMAE_ERR_OVERFLOW;
    }
    *flat = (DmaeSeg) { .addr = addr, .len = len };
    *seg = flat;
    *nseg = 1;
    return DMAE_ERR_NONE;
}

static bool dmae_op_offered(uint8_t op)
{
    return op <= DMAE_OP_MAX;
}

/* Check and run one descriptor; the outcome is in @x. */
static void dmae_chan_exec(DmaeChan *ch, DmaeXfer *x, const DmaeDesc *d)
{
    DmaEngineState *s = ch->s;
    bool need_src = d->op != DMAE_OP_FILL;
    const DmaeSeg *src = NULL, *dst = NULL;
    uint32_t nsrc = 0, ndst = 0;
    DmaeSeg fsrc, fdst;

    if (s->latency_ns) {
        dmae_xfer_delay(x, s->latency_ns);
        x->start_ns = get_clock();  /* the bandwidth clock starts now */
    }
    if (!dmae_op_offered(d->op)) {
        x->err = DMAE_ERR_BAD_OP;
        return;
    }
    if (d->flags & ~DMAE_DF_ALL) {
        x->err = DMAE_ERR_BAD_FLAGS;
        return;
    }
    if (d->op == DMAE_OP_NOP) {
        return;
    }
    if (d->len == 0) {
        x->err = DMAE_ERR_LEN_ZERO;
        return;
    }
    if (d->len > s->max_xfer) {
        x->err = DMAE_ERR_LEN_MAX;
        return;
    }
    if (need_src) {
        x->err = dmae_load_side(ch, x, d->flags & DMAE_DF_SRC_SG, d->src,
                                d->src_nsg, d->len, ch->sg_src, &fsrc,
                                &src, &nsrc);
        if (x->err) {
            return;
        }
    }
    x->err = dmae_load_side(ch, x, d->flags & DMAE_DF_DST_SG, d->dst,
                            d->dst_nsg, d->len, ch->sg_dst, &fdst,
                            &dst, &ndst);
    if (x->err) {
        return;
    }

    switch (d->op) {
    case DMAE_OP_COPY:
    case DMAE_OP_COPY_CRC32C:
        dmae_xfer_copy(x, src, nsrc, dst, ndst, d->len,
                       d->op == DMAE_OP_COPY_CRC32C);
        break;
    case DMAE_OP_FILL:
        dmae_xfer_fill(x, dst, ndst, d->len, d->pattern);
        break;
    case DMAE_OP_COMPARE:
        dmae_xfer_compare(x, src, nsrc, dst, ndst, d->len);
        break;
    }
}

/* Write the completion record, its STATUS byte last. */
static bool dmae_chan_write_compl(DmaeXfer *x, uint64_t addr,
                                  const DmaeDesc *d)
{
    uint8_t rec[DMAE_COMPL_SIZE] = { 0 };
    bool corrupt = dmae_inject_hit(x->s, DMAE_INJK_CORRUPT);

    stq_le_p(rec + DMAE_COMPL_COOKIE, corrupt ? ~d->cookie : d->cookie);
    stl_le_p(rec + DMAE_COMPL_BYTES, x->bytes);
    stl_le_p(rec + DMAE_COMPL_RESULT, x->result);
    stq_le_p(rec + DMAE_COMPL_FAULT_ADDR, x->fault_addr);
    rec[DMAE_COMPL_STATUS] = DMAE_CS_DONE | x->err;
    if (dmae_dma(x, addr, rec, DMAE_COMPL_STATUS,
                 DMA_DIRECTION_FROM_DEVICE) != MEMTX_OK) {
        return false;
    }
    smp_wmb();  /* the record is visible before its STATUS byte */
    return dmae_dma(x, addr + DMAE_COMPL_STATUS, rec + DMAE_COMPL_STATUS,
                    DMAE_COMPL_SIZE - DMAE_COMPL_STATUS,
                    DMA_DIRECTION_FROM_DEVICE) == MEMTX_OK;
}

/* A descriptor completed: count it for the interrupt. @ch->lock held. */
static void dmae_chan_count_irq(DmaeChan *ch, const DmaeDesc *d)
{
    uint32_t count = MAX(1, ch->coal & DMAE_COAL_COUNT_MASK);

    if (d->flags & DMAE_DF_IRQ) {
        ch->irq_pending++;
    }
    if (!ch->irq_pending) {
        return;
    }
    /* The worker delivers these itself: dmae_chan_signal_now(). */
    if (ch->irq_pending >= count || ch->head == ch->tail) {
        ch->irq_fire = true;
    } else if (ch->coal >> DMAE_COAL_USEC_SHIFT) {
        ch->timer_req = true;
    }
}

static void dmae_chan_bh(void *opaque);

/*
 * Raise the interrupt the worker decided on from the worker itself, not
 * through a bottom half: that would wake the main loop first, one more
 * thread hand-over per completion (about a third of a small copy's round
 * trip under TCG). @ch->lock held; dropped while the BQL is taken, since
 * the BQL comes first (MMIO handlers hold it and take @ch->lock).
 */
static void dmae_chan_signal_now(DmaeChan *ch)
{
    qemu_mutex_unlock(&ch->lock);
    if (ch->s->workers) {
        qemu_mutex_lock_iothread();
        dmae_chan_bh(ch);
        qemu_mutex_unlock_iothread();
    } else {
        dmae_chan_bh(ch);
    }
    qemu_mutex_lock(&ch->lock);
}

static bool dmae_chan_has_work(DmaeChan *ch)
{
    return !ch->halted && (ch->resume || (ch->enabled && !ch->stalled &&
                                          ch->head != ch->tail));
}

/*
 * The channel goes idle. An ABORT that came while it was busy but that no
 * descriptor took (it came after the last one ended, or after a RESET cut
 * one off) halts it now, as an ABORT of an idle channel does: it must not
 * stay behind and abort some later descriptor. @ch->lock held.
 */
static void dmae_chan_idle(DmaeChan *ch)
{
    if (qatomic_read(&ch->abort) && !ch->stalled) {
        qatomic_set(&ch->abort, false);
        if (!ch->halted) {
            dmae_chan_halt(ch, DMAE_CHERR_ABORTED, 0);
        }
    }
    ch->busy = ch->stalled;
}

/*
 * Take the descriptor at HEAD and run it to its completion record. Called
 * with @ch->lock held and work to do; returns with it held (it is dropped
 * while the descriptor runs). On a worker thread, or on the main loop
 * with the BQL held (x-workers=off).
 */
static void dmae_chan_step(DmaeChan *ch)
{
    DmaEngineState *s = ch->s;
    uint8_t raw[DMAE_DESC_SIZE];
    uint64_t desc_addr, compl_addr;
    bool chain_failed, wrote, resume;
    uint32_t slot;
    DmaeDesc d;
    DmaeXfer x;

    ch->busy = true;
    resume = ch->resume;        /* an ABORT ended its stall */
    ch->resume = false;
    slot = ch->head & (ch->ring_size - 1);
    desc_addr = ch->ring_base + (uint64_t)slot * DMAE_DESC_SIZE;
    compl_addr = ch->compl_base + (uint64_t)slot * DMAE_COMPL_SIZE;
    chain_failed = ch->chain_failed;
    dmae_xfer_init(&x, s, ch->buf, ch->iommu, &ch->gen, &ch->abort,
                   &ch->dma_lock);
    x.bql_held = !s->workers;
    x.atc = ch->iommu ? ch->atc : NULL;
    qemu_mutex_unlock(&ch->lock);

    if (dmae_dma(&x, desc_addr, raw, sizeof(raw),
                 DMA_DIRECTION_TO_DEVICE) != MEMTX_OK) {
        qemu_mutex_lock(&ch->lock);
        if (x.want_gen == ch->gen) {
            dmae_chan_halt(ch, DMAE_CHERR_DESC_READ, desc_addr);
        }
        return;
    }
    dmae_desc_decode(raw, &d);
    trace_dma_engine_desc(ch->idx, slot, d.op, d.flags, d.len);
    if (!resume && qatomic_read(&ch->gen) == x.want_gen &&
        !qatomic_read(&ch->abort) && dmae_inject_hit(s, DMAE_INJK_STALL)) {
        /* Hold it, busy, until ABORT (which then ends it) or RESET. */
        qemu_mutex_lock(&ch->lock);
        ch->stalled = x.want_gen == ch->gen && !qatomic_read(&ch->abort);
        return;
    }
    if (qatomic_read(&ch->abort)) {
        x.err = DMAE_ERR_ABORTED;   /* aborted before it began */
    } else if ((d.flags & DMAE_DF_FENCE) && chain_failed) {
        x.err = DMAE_ERR_CANCELED;
    } else if (dmae_inject_hit(s, DMAE_INJK_FAIL)) {
        x.err = DMAE_ERR_INJECTED;
    } else {
        dmae_chan_exec(ch, &x, &d);
    }
    trace_dma_engine_desc_done(ch->idx, slot, x.err, x.bytes);
    if (x.err == DMAE_ERR_READ || x.err == DMAE_ERR_WRITE ||
        x.err == DMAE_ERR_SG_READ) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-engine: channel %u: DMA fault %u at 0x%"
                      PRIx64 "\n", ch->idx, x.err, x.fault_addr);
    }

    /*
     * A reset while the descriptor ran: no completion (dmae_dma() writes
     * nothing once the generation moved on). Software may reuse the slot
     * as soon as it sees DONE, and write a TAIL one past what HEAD allows
     * until HEAD moves: say so first.
     */
    qemu_mutex_lock(&ch->lock);
    ch->retiring = true;
    qemu_mutex_unlock(&ch->lock);
    wrote = qatomic_read(&ch->gen) != x.want_gen ||
            dmae_chan_write_compl(&x, compl_addr, &d);

    qemu_mutex_lock(&ch->lock);
    ch->retiring = false;
    if (x.want_gen != ch->gen) {
        return;
    }
    if (!wrote) {
        dmae_chan_halt(ch, DMAE_CHERR_COMPL_WRITE, compl_addr);
        return;
    }
    ch->chain_failed = x.err != DMAE_ERR_NONE;
    ch->head++;
    dmae_chan_count_irq(ch, &d);
    if (qatomic_read(&ch->abort)) {
        qatomic_set(&ch->abort, false);
        dmae_chan_halt(ch, DMAE_CHERR_ABORTED, 0);
    }
    if (ch->irq_fire || ch->timer_req) {
        dmae_chan_signal_now(ch);
    }
}

static void *dmae_chan_worker(void *opaque)
{
    DmaeChan *ch = opaque;
    DmaEngineState *s = ch->s;

    rcu_register_thread();
    qemu_mutex_lock(&ch->lock);
    for (;;) {
        while (!qatomic_read(&s->stopping) && !dmae_chan_has_work(ch)) {
            dmae_chan_idle(ch);
            qemu_cond_wait(&ch->cond, &ch->lock);
        }
        if (qatomic_read(&s->stopping)) {
            break;
        }
        dmae_chan_step(ch);
    }
    ch->busy = false;
    qemu_mutex_unlock(&ch->lock);
    rcu_unregister_thread();
    return NULL;
}

/*
 * x-workers=off: the channel's descriptors run in this bottom half, a
 * batch at a time, on the main loop.
 */
static void dmae_chan_run_bh(void *opaque)
{
    DmaeChan *ch = opaque;
    bool more;
    unsigned n;

    qemu_mutex_lock(&ch->lock);
    for (n = 0; n < DMAE_MAIN_LOOP_BATCH && dmae_chan_has_work(ch); n++) {
        dmae_chan_step(ch);
    }
    more = dmae_chan_has_work(ch);
    if (more) {
        ch->busy = false;
    } else {
        dmae_chan_idle(ch);
    }
    qemu_mutex_unlock(&ch->lock);
    if (more) {
        qemu_bh_schedule(ch->run_bh);
    }
}

/* There may be work: wake the worker, or schedule the run. @ch->lock held. */
static void dmae_chan_wake(DmaeChan *ch)
{
    if (ch->s->workers) {
        qemu_cond_signal(&ch->cond);
    } else {
        qemu_bh_schedule(ch->run_bh);
    }
}

/* Bottom half: signal what the worker decided. BQL held. */
static void dmae_chan_bh(void *opaque)
{
    DmaeChan *ch = opaque;
    bool fire, efire, treq;
    uint32_t usec;

    qemu_mutex_lock(&ch->lock);
    fire = ch->irq_fire;
    efire = ch->err_fire;
    treq = ch->timer_req;
    ch->irq_fire = ch->err_fire = ch->timer_req = false;
    if (fire) {
        ch->irq_pending = 0;
    }
    usec = ch->coal >> DMAE_COAL_USEC_SHIFT;
    qemu_mutex_unlock(&ch->lock);

    if (fire) {
        timer_del(ch->coal_timer);
        trace_dma_engine_chan_irq(ch->idx);
        dma_engine_signal(ch->s, ch->idx, DMAE_IRQ_CHAN(ch->idx));
    } else if (treq && !timer_pending(ch->coal_timer)) {
        timer_mod(ch->coal_timer,
                  qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + usec * SCALE_US);
    }
    if (efire) {
        dma_engine_signal(ch->s, ch->s->num_chan, DMAE_IRQ_ERROR);
    }
}

/* The coalescing timer ran out: signal what has gathered. BQL held. */
static void dmae_chan_coal_timer(void *opaque)
{
    DmaeChan *ch = opaque;
    uint32_t pending;

    qemu_mutex_lock(&ch->lock);
    pending = ch->irq_pending;
    ch->irq_pending = 0;
    qemu_mutex_unlock(&ch->lock);
    if (pending) {
        trace_dma_engine_chan_irq(ch->idx);
        dma_engine_signal(ch->s, ch->idx, DMAE_IRQ_CHAN(ch->idx));
    }
}

/*
 * RESET: disable, clear errors, counters and pending interrupts. When it
 * returns, no byte of a descriptor taken before it reaches memory: the
 * worker's access in progress has ended and the next one sees the new
 * generation.
 */
static void dmae_chan_soft_reset(DmaeChan *ch)
{
    qemu_mutex_lock(&ch->lock);
    qatomic_set(&ch->gen, ch->gen + 1);
    qatomic_set(&ch->abort, false);
    ch->enabled = false;
    ch->halted = false;
    ch->cherr = DMAE_CHERR_NONE;
    ch->err_addr = 0;
    ch->head = 0;
    ch->tail = 0;
    ch->chain_failed = false;
    if (ch->stalled) {
        /* Its worker is idle: it let the descriptor go in step(). */
        ch->stalled = false;
        ch->busy = false;
    }
    ch->resume = false;
    ch->irq_pending = 0;
    ch->irq_fire = ch->err_fire = ch->timer_req = false;
    qemu_mutex_unlock(&ch->lock);
    dmae_xfer_quiesce(&ch->dma_lock);
    timer_del(ch->coal_timer);
    trace_dma_engine_chan_reset(ch->idx);
}

void dmae_chan_reset(DmaeChan *ch)
{
    dmae_chan_soft_reset(ch);
    qemu_mutex_lock(&ch->lock);
    ch->ring_base = 0;
    ch->compl_base = 0;
    ch->ring_size = 0;
    ch->coal = 0;
    qemu_mutex_unlock(&ch->lock);
}

static void dmae_chan_enable(DmaeChan *ch)
{
    uint32_t size = ch->ring_size;

    if (ch->enabled || ch->halted) {
        return;
    }
    if (ch->ring_base % DMAE_DESC_SIZE || ch->compl_base % DMAE_COMPL_SIZE) {
        dmae_chan_halt(ch, DMAE_CHERR_RING_ALIGN,
                       ch->ring_base % DMAE_DESC_SIZE ? ch->ring_base :
                       ch->compl_base);
        return;
    }
    if (size < 2 || size > ch->s->ring_max || !is_power_of_2(size)) {
        dmae_chan_halt(ch, DMAE_CHERR_RING_SIZE, size);
        return;
    }
    ch->iommu = dma_engine_has_iommu(ch->s);
    ch->enabled = true;
    dmae_chan_wake(ch);
}

static void dmae_chan_abort(DmaeChan *ch)
{
    trace_dma_engine_chan_abort(ch->idx);
    if (ch->busy) {
        /* The worker stops, completes the descriptor and halts. */
        qatomic_set(&ch->abort, true);
        if (ch->stalled) {
            /* run it out (as ABORTED) even if ENABLE is cleared too */
            ch->stalled = false;
            ch->resume = true;
            dmae_chan_wake(ch);
        }
    } else if (!ch->halted) {
        dmae_chan_halt(ch, DMAE_CHERR_ABORTED, 0);
    }
}

static void dmae_chan_ctrl(DmaeChan *ch, uint32_t val)
{
    if (val & DMAE_CHCTRL_ABORT) {
        qemu_mutex_lock(&ch->lock);
        dmae_chan_abort(ch);
        qemu_mutex_unlock(&ch->lock);
    }
    if (val & DMAE_CHCTRL_RESET) {
        dmae_chan_soft_reset(ch);
    }
    qemu_mutex_lock(&ch->lock);
    if (val & DMAE_CHCTRL_ENABLE) {
        dmae_chan_enable(ch);
    } else {
        ch->enabled = false;
    }
    qemu_mutex_unlock(&ch->lock);
}

static void dmae_chan_set_tail(DmaeChan *ch, uint32_t tail)
{
    qemu_mutex_lock(&ch->lock);
    if (ch->halted) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-engine: channel %u: TAIL written while halted\n",
                      ch->idx);
    } else if (tail - ch->head > ch->ring_size + ch->retiring) {
        dmae_chan_halt(ch, DMAE_CHERR_BAD_TAIL, tail);
    } else {
        ch->tail = tail;
        dmae_chan_wake(ch);
    }
    qemu_mutex_unlock(&ch->lock);
}

static uint32_t dmae_chan_status(DmaeChan *ch)
{
    return (ch->enabled ? DMAE_CHSTS_ENABLED : 0) |
           (ch->busy ? DMAE_CHSTS_BUSY : 0) |
           (ch->halted ? DMAE_CHSTS_HALTED : 0) |
           (uint32_t)ch->cherr << DMAE_CHSTS_ERR_SHIFT;
}

/* Read the 64-bit word at @reg (8-aligned) of the channel's block. */
uint64_t dmae_chan_read(DmaeChan *ch, hwaddr reg, bool *ok)
{
    uint64_t val = 0;

    *ok = true;
    qemu_mutex_lock(&ch->lock);
    switch (reg) {
    case DMAE_CH_RING_BASE:
        val = ch->ring_base;
        break;
    case DMAE_CH_COMPL_BASE:
        val = ch->compl_base;
        break;
    case DMAE_CH_RING_SIZE:
        val = ch->ring_size | (uint64_t)ch->tail << 32;
        break;
    case DMAE_CH_HEAD:
        val = ch->head | (uint64_t)(ch->enabled ? DMAE_CHCTRL_ENABLE : 0)
              << 32;
        break;
    case DMAE_CH_STATUS:
        val = dmae_chan_status(ch) | (uint64_t)ch->coal << 32;
        break;
    case DMAE_CH_ERR_ADDR:
        val = ch->err_addr;
        break;
    default:
        *ok = false;
    }
    qemu_mutex_unlock(&ch->lock);
    return val;
}

static bool dmae_chan_config_locked(DmaeChan *ch, hwaddr reg)
{
    bool enabled;

    qemu_mutex_lock(&ch->lock);
    enabled = ch->enabled;
    qemu_mutex_unlock(&ch->lock);
    if (enabled) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-engine: channel %u: register 0x%" HWADDR_PRIx
                      " written while enabled; ignored\n", ch->idx, reg);
    }
    return enabled;
}

/* A write of @val (already shifted) to the bits @mask of word @reg. */
void dmae_chan_write(DmaeChan *ch, hwaddr reg, uint64_t val, uint64_t mask)
{
    bool lo = mask & 0xffffffffULL, hi = mask >> 32;

    switch (reg) {
    case DMAE_CH_RING_BASE:
    case DMAE_CH_COMPL_BASE:
        if (!dmae_chan_config_locked(ch, reg)) {
            uint64_t *r = reg == DMAE_CH_RING_BASE ? &ch->ring_base :
                                                     &ch->compl_base;
            qemu_mutex_lock(&ch->lock);
            *r = (*r & ~mask) | val;
            qemu_mutex_unlock(&ch->lock);
        }
        break;
    case DMAE_CH_RING_SIZE:
        if (lo && !dmae_chan_config_locked(ch, reg)) {
            qemu_mutex_lock(&ch->lock);
            ch->ring_size = val;
            qemu_mutex_unlock(&ch->lock);
        }
        if (hi) {
            dmae_chan_set_tail(ch, val >> 32);
        }
        break;
    case DMAE_CH_HEAD:
        if (lo) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "dma-engine: channel %u: HEAD is read-only\n",
                          ch->idx);
        }
        if (hi) {
            dmae_chan_ctrl(ch, val >> 32);
        }
        break;
    case DMAE_CH_STATUS:
        if (hi) {
            qemu_mutex_lock(&ch->lock);
            ch->coal = val >> 32;
            qemu_mutex_unlock(&ch->lock);
        }
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-engine: channel %u: write to 0x%" HWADDR_PRIx
                      " ignored\n", ch->idx, reg);
    }
}

void dmae_chan_realize(DmaEngineState *s, DmaeChan *ch, unsigned idx)
{
    char name[32];

    ch->s = s;
    ch->idx = idx;
    ch->buf = g_malloc(s->buf_size);
    ch->sg_src = g_new(DmaeSeg, s->max_sg);
    ch->sg_dst = g_new(DmaeSeg, s->max_sg);
    ch->atc = g_new0(DmaeAtcSlot, DMAE_ATC_SLOTS);
    ch->bh = qemu_bh_new_guarded(dmae_chan_bh, ch,
                                 &DEVICE(s)->mem_reentrancy_guard);
    ch->coal_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, dmae_chan_coal_timer,
                                  ch);
    qemu_mutex_init(&ch->lock);
    qemu_mutex_init(&ch->dma_lock);
    qemu_cond_init(&ch->cond);
    if (!s->workers) {
        ch->run_bh = qemu_bh_new_guarded(dmae_chan_run_bh, ch,
                                         &DEVICE(s)->mem_reentrancy_guard);
        return;
    }
    snprintf(name, sizeof(name), "dma-engine-ch%u", idx);
    qemu_thread_create(&ch->thread, name, dmae_chan_worker, ch,
                       QEMU_THREAD_JOINABLE);
}

/* Wake the worker and wait for it to end: s->stopping set, no BQL. */
void dmae_chan_stop(DmaeChan *ch)
{
    if (!ch->s->workers) {
        return;
    }
    qemu_mutex_lock(&ch->lock);
    qemu_cond_signal(&ch->cond);
    qemu_mutex_unlock(&ch->lock);
    qemu_thread_join(&ch->thread);
}

/* Free what the channel had; every worker of the device has ended. */
void dmae_chan_unrealize(DmaeChan *ch)
{
    timer_free(ch->coal_timer);
    qemu_bh_delete(ch->bh);
    if (ch->run_bh) {
        qemu_bh_delete(ch->run_bh);
    }
    qemu_cond_destroy(&ch->cond);
    qemu_mutex_destroy(&ch->lock);
    qemu_mutex_destroy(&ch->dma_lock);
    g_free(ch->sg_src);
    g_free(ch->sg_dst);
    g_free(ch->atc);
    ch->atc = NULL;
    g_free(ch->buf);
}
