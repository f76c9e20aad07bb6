/*
 * dma-engine: the data mover. Runs on a worker thread (seed block or
 * channel) and moves data between guest memory and the device-internal
 * buffer, chunk by chunk, through the device's PCI address space so that
 * an IOMMU translates every access. Between chunks it checks for abort
 * and reset, and it applies the optional bandwidth model.
 *
 * What the engine may reach: guest RAM, and nothing else. Like a real
 * PCIe function it cannot reach the host bridge's ECAM, the IOMMU's or an
 * interrupt controller's registers, or its own BARs; an access whose
 * (translated) target is not RAM fails as a fault at its address, and no
 * byte of it is read from or written to the target. Every store to guest
 * memory is made under the transfer's dma_lock after checking that no
 * reset came since the transfer started: a reset takes that lock after
 * moving the generation on, so once it returns no byte of an older
 * request can land (see dmae_xfer_quiesce()).
 *
 * Copyright (c) 2026 The dma-engine authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/crc32c.h"
#include "exec/memory.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "qemu/units.h"
#include "sysemu/dma.h"
#include "dma_engine.h"

/* The most one direct move takes before it checks for abort and rate. */
#define DMAE_DIRECT_SPAN    (1 * MiB)

/* Where a transfer is in a list of segments */
typedef struct DmaeCursor {
    const DmaeSeg *seg;
    uint32_t nseg;
    uint32_t idx;
    uint32_t off;
} DmaeCursor;

void dmae_xfer_init(DmaeXfer *x, DmaEngineState *s, uint8_t *buf, bool iommu,
                    const uint32_t *gen, const bool *abort,
                    QemuMutex *dma_lock)
{
    *x = (DmaeXfer) {
        .s = s,
        .buf = buf,
        .buf_size = s->buf_size,
        .iommu = iommu,
        .dma_lock = dma_lock,
        .gen = gen,
        .want_gen = qatomic_read(gen),
        .abort = abort,
        .mbps = s->bandwidth_mbps,
        .start_ns = get_clock(),
    };
}

/* A reset (or the device going away) since the transfer started? */
static bool dmae_reset_seen(DmaeXfer *x)
{
    return qatomic_read(x->gen) != x->want_gen ||
           qatomic_read(&x->s->stopping);
}

static bool dmae_stop_requested(DmaeXfer *x)
{
    return qatomic_read(x->abort) || dmae_reset_seen(x);
}

/*
 * Translation through an IOMMU may report a fault, which raises the
 * IOMMU's interrupt and needs the BQL; without an IOMMU it needs nothing.
 */
static void dmae_xlat_lock(DmaeXfer *x)
{
    if (x->iommu && !x->bql_held) {
        qemu_mutex_lock_iothread();
    }
}

static void dmae_xlat_unlock(DmaeXfer *x)
{
    if (x->iommu && !x->bql_held) {
        qemu_mutex_unlock_iothread();
    }
}

/*
 * Begin touching mapped guest memory, unless a reset came. Behind an
 * IOMMU the access begins while the BQL, under which it was translated,
 * is still held (the lock order is BQL, then dma_lock): an invalidation
 * of that translation, which runs under the BQL and takes each channel's
 * dma_lock (dma_engine_atc.c), then waits for the access to end, so once
 * the IOMMU says an invalidation is complete no byte moves through the
 * old translation. The translation itself is made before dma_lock is
 * taken, since it may drop the ATC (a region_del under the BQL), which
 * takes the lock.
 */
static bool dmae_access_begin(DmaeXfer *x)
{
    qemu_mutex_lock(x->dma_lock);
    if (dmae_reset_seen(x)) {
        qemu_mutex_unlock(x->dma_lock);
        return false;
    }
    return true;
}

static void dmae_access_end(DmaeXfer *x)
{
    qemu_mutex_unlock(x->dma_lock);
}

/**
 * dmae_xfer_quiesce: wait until no access of an older generation runs
 * @dma_lock: the lock of the transfers of a seed block or channel
 *
 * Called after the generation was moved on (a reset) or s->stopping was
 * set: an access already begun ends before this returns, and every later
 * one sees the change and touches nothing. Never waits for the BQL: no
 * access holds @dma_lock while it waits for it.
 */
void dmae_xfer_quiesce(QemuMutex *dma_lock)
{
    qemu_mutex_lock(dma_lock);
    qemu_mutex_unlock(dma_lock);
}

/* Between chunks: stop, with ABORTED, if software or reset says so. */
static bool dmae_stopped(DmaeXfer *x)
{
    if (dmae_stop_requested(x)) {
        x->err = DMAE_ERR_ABORTED;
        return true;
    }
    return false;
}

/* Sleep @ns in slices, so that abort and reset are still seen quickly. */
void dmae_xfer_delay(DmaeXfer *x, uint64_t ns)
{
    int64_t end = get_clock() + ns;
    int64_t now;

    while ((now = get_clock()) < end && !dmae_stop_requested(x)) {
        g_usleep(MAX(1, MIN(1000, (end - now) / 1000)));
    }
}

/* The bandwidth model: @n more bytes moved; wait until they are due. */
static void dmae_rate(DmaeXfer *x, uint32_t n)
{
    uint64_t mbps = x->mbps;
    int64_t due;

    if (!mbps) {
        return;
    }
    x->moved += n;
    due = x->start_ns + x->moved * 1000 / mbps;
    if (due > get_clock()) {
        dmae_xfer_delay(x, due - get_clock());
    }
}

/*
 * A piece failed as a whole: find its first faulting page, so that the
 * error names the faulting address. Each page is moved again from or to
 * its own place in the buffer, so a repeated write stores the same bytes.
 */
static uint64_t dmae_fault_addr(DmaeXfer *x, uint64_t addr, uint8_t *buf,
                                uint32_t len, DMADirection dir)
{
    uint32_t off = 0;

    while (off < len) {
        uint64_t a = addr + off;
        uint32_t n = MIN(len - off, DMAE_PAGE_SIZE - (a % DMAE_PAGE_SIZE));

        if (dmae_dma(x, a, buf + off, n, dir) != MEMTX_OK) {
            return a;
        }
        off += n;
    }
    return addr;
}

/* Move @len bytes between @buf and the segments at cursor @c. */
static bool dmae_side_io(DmaeXfer *x, DmaeCursor *c, uint8_t *buf,
                         uint32_t len, DMADirection dir, uint32_t err)
{
    while (len) {
        const DmaeSeg *sg = &c->seg[c->idx];
        uint32_t n = MIN(len, sg->len - c->off);
        uint64_t a = sg->addr + c->off;

        if (dmae_dma(x, a, buf, n, dir) != MEMTX_OK) {
            x->err = err;
            x->fault_addr = dmae_fault_addr(x, a, buf, n, dir);
            return false;
        }
        buf += n;
        len -= n;
        c->off += n;
        if (c->off == sg->len) {
            c->idx++;
            c->off = 0;
        }
    }
    return true;
}

static void dmae_cursor_advance(DmaeCursor *c, uint32_t n)
{
    c->off += n;
    if (c->off == c->seg[c->idx].len) {
        c->idx++;
        c->off = 0;
    }
}

/*
 * Map [@addr, @addr + *@len) if it is plain guest RAM (after translation
 * by an IOMMU); *@len may come back shorter. NULL for anything else: a
 * fault, MMIO or unassigned space, which the engine cannot reach. The
 * check is made again on the mapping: had the memory map changed in
 * between, address_space_map() would have handed out its bounce buffer,
 * which is let go without a byte written through it.
 */
static void *dmae_map_ram(AddressSpace *as, uint64_t addr, dma_addr_t *len,
                          DMADirection dir)
{
    bool write = dir == DMA_DIRECTION_FROM_DEVICE;
    MemoryRegion *mr;
    ram_addr_t off;
    hwaddr xlat, l = *len;
    void *p;

    WITH_RCU_READ_LOCK_GUARD() {
        mr = address_space_translate(as, addr, &xlat, &l, write,
                                     MEMTXATTRS_UNSPECIFIED);
        if (!memory_access_is_direct(mr, write)) {
            return NULL;
        }
    }
    *len = MIN(*len, l);
    p = dma_memory_map(as, addr, len, dir, MEMTXATTRS_UNSPECIFIED);
    if (p && !memory_region_from_host(p, &off)) {
        dma_memory_unmap(as, p, *len, dir, 0);
        return NULL;
    }
    return p;
}

/**
 * dmae_dma: one access of the engine to guest memory
 * @x: the transfer
 * @addr: bus address (an IOVA behind an IOMMU)
 * @buf: the device side
 * @len: bytes
 * @dir: DMA_DIRECTION_TO_DEVICE reads guest memory into @buf
 *
 * Only guest RAM is reachable (see the top of this file).
 *
 * Returns: MEMTX_OK; MEMTX_DECODE_ERROR if a piece is not RAM or does
 * not translate (memory before it may have been moved); MEMTX_ERROR if a
 * reset came first, in which case the rest was not touched.
 */
MemTxResult dmae_dma(DmaeXfer *x, uint64_t addr, void *buf, uint32_t len,
                     DMADirection dir)
{
    AddressSpace *as = pci_get_address_space(PCI_DEVICE(x->s));
    uint8_t *b = buf;

    while (len) {
        dma_addr_t l = len;
        bool ok;
        void *p;

        dmae_xlat_lock(x);
        p = dmae_map_ram(as, addr, &l, dir);
        /* before the BQL goes: see dmae_access_begin() */
        ok = p && dmae_access_begin(x);
        dmae_xlat_unlock(x);
        if (!p) {
            return MEMTX_DECODE_ERROR;
        }
        if (ok) {
            if (dir == DMA_DIRECTION_TO_DEVICE) {
                memcpy(b, p, l);
            } else {
                memcpy(p, b, l);
            }
            dmae_access_end(x);
        }
        dmae_xlat_lock(x);
        dma_memory_unmap(as, p, l, dir, ok ? l : 0);
        dmae_xlat_unlock(x);
        if (!ok) {
            return MEMTX_ERROR;
        }
        addr += l;
        b += l;
        len -= l;
    }
    return MEMTX_OK;
}

/*
 * Move up to @len bytes from @sa to @da (bus addresses) with one host
 * memmove, if the ATC translates both ends to guest RAM (a hit); 0 on a
 * miss, after a reset, or if the entries went while the memory was being
 * mapped. The entries are used under dma_lock, which an invalidation of
 * them waits for (dma_engine_atc.c).
 */
static uint32_t dmae_move_cached(DmaeXfer *x, uint64_t sa, uint64_t da,
                                 uint64_t len, uint32_t *crc)
{
    uint64_t sl = len, dl = len, sg, dg, sl2, dl2;
    AddressSpace *sas, *das, *as2s, *as2d;
    dma_addr_t sml, dml;
    void *sp = NULL, *dp = NULL;
    uint32_t l = 0;

    /*
     * Look up under dma_lock, map without it (a mapping may need the
     * BQL, which is never waited for under dma_lock), then check the
     * entries again under it for the access itself.
     */
    qemu_mutex_lock(x->dma_lock);
    sg = dmae_atc_lookup(x->atc, sa, &sl, false, &sas);
    dg = dmae_atc_lookup(x->atc, da, &dl, true, &das);
    qemu_mutex_unlock(x->dma_lock);
    if (sg == UINT64_MAX || dg == UINT64_MAX) {
        return 0;
    }
    sml = dml = MIN(sl, dl);
    sp = dmae_map_ram(sas, sg, &sml, DMA_DIRECTION_TO_DEVICE);
    if (sp) {
        dp = dmae_map_ram(das, dg, &dml, DMA_DIRECTION_FROM_DEVICE);
    }
    if (sp && dp && dmae_access_begin(x)) {
        sl2 = dl2 = MIN(sml, dml);
        if (dmae_atc_lookup(x->atc, sa, &sl2, false, &as2s) == sg &&
            dmae_atc_lookup(x->atc, da, &dl2, true, &as2d) == dg &&
            as2s == sas && as2d == das && sl2 == MIN(sml, dml) &&
            dl2 == sl2) {
            l = sl2;
            if (crc) {
                *crc = crc32c(*crc ^ 0xffffffff, sp, l);
            }
            memmove(dp, sp, l);
        }
        dmae_access_end(x);
    }
    if (dp) {
        dma_memory_unmap(das, dp, dml, DMA_DIRECTION_FROM_DEVICE, l);
    }
    if (sp) {
        dma_memory_unmap(sas, sp, sml, DMA_DIRECTION_TO_DEVICE, l);
    }
    return l;
}

/*
 * Move up to @n bytes from @cs to @cd with one host memmove per piece,
 * for the pieces whose both ends map straight to guest RAM. Chunks are
 * moved in order, so this leaves memory exactly as staging each chunk in
 * the internal buffer would (for overlapping ranges too). Returns the
 * bytes moved; it stops early at a piece that does not map (a fault, or
 * MMIO), which the caller then stages through the buffer.
 */
static uint32_t dmae_move_direct(DmaeXfer *x, DmaeCursor *cs, DmaeCursor *cd,
                                 uint32_t n, uint32_t *crc)
{
    AddressSpace *as = pci_get_address_space(PCI_DEVICE(x->s));
    uint32_t done = 0;

    while (done < n) {
        const DmaeSeg *ss = &cs->seg[cs->idx], *ds = &cd->seg[cd->idx];
        dma_addr_t sl = MIN(n - done, MIN(ss->len - cs->off,
                                          ds->len - cd->off));
        dma_addr_t dl = sl;
        uint32_t l = 0;
        void *sp, *dp = NULL;
        bool ok;

        /* no IOMMU region sends us invalidations: nothing is cached */
        if (x->atc && qatomic_read(&x->s->atc_nn)) {
            l = dmae_move_cached(x, ss->addr + cs->off, ds->addr + cd->off,
                                 sl, crc);
            if (l) {
                dmae_cursor_advance(cs, l);
                dmae_cursor_advance(cd, l);
                done += l;
                continue;
            }
        }
        dmae_xlat_lock(x);
        sp = dmae_map_ram(as, ss->addr + cs->off, &sl,
                          DMA_DIRECTION_TO_DEVICE);
        if (sp) {
            dp = dmae_map_ram(as, ds->addr + cd->off, &dl,
                              DMA_DIRECTION_FROM_DEVICE);
        }
        if (sp && dp && x->atc) {
            /* translated and still under the BQL: remember it */
            dmae_atc_fill(x->s, x->atc, ss->addr + cs->off, sl, false);
            dmae_atc_fill(x->s, x->atc, ds->addr + cd->off, dl, true);
        }
        /* before the BQL goes: see dmae_access_begin() */
        ok = sp && dp && dmae_access_begin(x);
        dmae_xlat_unlock(x);
        if (ok) {
            l = MIN(sl, dl);
            if (crc) {
                *crc = crc32c(*crc ^ 0xffffffff, sp, l);
            }
            memmove(dp, sp, l);
            dmae_access_end(x);
        }
        dmae_xlat_lock(x);
        if (dp) {
            dma_memory_unmap(as, dp, dl, DMA_DIRECTION_FROM_DEVICE, l);
        }
        if (sp) {
            dma_memory_unmap(as, sp, sl, DMA_DIRECTION_TO_DEVICE, l);
        }
        dmae_xlat_unlock(x);
        if (!l) {
            break;
        }
        dmae_cursor_advance(cs, l);
        dmae_cursor_advance(cd, l);
        done += l;
    }
    return done;
}

bool dmae_xfer_copy(DmaeXfer *x, const DmaeSeg *src, uint32_t nsrc,
                    const DmaeSeg *dst, uint32_t ndst, uint32_t len,
                    bool crc)
{
    DmaeCursor cs = { .seg = src, .nseg = nsrc };
    DmaeCursor cd = { .seg = dst, .nseg = ndst };
    uint32_t crcv = 0;      /* CRC32C of the bytes so far */

    while (x->bytes < len) {
        uint32_t span = MIN(len - x->bytes,
                            QEMU_ALIGN_UP(DMAE_DIRECT_SPAN, x->buf_size));
        uint32_t moved, n;

        if (dmae_stopped(x)) {
            return false;
        }
        moved = dmae_move_direct(x, &cs, &cd, span, crc ? &crcv : NULL);
        if (moved) {
            x->bytes += moved;
            dmae_rate(x, moved);
            continue;
        }
        /* Stage a chunk through the buffer; it reports faults exactly. */
        n = MIN(len - x->bytes, x->buf_size);
        if (!dmae_side_io(x, &cs, x->buf, n, DMA_DIRECTION_TO_DEVICE,
                          DMAE_ERR_READ)) {
            return false;
        }
        if (crc) {
            /* crc32c() inverts its result; chain with the inverse */
            crcv = crc32c(crcv ^ 0xffffffff, x->buf, n);
        }
        if (!dmae_side_io(x, &cd, x->buf, n, DMA_DIRECTION_FROM_DEVICE,
                          DMAE_ERR_WRITE)) {
            return false;
        }
        x->bytes += n;
        dmae_rate(x, n);
    }
    if (crc) {
        x->result = crcv;
    }
    return true;
}

bool dmae_xfer_fill(DmaeXfer *x, const DmaeSeg *dst, uint32_t ndst,
                    uint32_t len, uint64_t pattern)
{
    DmaeCursor cd = { .seg = dst, .nseg = ndst };
    uint32_t i;

    /* Chunks start at multiples of buf_size, itself a multiple of 8. */
    for (i = 0; i < MIN(len, x->buf_size); i++) {
        x->buf[i] = pattern >> (8 * (i % 8));
    }
    while (x->bytes < len) {
        uint32_t n = MIN(len - x->bytes, x->buf_size);

        if (dmae_stopped(x) ||
            !dmae_side_io(x, &cd, x->buf, n, DMA_DIRECTION_FROM_DEVICE,
                          DMAE_ERR_WRITE)) {
            return false;
        }
        x->bytes += n;
        dmae_rate(x, n);
    }
    return true;
}

bool dmae_xfer_compare(DmaeXfer *x, const DmaeSeg *src, uint32_t nsrc,
                       const DmaeSeg *dst, uint32_t ndst, uint32_t len)
{
    DmaeCursor cs = { .seg = src, .nseg = nsrc };
    DmaeCursor cd = { .seg = dst, .nseg = ndst };
    uint32_t half = x->buf_size / 2;
    uint8_t *a = x->buf, *b = x->buf + half;

    while (x->bytes < len) {
        uint32_t n = MIN(len - x->bytes, half);
        uint32_t i;

        if (dmae_stopped(x) ||
            !dmae_side_io(x, &cs, a, n, DMA_DIRECTION_TO_DEVICE,
                          DMAE_ERR_READ) ||
            !dmae_side_io(x, &cd, b, n, DMA_DIRECTION_TO_DEVICE,
                          DMAE_ERR_READ)) {
            return false;
        }
        if (memcmp(a, b, n)) {
            for (i = 0; a[i] == b[i]; i++) {
                continue;
            }
            x->bytes += i;
            x->result = 1;
            return true;
        }
        x->bytes += n;
        dmae_rate(x, 2 * n);
    }
    x->result = 0;
    return true;
}
