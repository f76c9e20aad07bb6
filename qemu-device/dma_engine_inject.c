/*
 * dma-engine: fault injection, for testing drivers. With x-fault-inject=on
 * the device offers DMAE_CAP_INJECT and a register block at BAR0 + 0x3000:
 * software arms a countdown per kind of fault, and the Nth event of that
 * kind from then on, on any channel, goes wrong once. See "Fault
 * injection" in docs/dma-engine.rst.
 *
 * Copyright (c) 2026 The dma-engine authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "trace.h"
#include "dma_engine.h"

/*
 * One event of kind @k happened: true if it is the one to go wrong. The
 * countdown is shared by every channel's worker, so it is decremented
 * with a compare-and-swap: exactly one event sees it reach zero.
 */
bool dmae_inject_hit(DmaEngineState *s, DmaeInjKind k)
{
    uint32_t old, seen;

    if (!s->fault_inject) {
        return false;
    }
    old = qatomic_read(&s->inject[k]);
    while (old) {
        seen = qatomic_cmpxchg(&s->inject[k], old, old - 1);
        if (seen == old) {
            if (old != 1) {
                return false;
            }
            qatomic_inc(&s->inject_fired[k]);
            trace_dma_engine_inject(k);
            return true;
        }
        old = seen;
    }
    return false;
}

void dmae_inject_reset(DmaEngineState *s)
{
    unsigned k;

    for (k = 0; k < DMAE_INJ_NR; k++) {
        qatomic_set(&s->inject[k], 0);
        qatomic_set(&s->inject_fired[k], 0);
    }
}

/* The block as 64-bit words: two countdowns in each of the first two. */
bool dmae_inject_read(DmaEngineState *s, hwaddr reg, uint64_t *val)
{
    unsigned k;

    if (!s->fault_inject) {
        return false;
    }
    switch (reg) {
    case DMAE_INJ_FAIL:
    case DMAE_INJ_DROP_IRQ:
        k = (reg - DMAE_INJ_FAIL) / 4;
        *val = qatomic_read(&s->inject[k]) |
               (uint64_t)qatomic_read(&s->inject[k + 1]) << 32;
        return true;
    case DMAE_INJ_FIRED:
        *val = 0;
        for (k = 0; k < DMAE_INJ_NR; k++) {
            *val |= (uint64_t)(qatomic_read(&s->inject_fired[k]) & 0xff)
                    << (8 * k);
        }
        return true;
    }
    return false;
}

bool dmae_inject_write(DmaEngineState *s, hwaddr reg, uint64_t val,
                       uint64_t mask)
{
    unsigned k;

    if (!s->fault_inject ||
        (reg != DMAE_INJ_FAIL && reg != DMAE_INJ_DROP_IRQ)) {
        return false;
    }
    k = (reg - DMAE_INJ_FAIL) / 4;
    if (mask & 0xffffffffULL) {
        qatomic_set(&s->inject[k], (uint32_t)val);
    }
    if (mask >> 32) {
        qatomic_set(&s->inject[k + 1], val >> 32);
    }
    return true;
}
