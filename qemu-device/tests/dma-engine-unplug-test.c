/*
 * QTest: hot-unplug of a busy dma-engine. The device sits behind a PCIe
 * root port; with every channel in the middle of a copy (1 MB/s, so a
 * copy lasts seconds) and a seed copy started, the "guest" ejects it: by
 * ACPI (q35's default: the eject register of the PCI hotplug block), or
 * with native PCIe hotplug by powering the slot off in the port's Slot
 * Control. Either unplugs and unrealizes the device at once. QEMU must
 * survive it (each worker ends before anything it uses is freed), and no
 * byte may reach guest memory afterwards.
 *
 * Copyright (c) 2026 The dma-engine authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/pci/pci_regs.h"
#include "qapi/qmp/qdict.h"
#include "dma-engine-qtest.h"

#define PORT_DEVFN      QPCI_DEVFN(0x1c, 0)
#define SEC_BUS         1
#define NCHAN           4
#define WIN_SIZE        (256 * MiB)
#define MEM_SIZE        (1 * GiB)
#define COPY_LEN        (64 * MiB)  /* a minute at 1 MB/s */
/* where channel c copies to; the seed copies to SEED_DST */
#define CH_DST(c)       (DST_ADDR + (c) * COPY_LEN)
#define SEED_DST        (DST_ADDR + NCHAN * COPY_LEN)
/*
 * The start of each destination, where the channels are at work: the
 * bandwidth model moves 1 MiB, then waits about a second, so a channel
 * still running would change this within WATCH_US.
 */
#define WATCH_LEN       (4 * MiB)
#define WATCH_US        (2500 * 1000)
/* ICH9's ACPI PCI hotplug registers; the port's bus is the first (bsel 0) */
#define PCIHP_BASE      0x0cc0
#define PCIHP_EJ        (PCIHP_BASE + 0x08)
#define PCIHP_SEL       (PCIHP_BASE + 0x10)
#define NATIVE_HOTPLUG  \
    "-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off"

typedef enum Eject {
    EJECT_ACPI,
    EJECT_SLOT_POWER,
} Eject;

/* The port forwards bus 1 and a memory window where BARs are put. */
static void port_setup(QPCIDevice *port, uint64_t win)
{
    qpci_config_writeb(port, PCI_PRIMARY_BUS, 0);
    qpci_config_writeb(port, PCI_SECONDARY_BUS, SEC_BUS);
    qpci_config_writeb(port, PCI_SUBORDINATE_BUS, SEC_BUS);
    qpci_config_writew(port, PCI_MEMORY_BASE, win >> 16);
    qpci_config_writew(port, PCI_MEMORY_LIMIT, (win + WIN_SIZE - 1) >> 16);
    qpci_config_writew(port, PCI_COMMAND,
                       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

/* Power the slot off, as a guest does to eject the device in it. */
static void port_power_off(QPCIDevice *port)
{
    uint8_t exp = qpci_find_capability(port, PCI_CAP_ID_EXP, 0);
    uint16_t ctl;

    g_assert_cmpuint(exp, !=, 0);
    ctl = qpci_config_readw(port, exp + PCI_EXP_SLTCTL);
    ctl &= ~PCI_EXP_SLTCTL_PIC;
    ctl |= PCI_EXP_SLTCTL_PWR_IND_OFF | PCI_EXP_SLTCTL_PWR_OFF;
    qpci_config_writew(port, exp + PCI_EXP_SLTCTL, ctl);
}

/* The ACPI method _EJ0 of the slot does this. */
static void acpi_eject(QTestState *qts)
{
    qtest_outl(qts, PCIHP_SEL, 0);
    qtest_outl(qts, PCIHP_EJ, 1u << 0);
}

static void start_seed_copy(Fixture *f)
{
    wr64(f, DMAE_SEED_SRC, SRC_ADDR);
    wr64(f, DMAE_SEED_DST, SEED_DST);
    wr64(f, DMAE_SEED_LEN, (uint64_t)COPY_LEN << DMAE_SEED_LEN_SHIFT);
    wr64(f, DMAE_SEED_CTRL, DMAE_CTRL_START);
}

static void unplug_busy(Eject how, const char *opts)
{
    g_autofree uint8_t *before = g_malloc(NCHAN * WATCH_LEN);
    g_autofree uint8_t *after = g_malloc(NCHAN * WATCH_LEN);
    g_autofree uint8_t *ends = g_malloc(NCHAN);
    QPCIDevice *port;
    QDict *rsp;
    Fixture f;
    unsigned c;
    uint64_t win;

    f.qts = qtest_initf("-machine q35 -nodefaults -m %u %s "
                        "-device pcie-root-port,id=rp0,bus=pcie.0,"
                        "addr=1c.0,chassis=1,slot=1 "
                        "-device dma-engine,id=dmae,bus=rp0,addr=00.0,"
                        "channels=%u,bandwidth-mbps=1",
                        (unsigned)(MEM_SIZE / MiB), opts, NCHAN);
    f.bus = qpci_new_pc(f.qts, NULL);
    port = qpci_device_find(f.bus, PORT_DEVFN);
    g_assert_nonnull(port);
    win = ROUND_UP(f.bus->mmio_alloc_ptr, 1 * MiB);
    f.bus->mmio_alloc_ptr = win;
    port_setup(port, win);
    /* config access puts the bus number above the devfn */
    f.dev = qpci_device_find(f.bus, SEC_BUS << 8);
    g_assert_nonnull(f.dev);
    qpci_device_enable(f.dev);
    f.bar = qpci_iomap(f.dev, 0, NULL);
    g_assert_cmphex(rd32(&f, DMAE_REG_ID), ==, DMAE_ID_MAGIC);

    qtest_memset(f.qts, SRC_ADDR, 0x5a, COPY_LEN);
    for (c = 0; c < NCHAN; c++) {
        poison(&f, CH_DST(c), WATCH_LEN);
        poison(&f, CH_DST(c) + COPY_LEN - 1, 1);
    }
    for (c = 0; c < NCHAN; c++) {
        Desc d = {
            .op = DMAE_OP_COPY, .len = COPY_LEN, .src = SRC_ADDR,
            .dst = CH_DST(c), .cookie = c,
        };

        ch_setup(&f, c, 8);
        desc_put(&f, c, 0, &d);
        ch_submit(&f, c, 1);
    }
    start_seed_copy(&f);
    for (c = 0; c < NCHAN; c++) {
        ch_wait_busy(&f, c);
    }
    /* the seed has no bandwidth model: its copy may be over already */

    if (how == EJECT_ACPI) {
        acpi_eject(f.qts);
    } else {
        port_power_off(port);
    }
    qtest_qmp_eventwait(f.qts, "DEVICE_DELETED");
    rsp = qtest_qmp(f.qts, "{ 'execute': 'qom-list', 'arguments': "
                    "{ 'path': '/machine/peripheral' } }");
    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);

    /* Gone: nothing of its copies lands any more. */
    for (c = 0; c < NCHAN; c++) {
        qtest_bufread(f.qts, CH_DST(c), before + c * WATCH_LEN, WATCH_LEN);
    }
    g_usleep(WATCH_US);
    for (c = 0; c < NCHAN; c++) {
        qtest_bufread(f.qts, CH_DST(c), after + c * WATCH_LEN, WATCH_LEN);
        g_assert_cmpint(memcmp(before + c * WATCH_LEN, after + c * WATCH_LEN,
                               WATCH_LEN), ==, 0);
        qtest_memread(f.qts, CH_DST(c) + COPY_LEN - 1, &ends[c], 1);
        g_assert_cmphex(ends[c], ==, 0xa5);     /* no copy was finished */
    }

    g_free(port);
    g_free(f.dev);
    qpci_free_pc(f.bus);
    qtest_quit(f.qts);
}

static void test_unplug_acpi(void)
{
    unplug_busy(EJECT_ACPI, "");
}

static void test_unplug_native(void)
{
    unplug_busy(EJECT_SLOT_POWER, NATIVE_HOTPLUG);
}

/*
 * The same behind an IOMMU (left in passthrough): the workers translate
 * under the BQL, which unrealize holds while they end.
 */
static void test_unplug_busy_iommu(void)
{
    unplug_busy(EJECT_ACPI, "-device intel-iommu");
}

void dma_engine_unplug_tests(void)
{
    qtest_add_func("/dma-engine/unplug/acpi-eject-busy", test_unplug_acpi);
    qtest_add_func("/dma-engine/unplug/acpi-eject-busy-iommu",
                   test_unplug_busy_iommu);
    qtest_add_func("/dma-engine/unplug/slot-power-off-busy",
                   test_unplug_native);
}
