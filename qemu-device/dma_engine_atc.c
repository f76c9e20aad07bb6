/*
 * dma-engine: the Address Translation Cache (PCIe ATS).
 *
 * Behind an IOMMU every access of the engine is translated, page by
 * page, under the BQL. A PCIe function with ATS keeps what the IOMMU
 * told it in its own ATC, and the IOMMU's driver invalidates that cache
 * with device-IOTLB invalidations whenever it unmaps. This model does
 * the same: the device has an ATS capability; once software enables
 * it (and only behind an IOMMU that sends device-IOTLB invalidations,
 * namely intel-iommu,device-iotlb=on), each channel keeps the page
 * translations of the copies it ran, and a later copy through the same
 * pages moves its data without a translation or the BQL.
 *
 * Correctness rests on three rules:
 * - An entry is filled only right after the same access was translated
 *   by the IOMMU, under the BQL, and only for addresses that an
 *   IOMMU notifier of the device (IOMMU_NOTIFIER_DEVIOTLB_UNMAP) covers,
 *   so every later invalidation of them reaches us.
 * - An entry is used only under its channel's dma_lock, for the whole
 *   access; an invalidation (BQL held) clears entries under each
 *   channel's dma_lock, so once it returns no access through a stale
 *   entry is under way or can begin: the IOMMU's invalidation completes
 *   after the device stopped using the translation, as ATS requires.
 *   (Accesses translated by the IOMMU itself begin under the BQL for the
 *   same reason: dmae_access_begin().)
 * - ATS disabled, bus mastering off, the IOMMU's region gone, or a
 *   reset: every entry is dropped.
 * A miss takes the exact path of dma_engine_xfer.c, which also reports
 * faults: a hit cannot fault, since its page was mapped and has not
 * been invalidated since. As on hardware, the cache relies on the
 * IOMMU's driver to invalidate it: a guest that sets ATS Enable behind
 * the driver's back (which then sends no device-IOTLB invalidations for
 * the device) gets a cache that keeps what it translated until ATS
 * Enable, bus mastering or a reset clears it.
 *
 * Copyright (c) 2026 The dma-engine authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "exec/memory.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/i386/intel_iommu.h"
#include "standard-headers/linux/pci_regs.h"
#include "dma_engine.h"
#include "trace.h"

#define DMAE_ATC_SHIFT      12
/* An invalidation of more pages than this clears the whole cache. */
#define DMAE_ATC_INVAL_MAX  64

static DmaeAtcSlot *dmae_atc_slot(DmaeAtcSlot *atc, uint64_t page)
{
    return &atc[page & (DMAE_ATC_SLOTS - 1)];
}

/* Drop the entries of [@start, @last] (bus addresses). dma_lock held. */
static void dmae_atc_drop(DmaeAtcSlot *atc, uint64_t start, uint64_t last)
{
    uint64_t first = start >> DMAE_ATC_SHIFT, end = last >> DMAE_ATC_SHIFT;
    uint64_t p;

    if (end - first >= DMAE_ATC_INVAL_MAX) {
        memset(atc, 0, DMAE_ATC_SLOTS * sizeof(*atc));
        return;
    }
    for (p = first; p <= end; p++) {
        DmaeAtcSlot *e = dmae_atc_slot(atc, p);

        if (e->page == p) {
            e->perm = 0;
        }
    }
}

/* Drop [@start, @last] from every channel's cache. BQL held. */
static void dmae_atc_invalidate(DmaEngineState *s, uint64_t start,
                                uint64_t last)
{
    unsigned i;

    trace_dma_engine_atc_inval(start, last);
    for (i = 0; i < s->num_chan; i++) {
        DmaeChan *ch = &s->chan[i];

        qemu_mutex_lock(&ch->dma_lock);
        dmae_atc_drop(ch->atc, start, last);
        qemu_mutex_unlock(&ch->dma_lock);
    }
}

static void dmae_atc_flush(DmaEngineState *s)
{
    dmae_atc_invalidate(s, 0, UINT64_MAX);
}

/* A device-IOTLB invalidation from the IOMMU's driver. BQL held. */
static void dmae_atc_notify(IOMMUNotifier *n, IOMMUTLBEntry *iotlb)
{
    DmaeAtcNotifier *an = container_of(n, DmaeAtcNotifier, n);
    uint64_t start = iotlb->iova + an->as_off;

    dmae_atc_invalidate(an->s, start, start + iotlb->addr_mask);
}

/* An IOMMU region appears in the device's bus-master space. BQL held. */
static void dmae_atc_region_add(MemoryListener *l, MemoryRegionSection *sec)
{
    DmaEngineState *s = container_of(l, DmaEngineState, atc_listener);
    IOMMUMemoryRegion *iommu_mr;
    DmaeAtcNotifier *an;
    Error *err = NULL;
    unsigned i;
    Int128 end;

    /*
     * Only VT-d is known to turn device-IOTLB invalidations into these
     * events (with device-iotlb=on; without, registering fails). AMD-Vi
     * would accept the notifier and never call it: no cache there.
     */
    if (!memory_region_is_iommu(sec->mr) ||
        !object_dynamic_cast(OBJECT(sec->mr),
                             TYPE_INTEL_IOMMU_MEMORY_REGION)) {
        return;
    }
    for (i = 0; i < DMAE_ATC_NOTIFIERS && s->atc_n[i].mr; i++) {
        continue;
    }
    if (i == DMAE_ATC_NOTIFIERS) {
        /* Not covered, so never cached (dmae_atc_covered()). */
        trace_dma_engine_atc_state("too many IOMMU sections", s->atc_nn);
        return;
    }
    iommu_mr = IOMMU_MEMORY_REGION(sec->mr);
    an = &s->atc_n[i];
    end = int128_sub(int128_add(int128_make64(sec->offset_within_region),
                                sec->size), int128_one());
    iommu_notifier_init(&an->n, dmae_atc_notify,
                        IOMMU_NOTIFIER_DEVIOTLB_UNMAP,
                        sec->offset_within_region, int128_get64(end),
                        memory_region_iommu_attrs_to_index(iommu_mr,
                                                MEMTXATTRS_UNSPECIFIED));
    an->s = s;
    an->as_off = sec->offset_within_address_space - sec->offset_within_region;
    an->start = sec->offset_within_address_space;
    an->last = an->start + (int128_get64(end) - sec->offset_within_region);
    if (memory_region_register_iommu_notifier(sec->mr, &an->n, &err)) {
        /* This IOMMU sends no device-IOTLB invalidations: no cache. */
        trace_dma_engine_atc_state(error_get_pretty(err), s->atc_nn);
        error_free(err);
        return;
    }
    an->mr = sec->mr;
    qatomic_set(&s->atc_nn, s->atc_nn + 1);
    trace_dma_engine_atc_state("IOMMU notifier registered", s->atc_nn);
}

/* An IOMMU region leaves the device's bus-master space. BQL held. */
static void dmae_atc_region_del(MemoryListener *l, MemoryRegionSection *sec)
{
    DmaEngineState *s = container_of(l, DmaEngineState, atc_listener);
    unsigned i;

    for (i = 0; i < DMAE_ATC_NOTIFIERS; i++) {
        DmaeAtcNotifier *an = &s->atc_n[i];

        if (an->mr && an->mr == sec->mr &&
            an->start == sec->offset_within_address_space) {
            memory_region_unregister_iommu_notifier(an->mr, &an->n);
            an->mr = NULL;
            qatomic_set(&s->atc_nn, s->atc_nn - 1);
            break;
        }
    }
    dmae_atc_flush(s);
    trace_dma_engine_atc_state("IOMMU region gone", s->atc_nn);
}

/* Is [@addr, @last] inside one region whose invalidations we get? */
static bool dmae_atc_covered(DmaEngineState *s, uint64_t addr, uint64_t last)
{
    unsigned i;

    for (i = 0; i < DMAE_ATC_NOTIFIERS; i++) {
        if (s->atc_n[i].mr && addr >= s->atc_n[i].start &&
            last <= s->atc_n[i].last) {
            return true;
        }
    }
    return false;
}

/**
 * dmae_atc_update: follow the ATS Enable bit
 * @s: the device
 *
 * After a config write or a reset. With ATS enabled behind an IOMMU the
 * device listens to its bus-master address space, to register a
 * device-IOTLB notifier on each IOMMU region in it (and to drop them,
 * with the cache, when bus mastering goes off); with ATS disabled it
 * stops listening and drops every entry. BQL held.
 */
void dmae_atc_update(DmaEngineState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint16_t cap = pdev->exp.ats_cap;
    bool on = cap && dma_engine_has_iommu(s) &&
              (pci_get_word(pdev->config + cap + PCI_ATS_CTRL) &
               PCI_ATS_CTRL_ENABLE);

    if (on == s->atc_listening) {
        return;
    }
    if (on) {
        s->atc_listener = (MemoryListener) {
            .name = "dma-engine-atc",
            .region_add = dmae_atc_region_add,
            .region_del = dmae_atc_region_del,
        };
        memory_listener_register(&s->atc_listener,
                                 pci_get_address_space(pdev));
    } else {
        /* region_del for each section: the notifiers go */
        memory_listener_unregister(&s->atc_listener);
        dmae_atc_flush(s);
    }
    s->atc_listening = on;
    trace_dma_engine_atc_state(on ? "ATS enabled" : "ATS disabled",
                               s->atc_nn);
}

/* A reset disables ATS (and so drops the cache). BQL held. */
void dmae_atc_reset(DmaEngineState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    if (pdev->exp.ats_cap) {
        pci_set_word(pdev->config + pdev->exp.ats_cap + PCI_ATS_CTRL, 0);
    }
    dmae_atc_update(s);
}

/**
 * dmae_atc_fill: remember a translation that just succeeded
 * @s: the device
 * @atc: the channel's cache
 * @addr: bus address (IOVA) of the access
 * @len: its length, all of it translated by one IOMMU entry
 * @write: the access writes guest memory
 *
 * Called under the BQL right after dmae_map_ram() mapped the same
 * access through the IOMMU, so the translation asked for again here
 * succeeds the same way and reports no second fault. Only the channel's
 * own transfers fill and read its cache, one at a time; others change
 * it under the BQL and its dma_lock, so the BQL is enough here.
 */
void dmae_atc_fill(DmaEngineState *s, DmaeAtcSlot *atc, uint64_t addr,
                   uint64_t len, bool write)
{
    uint32_t need = write ? DMAE_ATC_W : DMAE_ATC_R;
    uint64_t last = addr + len - 1, p, end;
    IOMMUTLBEntry e;

    if (!atc || !len || !s->atc_nn || !dmae_atc_covered(s, addr, last)) {
        return;
    }
    WITH_RCU_READ_LOCK_GUARD() {
        e = address_space_get_iotlb_entry(pci_get_address_space(PCI_DEVICE(s)),
                                          addr, write,
                                          MEMTXATTRS_UNSPECIFIED);
    }
    /* that translation may itself have dropped the IOMMU's region */
    if (!s->atc_nn || !dmae_atc_covered(s, addr, last) ||
        e.perm == IOMMU_NONE || e.addr_mask < DMAE_PAGE_SIZE - 1 ||
        addr < e.iova || last > e.iova + e.addr_mask) {
        return;
    }
    end = MIN(last >> DMAE_ATC_SHIFT,
              (addr >> DMAE_ATC_SHIFT) + DMAE_ATC_SLOTS - 1);
    for (p = addr >> DMAE_ATC_SHIFT; p <= end; p++) {
        DmaeAtcSlot *slot = dmae_atc_slot(atc, p);
        uint64_t gpa = e.translated_addr +
                       ((p << DMAE_ATC_SHIFT) - e.iova);

        if (slot->perm && slot->page == p && slot->gpa == gpa &&
            slot->as == e.target_as) {
            slot->perm |= need;
        } else {
            *slot = (DmaeAtcSlot) { .page = p, .gpa = gpa,
                                    .as = e.target_as, .perm = need };
        }
    }
    trace_dma_engine_atc_fill(addr, e.translated_addr + (addr - e.iova), len,
                              write);
}

/**
 * dmae_atc_lookup: translate from the cache
 * @atc: the channel's cache
 * @addr: bus address (IOVA)
 * @len: in: bytes wanted; out: bytes translated, contiguous in @as
 * @write: the access writes guest memory
 * @as: out: the address space the result is in
 *
 * dma_lock held, and held until the access is over.
 *
 * Returns: the translated address, or UINT64_MAX on a miss.
 */
uint64_t dmae_atc_lookup(DmaeAtcSlot *atc, uint64_t addr, uint64_t *len,
                         bool write, AddressSpace **as)
{
    uint32_t need = write ? DMAE_ATC_W : DMAE_ATC_R;
    uint64_t p = addr >> DMAE_ATC_SHIFT;
    DmaeAtcSlot *e = dmae_atc_slot(atc, p), *n;
    uint64_t run, k;

    if (!(e->perm & need) || e->page != p) {
        return UINT64_MAX;
    }
    run = DMAE_PAGE_SIZE - (addr & (DMAE_PAGE_SIZE - 1));
    for (k = 1; run < *len && k < DMAE_ATC_SLOTS; k++) {
        n = dmae_atc_slot(atc, p + k);
        if (!(n->perm & need) || n->page != p + k || n->as != e->as ||
            n->gpa != e->gpa + (k << DMAE_ATC_SHIFT)) {
            break;
        }
        run += DMAE_PAGE_SIZE;
    }
    *len = MIN(*len, run);
    *as = e->as;
    return e->gpa + (addr & (DMAE_PAGE_SIZE - 1));
}
