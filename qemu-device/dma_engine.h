/*
 * dma-engine: internal definitions shared by the device's source files.
 *
 * Copyright (c) 2026 The dma-engine authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_DMA_ENGINE_H
#define HW_DMA_ENGINE_H

#include "qemu/thread.h"
#include "hw/pci/pci.h"
#include "qom/object.h"
#include "hw/dma_engine_regs.h"

#define TYPE_DMA_ENGINE "dma-engine"
OBJECT_DECLARE_SIMPLE_TYPE(DmaEngineState, DMA_ENGINE)

#define DMAE_PAGE_SIZE      4096
/* x-workers=off: descriptors a channel runs per main-loop bottom half */
#define DMAE_MAIN_LOOP_BATCH 16

/*
 * The ATC (dma_engine_atc.c): per channel, a direct-mapped cache of 4 KiB
 * page translations, and the IOMMU notifiers that invalidate it.
 */
#define DMAE_ATC_SLOTS      2048    /* a power of two: 8 MiB of pages */
#define DMAE_ATC_NOTIFIERS  4       /* IOMMU sections of the bus space */
#define DMAE_ATC_R          1
#define DMAE_ATC_W          2

typedef struct DmaeAtcSlot {
    uint64_t page;              /* bus address >> 12 */
    uint64_t gpa;               /* what it translates to, in @as */
    AddressSpace *as;
    uint32_t perm;              /* DMAE_ATC_R | DMAE_ATC_W; 0: empty */
} DmaeAtcSlot;

typedef struct DmaeAtcNotifier {
    IOMMUNotifier n;
    DmaEngineState *s;
    MemoryRegion *mr;           /* NULL: unused */
    hwaddr as_off;              /* bus address = IOMMU region offset + this */
    uint64_t start, last;       /* the bus addresses it covers */
} DmaeAtcNotifier;

/* A piece of guest memory: one side of a transfer is a list of these. */
typedef struct DmaeSeg {
    uint64_t addr;
    uint32_t len;
} DmaeSeg;

/*
 * One transfer on a worker thread: the buffer it streams through, how to
 * tell that it must stop, and what it reports.
 */
typedef struct DmaeXfer {
    DmaEngineState *s;
    uint8_t *buf;
    uint32_t buf_size;
    bool iommu;                 /* translate under the BQL */
    bool bql_held;              /* runs on the main loop: BQL already held */
    QemuMutex *dma_lock;        /* held while guest memory is touched */
    DmaeAtcSlot *atc;           /* the channel's ATC, or NULL */
    const uint32_t *gen;        /* stop when *gen != want_gen ... */
    uint32_t want_gen;
    const bool *abort;          /* ... or when *abort */
    uint32_t mbps;              /* bandwidth model: MB/s, 0 = none */
    int64_t start_ns;
    uint64_t moved;
    /* results */
    uint32_t err;               /* DMAE_ERR_* */
    uint32_t bytes;
    uint32_t result;
    uint64_t fault_addr;
} DmaeXfer;

/* Kinds of injected faults: register DMAE_INJ_FAIL + 4 * kind */
typedef enum DmaeInjKind {
    DMAE_INJK_FAIL,
    DMAE_INJK_STALL,
    DMAE_INJK_DROP_IRQ,
    DMAE_INJK_CORRUPT,
    DMAE_INJ_NR,
} DmaeInjKind;

typedef struct DmaeSeed {
    uint64_t src;
    uint64_t dst;
    uint32_t len;
    uint64_t status;
    uint32_t err;
    uint64_t err_addr;
    uint32_t bytes;

    QemuThread thread;
    QemuMutex lock;
    QemuCond cond;
    bool job_pending;           /* lock */
    bool result_ready;          /* lock */
    DmaeSeg job_src;            /* lock */
    DmaeSeg job_dst;            /* lock */
    uint32_t job_gen;           /* lock */
    bool job_iommu;             /* lock */
    DmaeXfer result;            /* lock */
    uint32_t gen;               /* atomic; bumped by reset */
    bool abort;                 /* atomic; CTRL.ABORT */
    QEMUBH *bh;
    QEMUBH *run_bh;             /* x-workers=off: runs the copy */
    uint8_t *buf;
    QemuMutex dma_lock;         /* see dmae_xfer_quiesce() */
} DmaeSeed;

typedef struct DmaeChan {
    DmaEngineState *s;
    unsigned idx;
    QemuThread thread;
    QemuMutex lock;
    QemuCond cond;
    QemuMutex dma_lock;         /* see dmae_xfer_quiesce() */

    /* Registers: written under the BQL and @lock, read by the worker */
    uint64_t ring_base;
    uint64_t compl_base;
    uint32_t ring_size;
    uint32_t tail;
    uint32_t head;
    uint32_t coal;
    bool enabled;
    bool halted;
    uint8_t cherr;
    uint64_t err_addr;

    bool busy;                  /* lock: the worker holds a descriptor */
    bool retiring;              /* lock: its completion is being written */
    bool stalled;               /* lock: holds a descriptor (injected) */
    bool resume;                /* lock: ABORT ended the stall: finish it */
    bool iommu;                 /* lock: decided at ENABLE */
    bool chain_failed;          /* lock: for FENCE */
    uint32_t gen;               /* atomic, under lock; bumped by RESET */
    bool abort;                 /* atomic; CTRL.ABORT */

    /* Interrupt state, under @lock; signalled by @bh under the BQL */
    uint32_t irq_pending;       /* IRQ completions not yet signalled */
    bool irq_fire;
    bool err_fire;
    bool timer_req;
    QEMUBH *bh;
    QEMUBH *run_bh;             /* x-workers=off: runs the descriptors */
    QEMUTimer *coal_timer;      /* BQL */

    DmaeAtcSlot *atc;           /* see dma_engine_atc.c */

    /* Worker only */
    uint8_t *buf;
    DmaeSeg *sg_src;
    DmaeSeg *sg_dst;
} DmaeChan;

struct DmaEngineState {
    PCIDevice parent_obj;
    MemoryRegion mmio;

    /* Properties */
    uint32_t buf_size;
    uint32_t max_xfer;
    uint32_t num_chan;
    uint32_t ring_max;
    uint32_t max_sg;
    uint32_t bandwidth_mbps;
    uint32_t latency_ns;
    bool use_msi;
    bool use_msix;
    bool workers;               /* off: transfers run on the main loop */
    bool fault_inject;          /* DMAE_CAP_INJECT */
    uint32_t inject[DMAE_INJ_NR];       /* atomic: countdowns */
    uint32_t inject_fired[DMAE_INJ_NR]; /* atomic: how often each fired */

    MemoryListener atc_listener;        /* BQL; while ATS is enabled */
    bool atc_listening;                 /* BQL */
    unsigned atc_nn;                    /* BQL; notifiers in use */
    DmaeAtcNotifier atc_n[DMAE_ATC_NOTIFIERS];  /* BQL */

    uint32_t irq_status;        /* BQL; DMAE_REG_IRQ_STATUS */
    bool stopping;              /* atomic; device going away */
    DmaeSeed seed;
    DmaeChan chan[DMAE_CHAN_MAX];
};

/* dma_engine.c */
void dma_engine_signal(DmaEngineState *s, unsigned vector, uint32_t bit);
void dma_engine_update_intx(DmaEngineState *s);
bool dma_engine_has_iommu(DmaEngineState *s);

/* dma_engine_xfer.c */
void dmae_xfer_init(DmaeXfer *x, DmaEngineState *s, uint8_t *buf, bool iommu,
                    const uint32_t *gen, const bool *abort,
                    QemuMutex *dma_lock);
void dmae_xfer_quiesce(QemuMutex *dma_lock);
MemTxResult dmae_dma(DmaeXfer *x, uint64_t addr, void *buf, uint32_t len,
                     DMADirection dir);
bool dmae_xfer_copy(DmaeXfer *x, const DmaeSeg *src, uint32_t nsrc,
                    const DmaeSeg *dst, uint32_t ndst, uint32_t len,
                    bool crc);
bool dmae_xfer_fill(DmaeXfer *x, const DmaeSeg *dst, uint32_t ndst,
                    uint32_t len, uint64_t pattern);
bool dmae_xfer_compare(DmaeXfer *x, const DmaeSeg *src, uint32_t nsrc,
                       const DmaeSeg *dst, uint32_t ndst, uint32_t len);
void dmae_xfer_delay(DmaeXfer *x, uint64_t ns);

/* dma_engine_atc.c */
void dmae_atc_update(DmaEngineState *s);
void dmae_atc_reset(DmaEngineState *s);
void dmae_atc_fill(DmaEngineState *s, DmaeAtcSlot *atc, uint64_t addr,
                   uint64_t len, bool write);
uint64_t dmae_atc_lookup(DmaeAtcSlot *atc, uint64_t addr, uint64_t *len,
                         bool write, AddressSpace **as);

/* dma_engine_inject.c */
bool dmae_inject_hit(DmaEngineState *s, DmaeInjKind k);
void dmae_inject_reset(DmaEngineState *s);
bool dmae_inject_read(DmaEngineState *s, hwaddr reg, uint64_t *val);
bool dmae_inject_write(DmaEngineState *s, hwaddr reg, uint64_t val,
                       uint64_t mask);

/* dma_engine_seed.c */
void dmae_seed_realize(DmaEngineState *s);
void dmae_seed_stop(DmaEngineState *s);
void dmae_seed_unrealize(DmaEngineState *s);
void dmae_seed_reset(DmaEngineState *s);
bool dmae_seed_read(DmaEngineState *s, hwaddr reg, uint64_t *val);
bool dmae_seed_write(DmaEngineState *s, hwaddr reg, uint64_t val,
                     uint64_t mask);
bool dmae_seed_irq_pending(DmaEngineState *s);

/* dma_engine_chan.c */
void dmae_chan_realize(DmaEngineState *s, DmaeChan *ch, unsigned idx);
void dmae_chan_stop(DmaeChan *ch);
void dmae_chan_unrealize(DmaeChan *ch);
void dmae_chan_reset(DmaeChan *ch);
uint64_t dmae_chan_read(DmaeChan *ch, hwaddr reg, bool *ok);
void dmae_chan_write(DmaeChan *ch, hwaddr reg, uint64_t val, uint64_t mask);

#endif /* HW_DMA_ENGINE_H */
