/*
 * dma-engine: an emulated PCIe DMA engine that copies memory for the CPU.
 *
 * The register interface is described in docs/dma-engine.rst and
 * dma_engine_regs.h. Software writes a source, a destination and a
 * length, sets START, and learns of completion from the DONE bit and an
 * MSI (or INTx). The copy runs on a worker thread, never on the vCPU
 * that started it, and streams through a device-internal buffer with
 * pci_dma_rw(), so an IOMMU translates every access.
 *
 * Copyright (c) 2026 The dma-engine authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/thread.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msi.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "trace.h"
#include "dma_engine_regs.h"

#define TYPE_DMA_ENGINE "dma-engine"
OBJECT_DECLARE_SIMPLE_TYPE(DmaEngineState, DMA_ENGINE)

#define DMAE_MSI_OFFSET     0x40
#define DMAE_PCIE_OFFSET    0xe0
#define DMAE_PAGE_SIZE      4096

/* A copy handed to the worker, and what the worker reports back. */
typedef struct DmaEngineJob {
    uint64_t src;
    uint64_t dst;
    uint32_t len;
    uint32_t gen;
    bool iommu;                 /* DMA is translated: hold the BQL */
    uint32_t err;
    uint32_t bytes;
    uint64_t err_addr;
} DmaEngineJob;

struct DmaEngineState {
    PCIDevice parent_obj;
    MemoryRegion mmio;

    /* Properties */
    uint32_t buf_size;
    uint32_t max_xfer;
    bool use_msi;

    /* Seed registers; BQL */
    uint64_t src;
    uint64_t dst;
    uint32_t len;
    uint64_t status;
    uint32_t err;
    uint64_t err_addr;
    uint32_t bytes;

    /* Worker; the fields below are protected by @lock */
    QemuThread thread;
    QemuMutex lock;
    QemuCond cond;
    bool stopping;
    bool job_pending;
    bool result_ready;
    DmaEngineJob job;
    DmaEngineJob result;

    /*
     * Bumped by reset: a copy started in an older generation stops at the
     * next chunk and its result is dropped. Atomic.
     */
    uint32_t gen;
    bool abort;                 /* atomic; set by CTRL.ABORT */
    QEMUBH *done_bh;
    uint8_t *buf;               /* the internal buffer; worker only */
};

static void dma_engine_update_irq(DmaEngineState *s, bool pulse)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    bool pending = s->status & (DMAE_STS_DONE | DMAE_STS_ERROR);

    if (msi_enabled(pdev)) {
        if (pulse && pending) {
            trace_dma_engine_irq("msi");
            msi_notify(pdev, 0);
        }
        return;
    }
    if (pending) {
        trace_dma_engine_irq("intx");
    }
    pci_set_irq(pdev, pending);
}

/* Finish the current copy: status, error, interrupt. BQL held. */
static void dma_engine_complete(DmaEngineState *s, uint32_t err,
                                uint32_t bytes, uint64_t err_addr)
{
    trace_dma_engine_done(bytes, err, err_addr);
    s->err = err;
    s->bytes = bytes;
    s->err_addr = err_addr;
    s->status &= ~DMAE_STS_BUSY;
    s->status |= DMAE_STS_DONE;
    if (err != DMAE_ERR_NONE) {
        s->status |= DMAE_STS_ERROR;
    }
    dma_engine_update_irq(s, true);
}

/*
 * One DMA access from the worker. Translation through an IOMMU is thread
 * safe, but an IOMMU that faults raises its fault interrupt, which needs
 * the BQL; so behind an IOMMU every access holds it.
 */
static MemTxResult dma_engine_dma(DmaEngineState *s, const DmaEngineJob *job,
                                  uint64_t addr, void *buf, uint32_t len,
                                  DMADirection dir)
{
    MemTxResult r;

    if (job->iommu) {
        qemu_mutex_lock_iothread();
    }
    r = pci_dma_rw(PCI_DEVICE(s), addr, buf, len, dir,
                   MEMTXATTRS_UNSPECIFIED);
    if (job->iommu) {
        qemu_mutex_unlock_iothread();
    }
    return r;
}

static bool dma_engine_stop_requested(DmaEngineState *s, uint32_t gen)
{
    return qatomic_read(&s->abort) || qatomic_read(&s->gen) != gen;
}

/*
 * A chunk failed as a whole: find its first faulting page, so that the
 * error names the faulting address. Each page is moved again from or to
 * its own place in the buffer, so a repeated write stores the same bytes.
 */
static uint64_t dma_engine_fault_addr(DmaEngineState *s,
                                      const DmaEngineJob *job, uint64_t addr,
                                      uint32_t len, DMADirection dir)
{
    uint32_t off = 0;

    while (off < len) {
        uint64_t a = addr + off;
        uint32_t n = MIN(len - off, DMAE_PAGE_SIZE - (a % DMAE_PAGE_SIZE));

        if (dma_engine_dma(s, job, a, s->buf + off, n, dir) != MEMTX_OK) {
            return a;
        }
        off += n;
    }
    return addr;
}

/*
 * Run one copy, chunk by chunk through the internal buffer. Worker thread,
 * no BQL. A fault reading a chunk leaves the destination of that chunk
 * untouched; a fault writing one may leave it partly written.
 */
static void dma_engine_run(DmaEngineState *s, DmaEngineJob *job)
{
    uint32_t done = 0;

    job->err = DMAE_ERR_NONE;
    job->err_addr = 0;
    while (done < job->len) {
        uint32_t n = MIN(job->len - done, s->buf_size);
        uint64_t src = job->src + done;
        uint64_t dst = job->dst + done;

        if (dma_engine_stop_requested(s, job->gen)) {
            job->err = DMAE_ERR_ABORTED;
            break;
        }
        trace_dma_engine_chunk(src, dst, n);
        if (dma_engine_dma(s, job, src, s->buf, n,
                           DMA_DIRECTION_TO_DEVICE) != MEMTX_OK) {
            job->err = DMAE_ERR_READ;
            job->err_addr = dma_engine_fault_addr(s, job, src, n,
                                                  DMA_DIRECTION_TO_DEVICE);
            break;
        }
        if (dma_engine_dma(s, job, dst, s->buf, n,
                           DMA_DIRECTION_FROM_DEVICE) != MEMTX_OK) {
            job->err = DMAE_ERR_WRITE;
            job->err_addr = dma_engine_fault_addr(s, job, dst, n,
                                                  DMA_DIRECTION_FROM_DEVICE);
            break;
        }
        done += n;
    }
    job->bytes = done;
}

static void *dma_engine_worker(void *opaque)
{
    DmaEngineState *s = opaque;

    rcu_register_thread();
    qemu_mutex_lock(&s->lock);
    for (;;) {
        DmaEngineJob job;

        while (!s->job_pending && !s->stopping) {
            qemu_cond_wait(&s->cond, &s->lock);
        }
        if (s->stopping) {
            break;
        }
        job = s->job;
        s->job_pending = false;
        qemu_mutex_unlock(&s->lock);

        dma_engine_run(s, &job);

        qemu_mutex_lock(&s->lock);
        s->result = job;
        s->result_ready = true;
        qemu_bh_schedule(s->done_bh);
    }
    qemu_mutex_unlock(&s->lock);
    rcu_unregister_thread();
    return NULL;
}

/* Bottom half: the worker finished a copy. BQL held. */
static void dma_engine_done_bh(void *opaque)
{
    DmaEngineState *s = opaque;
    DmaEngineJob res;
    bool ready;

    qemu_mutex_lock(&s->lock);
    ready = s->result_ready;
    res = s->result;
    s->result_ready = false;
    qemu_mutex_unlock(&s->lock);

    if (!ready) {
        return;
    }
    if (res.gen != qatomic_read(&s->gen)) {
        trace_dma_engine_stale(res.gen);
        return;
    }
    if (res.err == DMAE_ERR_READ || res.err == DMAE_ERR_WRITE) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-engine: DMA %s fault at 0x%" PRIx64
                      " after %u bytes\n",
                      res.err == DMAE_ERR_READ ? "read" : "write",
                      res.err_addr, res.bytes);
    }
    dma_engine_complete(s, res.err, res.bytes, res.err_addr);
}

static void dma_engine_start(DmaEngineState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint32_t err = DMAE_ERR_NONE;

    if (s->status & DMAE_STS_BUSY) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-engine: START while a copy runs; ignored\n");
        s->status |= DMAE_STS_START_IGNORED;
        return;
    }
    s->status &= ~(DMAE_STS_DONE | DMAE_STS_ERROR);
    dma_engine_update_irq(s, false);
    trace_dma_engine_start(s->src, s->dst, s->len);

    if (s->len == 0) {
        err = DMAE_ERR_LEN_ZERO;
    } else if (s->len > s->max_xfer) {
        err = DMAE_ERR_LEN_MAX;
    } else if (!(pci_get_word(pdev->config + PCI_COMMAND) &
                 PCI_COMMAND_MASTER)) {
        err = DMAE_ERR_BUS_MASTER;
    }
    if (err != DMAE_ERR_NONE) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-engine: copy of %u bytes refused, error %u\n",
                      s->len, err);
        dma_engine_complete(s, err, 0, 0);
        return;
    }

    s->status |= DMAE_STS_BUSY;
    qatomic_set(&s->abort, false);
    qemu_mutex_lock(&s->lock);
    s->job = (DmaEngineJob) {
        .src = s->src,
        .dst = s->dst,
        .len = s->len,
        .gen = qatomic_read(&s->gen),
        .iommu = pci_device_iommu_address_space(pdev) !=
                 &address_space_memory,
    };
    s->job_pending = true;
    qemu_cond_signal(&s->cond);
    qemu_mutex_unlock(&s->lock);
}

static uint64_t dma_engine_reg_read(DmaEngineState *s, hwaddr reg)
{
    switch (reg) {
    case DMAE_REG_ID:
        return DMAE_ID_MAGIC |
               ((uint64_t)(DMAE_VERSION_MAJOR << 16 | DMAE_VERSION_MINOR)
                << 32);
    case DMAE_REG_CAP:
        return DMAE_CAP_SEED;
    case DMAE_REG_MAX_XFER:
        return s->max_xfer | (uint64_t)s->buf_size << 32;
    case DMAE_SEED_SRC:
        return s->src;
    case DMAE_SEED_DST:
        return s->dst;
    case DMAE_SEED_LEN:
        return (uint64_t)s->len << DMAE_SEED_LEN_SHIFT;
    case DMAE_SEED_CTRL:
        return s->status;
    case DMAE_SEED_ERR:
        return s->err;
    case DMAE_SEED_ERR_ADDR:
        return s->err_addr;
    case DMAE_SEED_BYTES:
        return s->bytes;
    default:
        return UINT64_MAX;
    }
}

static uint64_t dma_engine_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    DmaEngineState *s = opaque;
    hwaddr reg = addr & ~7ULL;
    uint64_t val = dma_engine_reg_read(s, reg);

    if (val == UINT64_MAX) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-engine: read of unknown register 0x%" HWADDR_PRIx
                      "\n", addr);
        val = 0;
    } else if (size == 4) {
        val = extract64(val, (addr & 4) * 8, 32);
    }
    trace_dma_engine_mmio_read(addr, size, val);
    return val;
}

static void dma_engine_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                                  unsigned size)
{
    DmaEngineState *s = opaque;
    hwaddr reg = addr & ~7ULL;
    unsigned shift = size == 4 ? (addr & 4) * 8 : 0;
    uint64_t mask = size == 4 ? MAKE_64BIT_MASK(shift, 32) : UINT64_MAX;

    trace_dma_engine_mmio_write(addr, size, val);
    val = (val << shift) & mask;

    switch (reg) {
    case DMAE_SEED_SRC:
        s->src = (s->src & ~mask) | val;
        break;
    case DMAE_SEED_DST:
        s->dst = (s->dst & ~mask) | val;
        break;
    case DMAE_SEED_LEN:
        s->len = extract64((((uint64_t)s->len << DMAE_SEED_LEN_SHIFT) &
                            ~mask) | val, DMAE_SEED_LEN_SHIFT, 32);
        break;
    case DMAE_SEED_CTRL:
        s->status &= ~(val & (DMAE_STS_DONE | DMAE_STS_ERROR |
                              DMAE_STS_START_IGNORED));
        dma_engine_update_irq(s, false);
        if (val & DMAE_CTRL_ABORT) {
            trace_dma_engine_abort();
            qatomic_set(&s->abort, true);
        }
        if (val & DMAE_CTRL_START) {
            dma_engine_start(s);
        }
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-engine: write to %s register 0x%" HWADDR_PRIx "\n",
                      dma_engine_reg_read(s, reg) == UINT64_MAX ?
                      "unknown" : "read-only", addr);
        break;
    }
}

static const MemoryRegionOps dma_engine_mmio_ops = {
    .read = dma_engine_mmio_read,
    .write = dma_engine_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
};

static void dma_engine_reset(DeviceState *dev)
{
    DmaEngineState *s = DMA_ENGINE(dev);

    trace_dma_engine_reset();
    /* Cut off a running copy at its next chunk and drop its result. */
    qatomic_inc(&s->gen);
    qatomic_set(&s->abort, true);
    s->src = 0;
    s->dst = 0;
    s->len = 0;
    s->status = 0;
    s->err = DMAE_ERR_NONE;
    s->err_addr = 0;
    s->bytes = 0;
    pci_set_irq(PCI_DEVICE(s), 0);
}

static void dma_engine_realize(PCIDevice *pdev, Error **errp)
{
    DmaEngineState *s = DMA_ENGINE(pdev);

    if (s->buf_size < DMAE_PAGE_SIZE || s->buf_size > 64 * MiB ||
        !is_power_of_2(s->buf_size)) {
        error_setg(errp, "dma-engine: buf-size must be a power of two "
                   "from 4 KiB to 64 MiB");
        return;
    }
    if (s->max_xfer == 0) {
        error_setg(errp, "dma-engine: max-transfer must not be 0");
        return;
    }

    pci_config_set_interrupt_pin(pdev->config, 1);
    if (s->use_msi && msi_init(pdev, DMAE_MSI_OFFSET, 1, true, false,
                               errp) < 0) {
        return;
    }
    if (pcie_endpoint_cap_init(pdev, DMAE_PCIE_OFFSET) < 0) {
        error_setg(errp, "dma-engine: cannot add the PCIe capability");
        goto err_msi;
    }

    memory_region_init_io(&s->mmio, OBJECT(s), &dma_engine_mmio_ops, s,
                          "dma-engine-mmio", DMAE_BAR0_SIZE);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->mmio);

    s->buf = g_malloc(s->buf_size);
    s->done_bh = qemu_bh_new_guarded(dma_engine_done_bh, s,
                                     &DEVICE(s)->mem_reentrancy_guard);
    qemu_mutex_init(&s->lock);
    qemu_cond_init(&s->cond);
    qemu_thread_create(&s->thread, "dma-engine", dma_engine_worker, s,
                       QEMU_THREAD_JOINABLE);
    return;

err_msi:
    msi_uninit(pdev);
}

static void dma_engine_exit(PCIDevice *pdev)
{
    DmaEngineState *s = DMA_ENGINE(pdev);

    qemu_mutex_lock(&s->lock);
    s->stopping = true;
    qatomic_set(&s->abort, true);
    qemu_cond_signal(&s->cond);
    qemu_mutex_unlock(&s->lock);
    /*
     * A copy whose address decodes to MMIO takes the BQL; do not hold it
     * while the worker drains.
     */
    qemu_mutex_unlock_iothread();
    qemu_thread_join(&s->thread);
    qemu_mutex_lock_iothread();

    qemu_bh_delete(s->done_bh);
    qemu_cond_destroy(&s->cond);
    qemu_mutex_destroy(&s->lock);
    g_free(s->buf);
    msi_uninit(pdev);
}

static Property dma_engine_properties[] = {
    DEFINE_PROP_UINT32("buf-size", DmaEngineState, buf_size, 64 * KiB),
    DEFINE_PROP_UINT32("max-transfer", DmaEngineState, max_xfer, 64 * MiB),
    DEFINE_PROP_BOOL("msi", DmaEngineState, use_msi, true),
    DEFINE_PROP_END_OF_LIST(),
};

static const VMStateDescription dma_engine_vmstate = {
    .name = TYPE_DMA_ENGINE,
    .unmigratable = 1,
};

static void dma_engine_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = dma_engine_realize;
    k->exit = dma_engine_exit;
    k->vendor_id = DMAE_PCI_VENDOR_ID;
    k->device_id = DMAE_PCI_DEVICE_ID;
    k->revision = DMAE_PCI_REVISION;
    k->class_id = PCI_CLASS_OTHERS;
    k->subsystem_vendor_id = DMAE_PCI_SUBVENDOR_ID;
    k->subsystem_id = DMAE_PCI_SUBDEVICE_ID;
    dc->desc = "PCIe DMA engine (memory copy offload)";
    dc->reset = dma_engine_reset;
    dc->vmsd = &dma_engine_vmstate;
    device_class_set_props(dc, dma_engine_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo dma_engine_info = {
    .name = TYPE_DMA_ENGINE,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(DmaEngineState),
    .class_init = dma_engine_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { },
    },
};

static void dma_engine_register_types(void)
{
    type_register_static(&dma_engine_info);
}

type_init(dma_engine_register_types)
