/*
 * dma-engine: an emulated PCIe DMA engine that copies memory for the CPU.
 *
 * The register interface is described in docs/dma-engine.rst and
 * dma_engine_regs.h. This file is the PCI device: identity, interrupts
 * (MSI-X, MSI, INTx), the MMIO dispatcher and the identification block.
 * The seed block is in dma_engine_seed.c, the descriptor-ring channels in
 * dma_engine_chan.c and the data mover in dma_engine_xfer.c. Every copy
 * runs on a worker thread, never on the vCPU that starts it, and every
 * DMA goes through the device's PCI address space, so an IOMMU
 * translates it; only guest RAM can be reached (dma_engine_xfer.c).
 *
 * Copyright (c) 2026 The dma-engine authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_bus.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "trace.h"
#include "dma_engine.h"

#define DMAE_MSI_OFFSET         0x40
#define DMAE_PCIE_OFFSET        0xe0    /* on a root bus, as in the seed */
#define DMAE_PCIE_OFFSET_PORT   0x80    /* v2 capability, below a port */
#define DMAE_ATS_OFFSET         0x100   /* the first extended capability */
#define DMAE_MSIX_BAR           2

bool dma_engine_has_iommu(DmaEngineState *s)
{
    return pci_device_iommu_address_space(PCI_DEVICE(s)) !=
           &address_space_memory;
}

/* INTx follows the pending causes while neither MSI-X nor MSI is on. */
void dma_engine_update_intx(DmaEngineState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    bool level;

    if (msix_enabled(pdev) || msi_enabled(pdev)) {
        return;
    }
    level = s->irq_status || dmae_seed_irq_pending(s);
    if (level) {
        trace_dma_engine_irq("intx");
    }
    pci_set_irq(pdev, level);
}

/*
 * Signal an event: MSI-X @vector, else the MSI, else the INTx level.
 * @bit is recorded in IRQ_STATUS. BQL held.
 */
void dma_engine_signal(DmaEngineState *s, unsigned vector, uint32_t bit)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    s->irq_status |= bit;
    /* A channel's message (@bit set; the seed's has none) may be lost. */
    if (bit && dmae_inject_hit(s, DMAE_INJK_DROP_IRQ)) {
        return;
    }
    if (msix_enabled(pdev)) {
        trace_dma_engine_irq("msix");
        msix_notify(pdev, vector);
    } else if (msi_enabled(pdev)) {
        trace_dma_engine_irq("msi");
        msi_notify(pdev, 0);
    } else {
        dma_engine_update_intx(s);
    }
}

static uint64_t dma_engine_caps(DmaEngineState *s)
{
    return DMAE_CAP_SEED | DMAE_CAP_CHANNELS | DMAE_CAP_SG |
           (s->use_msix ? DMAE_CAP_MSIX : 0) | DMAE_CAP_FILL |
           DMAE_CAP_COMPARE | DMAE_CAP_CRC32C |
           (s->fault_inject ? DMAE_CAP_INJECT : 0);
}

/* The identification block, as 64-bit words. */
static bool dma_engine_id_read(DmaEngineState *s, hwaddr reg, uint64_t *val)
{
    switch (reg) {
    case DMAE_REG_ID:
        *val = DMAE_ID_MAGIC |
               (uint64_t)(DMAE_VERSION_MAJOR << 16 | DMAE_VERSION_MINOR)
               << 32;
        return true;
    case DMAE_REG_CAP:
        *val = dma_engine_caps(s);
        return true;
    case DMAE_REG_MAX_XFER:
        *val = s->max_xfer | (uint64_t)s->buf_size << 32;
        return true;
    case DMAE_REG_NUM_CHAN:
        *val = s->num_chan | (uint64_t)s->ring_max << 32;
        return true;
    case DMAE_REG_MAX_SG:
        *val = s->max_sg;
        return true;
    case DMAE_REG_IRQ_STATUS:
        *val = s->irq_status;
        return true;
    }
    return false;
}

static DmaeChan *dma_engine_chan_of(DmaEngineState *s, hwaddr addr)
{
    unsigned c;

    if (addr < DMAE_CHAN_BASE) {
        return NULL;
    }
    c = (addr - DMAE_CHAN_BASE) / DMAE_CHAN_STRIDE;
    return c < s->num_chan ? &s->chan[c] : NULL;
}

static bool dma_engine_reg_read(DmaEngineState *s, hwaddr reg, uint64_t *val)
{
    DmaeChan *ch = dma_engine_chan_of(s, reg);
    bool ok;

    if (ch) {
        *val = dmae_chan_read(ch, (reg - DMAE_CHAN_BASE) % DMAE_CHAN_STRIDE,
                              &ok);
        return ok;
    }
    return dma_engine_id_read(s, reg, val) || dmae_seed_read(s, reg, val) ||
           dmae_inject_read(s, reg, val);
}

static uint64_t dma_engine_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    DmaEngineState *s = opaque;
    uint64_t val = 0;

    if (!dma_engine_reg_read(s, addr & ~7ULL, &val)) {
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

/*
 * Every register is part of a 64-bit word; a 32-bit access writes one half
 * of it. Handlers get the value shifted into place and the mask of the
 * bits written.
 */
static void dma_engine_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                                  unsigned size)
{
    DmaEngineState *s = opaque;
    hwaddr reg = addr & ~7ULL;
    unsigned shift = size == 4 ? (addr & 4) * 8 : 0;
    uint64_t mask = size == 4 ? MAKE_64BIT_MASK(shift, 32) : UINT64_MAX;
    DmaeChan *ch = dma_engine_chan_of(s, reg);
    uint64_t old;

    trace_dma_engine_mmio_write(addr, size, val);
    val = (val << shift) & mask;

    if (ch) {
        dmae_chan_write(ch, (reg - DMAE_CHAN_BASE) % DMAE_CHAN_STRIDE, val,
                        mask);
    } else if (reg == DMAE_REG_IRQ_STATUS) {
        s->irq_status &= ~val;
        dma_engine_update_intx(s);
    } else if (!dmae_seed_write(s, reg, val, mask) &&
               !dmae_inject_write(s, reg, val, mask)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-engine: write to %s register 0x%" HWADDR_PRIx "\n",
                      dma_engine_reg_read(s, reg, &old) ? "read-only" :
                      "unknown", addr);
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

static void dma_engine_use_vectors(DmaEngineState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    unsigned i;

    if (!msix_present(pdev)) {
        return;
    }
    msix_unuse_all_vectors(pdev);
    for (i = 0; i <= s->num_chan; i++) {
        msix_vector_use(pdev, i);
    }
}

static void dma_engine_reset(DeviceState *dev)
{
    DmaEngineState *s = DMA_ENGINE(dev);
    unsigned i;

    trace_dma_engine_reset();
    dmae_seed_reset(s);
    for (i = 0; i < s->num_chan; i++) {
        dmae_chan_reset(&s->chan[i]);
    }
    dmae_inject_reset(s);
    dmae_atc_reset(s);
    s->irq_status = 0;
    pci_set_irq(PCI_DEVICE(s), 0);
    dma_engine_use_vectors(s);
}

/* Config space: the ATS Enable bit decides whether the ATC is used. */
static void dma_engine_config_write(PCIDevice *pdev, uint32_t addr,
                                    uint32_t val, int len)
{
    pci_default_write_config(pdev, addr, val, len);
    dmae_atc_update(DMA_ENGINE(pdev));
}

static bool dma_engine_check_props(DmaEngineState *s, Error **errp)
{
    if (s->buf_size < DMAE_PAGE_SIZE || s->buf_size > 64 * MiB ||
        !is_power_of_2(s->buf_size)) {
        error_setg(errp, "dma-engine: buf-size must be a power of two "
                   "from 4 KiB to 64 MiB");
        return false;
    }
    if (s->max_xfer == 0) {
        error_setg(errp, "dma-engine: max-transfer must not be 0");
        return false;
    }
    if (s->num_chan < 1 || s->num_chan > DMAE_CHAN_MAX) {
        error_setg(errp, "dma-engine: channels must be 1 to %d",
                   DMAE_CHAN_MAX);
        return false;
    }
    if (s->ring_max < 2 || s->ring_max > 65536 ||
        !is_power_of_2(s->ring_max)) {
        error_setg(errp, "dma-engine: ring-max must be a power of two "
                   "from 2 to 65536");
        return false;
    }
    if (!s->workers && (s->bandwidth_mbps || s->latency_ns)) {
        error_setg(errp, "dma-engine: the bandwidth and latency model "
                   "needs x-workers=on");
        return false;
    }
    if (s->max_sg < 1 || s->max_sg > 4096 ||
        (uint64_t)s->max_sg * DMAE_SG_SIZE > s->buf_size) {
        error_setg(errp, "dma-engine: max-sg must be 1 to 4096, and its "
                   "list (16 bytes an entry) must fit in buf-size");
        return false;
    }
    return true;
}

static void dma_engine_realize(PCIDevice *pdev, Error **errp)
{
    DmaEngineState *s = DMA_ENGINE(pdev);
    bool root = pci_bus_is_root(pci_get_bus(pdev));
    unsigned i;

    if (!dma_engine_check_props(s, errp)) {
        return;
    }

    pci_config_set_interrupt_pin(pdev->config, 1);
    if (s->use_msi && msi_init(pdev, DMAE_MSI_OFFSET, 1, true, false,
                               errp) < 0) {
        return;
    }
    if (pcie_endpoint_cap_init(pdev, root ? DMAE_PCIE_OFFSET :
                               DMAE_PCIE_OFFSET_PORT) < 0) {
        error_setg(errp, "dma-engine: cannot add the PCIe capability");
        goto err_msi;
    }
    /* Address Translation Services: see dma_engine_atc.c */
    pcie_ats_init(pdev, DMAE_ATS_OFFSET, true);
    if (s->use_msix && msix_init_exclusive_bar(pdev, s->num_chan + 1,
                                               DMAE_MSIX_BAR, errp) < 0) {
        goto err_msi;
    }

    memory_region_init_io(&s->mmio, OBJECT(s), &dma_engine_mmio_ops, s,
                          "dma-engine-mmio", DMAE_BAR0_SIZE);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->mmio);

    dmae_seed_realize(s);
    for (i = 0; i < s->num_chan; i++) {
        dmae_chan_realize(s, &s->chan[i], i);
    }
    dma_engine_use_vectors(s);
    return;

err_msi:
    msi_uninit(pdev);
}

static void dma_engine_exit(PCIDevice *pdev)
{
    DmaEngineState *s = DMA_ENGINE(pdev);
    unsigned i;

    /*
     * Stop all DMA first: once stopping is seen under each dma_lock, no
     * worker touches memory again. Then end every worker before anything
     * is freed, since a worker may still use its channel's locks and its
     * bottom half. A worker may need the BQL (to translate through an
     * IOMMU, to raise an interrupt): do not hold it while they end.
     */
    qatomic_set(&s->stopping, true);
    dmae_xfer_quiesce(&s->seed.dma_lock);
    for (i = 0; i < s->num_chan; i++) {
        dmae_xfer_quiesce(&s->chan[i].dma_lock);
    }
    qemu_mutex_unlock_iothread();
    dmae_seed_stop(s);
    for (i = 0; i < s->num_chan; i++) {
        dmae_chan_stop(&s->chan[i]);
    }
    qemu_mutex_lock_iothread();
    dmae_atc_reset(s);          /* the IOMMU notifiers go */
    dmae_seed_unrealize(s);
    for (i = 0; i < s->num_chan; i++) {
        dmae_chan_unrealize(&s->chan[i]);
    }

    if (msix_present(pdev)) {
        msix_unuse_all_vectors(pdev);
        msix_uninit_exclusive_bar(pdev);
    }
    msi_uninit(pdev);
}

static Property dma_engine_properties[] = {
    DEFINE_PROP_UINT32("buf-size", DmaEngineState, buf_size, 64 * KiB),
    DEFINE_PROP_UINT32("max-transfer", DmaEngineState, max_xfer, 64 * MiB),
    DEFINE_PROP_UINT32("channels", DmaEngineState, num_chan, 4),
    DEFINE_PROP_UINT32("ring-max", DmaEngineState, ring_max, 4096),
    DEFINE_PROP_UINT32("max-sg", DmaEngineState, max_sg, 256),
    DEFINE_PROP_UINT32("bandwidth-mbps", DmaEngineState, bandwidth_mbps, 0),
    DEFINE_PROP_UINT32("latency-ns", DmaEngineState, latency_ns, 0),
    DEFINE_PROP_BOOL("msi", DmaEngineState, use_msi, true),
    DEFINE_PROP_BOOL("msix", DmaEngineState, use_msix, true),
    DEFINE_PROP_BOOL("x-workers", DmaEngineState, workers, true),
    DEFINE_PROP_BOOL("x-fault-inject", DmaEngineState, fault_inject, false),
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
    k->config_write = dma_engine_config_write;
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
