/*
 * QTest for the dma-engine PCIe DMA engine: identity, the identification
 * block, and the seed block: register map and access widths, copies,
 * completion by status bit, MSI and INTx, and every error case of
 * docs/dma-engine.rst. The channels are tested in dma-engine-chan-test.c.
 *
 * Copyright (c) 2026 The dma-engine authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/pci/pci_regs.h"
#include "dma-engine-qtest.h"


/* Poll CTRL until DONE, as the seed's driver does; return the status. */
static uint64_t wait_done(Fixture *f)
{
    gint64 end = g_get_monotonic_time() + TIMEOUT_US;
    uint64_t sts;

    do {
        sts = rd64(f, DMAE_SEED_CTRL);
        if (sts & DMAE_STS_DONE) {
            g_assert_false(sts & DMAE_STS_BUSY);
            return sts;
        }
        g_usleep(100);
    } while (g_get_monotonic_time() < end);
    g_assert_not_reached();
}

static void start_copy(Fixture *f, uint64_t src, uint64_t dst, uint32_t len)
{
    wr64(f, DMAE_SEED_SRC, src);
    wr64(f, DMAE_SEED_DST, dst);
    wr64(f, DMAE_SEED_LEN, (uint64_t)len << DMAE_SEED_LEN_SHIFT);
    wr64(f, DMAE_SEED_CTRL, DMAE_CTRL_START);
}

static void test_identity(void)
{
    Fixture f;
    uint8_t cap, msi = 0, exp = 0;
    uint32_t bar;

    fixture_start(&f, "");
    g_assert_cmphex(qpci_config_readw(f.dev, PCI_VENDOR_ID), ==, 0x1234);
    g_assert_cmphex(qpci_config_readw(f.dev, PCI_DEVICE_ID), ==, 0x3456);
    g_assert_cmphex(qpci_config_readb(f.dev, PCI_REVISION_ID), ==, 0x10);
    g_assert_cmphex(qpci_config_readw(f.dev, PCI_CLASS_DEVICE), ==, 0x00ff);
    g_assert_cmphex(qpci_config_readw(f.dev, PCI_SUBSYSTEM_VENDOR_ID), ==,
                    0x1af4);
    g_assert_cmphex(qpci_config_readw(f.dev, PCI_SUBSYSTEM_ID), ==, 0x1100);
    g_assert_cmphex(qpci_config_readb(f.dev, PCI_INTERRUPT_PIN), ==, 1);

    /* BAR0: 32-bit, non-prefetchable memory, 16 KiB */
    bar = qpci_config_readl(f.dev, PCI_BASE_ADDRESS_0);
    g_assert_cmphex(bar & 0xf, ==, PCI_BASE_ADDRESS_SPACE_MEMORY |
                    PCI_BASE_ADDRESS_MEM_TYPE_32);
    qpci_config_writel(f.dev, PCI_BASE_ADDRESS_0, 0xffffffff);
    g_assert_cmphex(qpci_config_readl(f.dev, PCI_BASE_ADDRESS_0), ==,
                    0xffffc000);
    qpci_config_writel(f.dev, PCI_BASE_ADDRESS_0, bar);
    g_assert_cmphex(qpci_config_readl(f.dev, PCI_BASE_ADDRESS_1), ==, 0);

    /* Capabilities: MSI (1 vector, 64-bit) at 0x40, PCIe at 0xe0 */
    g_assert_true(qpci_config_readw(f.dev, PCI_STATUS) & PCI_STATUS_CAP_LIST);
    for (cap = qpci_config_readb(f.dev, PCI_CAPABILITY_LIST); cap;
         cap = qpci_config_readb(f.dev, cap + PCI_CAP_LIST_NEXT)) {
        switch (qpci_config_readb(f.dev, cap)) {
        case PCI_CAP_ID_MSI:
            msi = cap;
            break;
        case PCI_CAP_ID_EXP:
            exp = cap;
            break;
        }
    }
    g_assert_cmphex(msi, ==, 0x40);
    g_assert_cmphex(exp, ==, 0xe0);
    g_assert_cmphex(qpci_config_readw(f.dev, msi + PCI_MSI_FLAGS) &
                    (PCI_MSI_FLAGS_QMASK | PCI_MSI_FLAGS_64BIT), ==,
                    PCI_MSI_FLAGS_64BIT);
    fixture_stop(&f);
}

static void test_id_registers(void)
{
    Fixture f;

    fixture_start(&f, ",buf-size=8192,max-transfer=100000");
    g_assert_cmphex(rd32(&f, DMAE_REG_ID), ==, DMAE_ID_MAGIC);
    g_assert_cmphex(rd32(&f, DMAE_REG_VERSION), ==,
                    DMAE_VERSION_MAJOR << 16 | DMAE_VERSION_MINOR);
    g_assert_cmphex(rd64(&f, DMAE_REG_CAP), ==,
                    DMAE_CAP_SEED | DMAE_CAP_CHANNELS | DMAE_CAP_SG |
                    DMAE_CAP_MSIX | DMAE_CAP_FILL | DMAE_CAP_COMPARE |
                    DMAE_CAP_CRC32C);
    g_assert_cmpuint(rd32(&f, DMAE_REG_MAX_XFER), ==, 100000);
    g_assert_cmpuint(rd32(&f, DMAE_REG_BUF_SIZE), ==, 8192);
    /* read-only: writes are ignored */
    wr32(&f, DMAE_REG_ID, 0);
    wr64(&f, DMAE_REG_MAX_XFER, 0);
    g_assert_cmphex(rd32(&f, DMAE_REG_ID), ==, DMAE_ID_MAGIC);
    g_assert_cmpuint(rd32(&f, DMAE_REG_MAX_XFER), ==, 100000);
    /* unknown registers read as zero */
    g_assert_cmphex(rd64(&f, 0x800), ==, 0);
    g_assert_cmphex(rd64(&f, 0x1ff8), ==, 0);
    g_assert_cmphex(rd64(&f, DMAE_SEED_END), ==, 0);
    /* channel blocks beyond NUM_CHAN (4) read as zero */
    g_assert_cmphex(rd32(&f, ch_reg(4, DMAE_CH_RING_SIZE)), ==, 0);
    g_assert_cmphex(rd32(&f, 0x3ffc), ==, 0);
    fixture_stop(&f);
}

static void test_register_widths(void)
{
    Fixture f;

    fixture_start(&f, "");
    wr64(&f, DMAE_SEED_SRC, 0x1122334455667788ULL);
    g_assert_cmphex(rd64(&f, DMAE_SEED_SRC), ==, 0x1122334455667788ULL);
    g_assert_cmphex(rd32(&f, DMAE_SEED_SRC), ==, 0x55667788);
    g_assert_cmphex(rd32(&f, DMAE_SEED_SRC + 4), ==, 0x11223344);
    wr32(&f, DMAE_SEED_DST, 0xaabbccdd);
    wr32(&f, DMAE_SEED_DST + 4, 0x01020304);
    g_assert_cmphex(rd64(&f, DMAE_SEED_DST), ==, 0x01020304aabbccddULL);
    wr32(&f, DMAE_SEED_DST + 4, 0);
    g_assert_cmphex(rd64(&f, DMAE_SEED_DST), ==, 0xaabbccddULL);

    /* LEN: bits 31:0 are reserved and read as zero */
    wr64(&f, DMAE_SEED_LEN, 0x12345678ffffffffULL);
    g_assert_cmphex(rd64(&f, DMAE_SEED_LEN), ==, 0x1234567800000000ULL);
    wr32(&f, DMAE_SEED_LEN, 0xffffffff);
    g_assert_cmphex(rd64(&f, DMAE_SEED_LEN), ==, 0x1234567800000000ULL);
    wr32(&f, DMAE_SEED_LEN + 4, 4096);
    g_assert_cmphex(rd64(&f, DMAE_SEED_LEN), ==, 4096ULL << 32);

    /* 1- and 2-byte and unaligned accesses are ignored */
    qpci_io_writeb(f.dev, f.bar, DMAE_SEED_SRC, 0xff);
    qpci_io_writew(f.dev, f.bar, DMAE_SEED_SRC, 0xffff);
    g_assert_cmphex(rd64(&f, DMAE_SEED_SRC), ==, 0x1122334455667788ULL);
    qpci_io_writeb(f.dev, f.bar, DMAE_SEED_CTRL, DMAE_CTRL_START);
    qpci_io_writeq(f.dev, f.bar, DMAE_SEED_CTRL + 4, DMAE_CTRL_START);
    g_assert_cmphex(rd64(&f, DMAE_SEED_CTRL), ==, 0);
    fixture_stop(&f);
}

static void do_copy(Fixture *f, uint64_t src, uint64_t dst, uint32_t len)
{
    uint64_t sts;

    fill(f, src, len, len);
    poison(f, dst - GUARD, len + 2 * GUARD);
    start_copy(f, src, dst, len);
    sts = wait_done(f);
    g_assert_cmphex(sts & DMAE_STS_ERROR, ==, 0);
    g_assert_cmpuint(rd32(f, DMAE_SEED_ERR), ==, DMAE_ERR_NONE);
    g_assert_cmpuint(rd32(f, DMAE_SEED_BYTES), ==, len);
    assert_copied(f, src, dst, len);
    /* DONE is write-1-to-clear */
    wr64(f, DMAE_SEED_CTRL, DMAE_STS_DONE);
    g_assert_cmphex(rd64(f, DMAE_SEED_CTRL), ==, 0);
}

static void test_copy_sizes(void)
{
    static const uint32_t sizes[] = {
        1, 3, 4095, 4096, 4097, 8191, 8192, 8193, 65536, 1 * MiB + 13,
    };
    Fixture f;
    size_t i;

    fixture_start(&f, ",buf-size=8192");
    for (i = 0; i < ARRAY_SIZE(sizes); i++) {
        /* odd source and destination offsets too */
        do_copy(&f, SRC_ADDR + i, DST_ADDR + 3 * i, sizes[i]);
    }
    fixture_stop(&f);
}

/* The seed driver: 32-bit writes at 0x1014 and 0x1018, 32-bit poll at 0x101c */
static void test_seed_access_pattern(void)
{
    Fixture f;
    gint64 end;
    uint32_t len = 10000;

    fixture_start(&f, "");
    fill(&f, SRC_ADDR, len, 42);
    poison(&f, DST_ADDR - GUARD, len + 2 * GUARD);
    wr32(&f, 0x1000, SRC_ADDR);
    wr32(&f, 0x1004, 0);
    wr32(&f, 0x1008, DST_ADDR);
    wr32(&f, 0x100c, 0);
    wr32(&f, 0x1014, len);
    wr32(&f, 0x1018, 1);
    end = g_get_monotonic_time() + TIMEOUT_US;
    while (rd32(&f, 0x101c) != 1) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(100);
    }
    assert_copied(&f, SRC_ADDR, DST_ADDR, len);
    fixture_stop(&f);
}

static void test_msi(void)
{
    Fixture f;
    int i;

    fixture_start(&f, "");
    msi_enable(&f);

    for (i = 0; i < 3; i++) {
        qtest_writel(f.qts, MSI_ADDR, 0);
        do_copy(&f, SRC_ADDR, DST_ADDR, 5000);
        g_assert_cmphex(qtest_readl(f.qts, MSI_ADDR), ==, MSI_DATA);
        /* no INTx while MSI is on */
        g_assert_false(qpci_config_readw(f.dev, PCI_STATUS) &
                       PCI_STATUS_INTERRUPT);
    }
    /* errors are signalled too */
    qtest_writel(f.qts, MSI_ADDR, 0);
    start_copy(&f, SRC_ADDR, DST_ADDR, 0);
    g_assert_true(wait_done(&f) & DMAE_STS_ERROR);
    g_assert_cmphex(qtest_readl(f.qts, MSI_ADDR), ==, MSI_DATA);
    fixture_stop(&f);
}

/* Is any of the PCI interrupt lines of the IOAPIC (GSI 16-23) raised? */
static bool intx_line(Fixture *f)
{
    int gsi;

    for (gsi = 16; gsi < 24; gsi++) {
        if (qtest_get_irq(f->qts, gsi)) {
            return true;
        }
    }
    return false;
}

static bool intx_status(Fixture *f)
{
    return qpci_config_readw(f->dev, PCI_STATUS) & PCI_STATUS_INTERRUPT;
}

static void test_intx(void)
{
    Fixture f;
    uint8_t cap;

    fixture_start(&f, ",msi=off");
    qtest_irq_intercept_in(f.qts, "ioapic");
    /* no MSI capability at all */
    for (cap = qpci_config_readb(f.dev, PCI_CAPABILITY_LIST); cap;
         cap = qpci_config_readb(f.dev, cap + PCI_CAP_LIST_NEXT)) {
        g_assert_cmphex(qpci_config_readb(f.dev, cap), !=, PCI_CAP_ID_MSI);
    }
    fill(&f, SRC_ADDR, 4096, 1);
    g_assert_false(intx_line(&f));
    start_copy(&f, SRC_ADDR, DST_ADDR, 4096);
    wait_done(&f);
    g_assert_true(intx_status(&f));
    g_assert_true(intx_line(&f));
    /* acknowledging DONE drops the line */
    wr32(&f, DMAE_SEED_CTRL + 4, 1); /* DONE is bit 32 */
    g_assert_false(intx_status(&f));
    g_assert_false(intx_line(&f));
    /* so does a new start */
    start_copy(&f, SRC_ADDR, DST_ADDR, 4096);
    wait_done(&f);
    g_assert_true(intx_line(&f));
    start_copy(&f, SRC_ADDR, DST_ADDR, 4096);
    wait_done(&f);
    wr64(&f, DMAE_SEED_CTRL, DMAE_STS_DONE);
    g_assert_false(intx_line(&f));

    /* INTx Disable: the status bit still says so, the line stays low */
    qpci_config_writew(f.dev, PCI_COMMAND,
                       qpci_config_readw(f.dev, PCI_COMMAND) |
                       PCI_COMMAND_INTX_DISABLE);
    start_copy(&f, SRC_ADDR, DST_ADDR, 4096);
    wait_done(&f);
    g_assert_true(intx_status(&f));
    g_assert_false(intx_line(&f));
    fixture_stop(&f);
}

/* Start a copy that must fail with @err before moving any byte. */
static void assert_refused(Fixture *f, uint64_t src, uint64_t dst,
                           uint32_t len, uint32_t err)
{
    uint64_t sts;

    poison(f, DST_ADDR, 8192);
    start_copy(f, src, dst, len);
    sts = wait_done(f);
    g_assert_true(sts & DMAE_STS_ERROR);
    g_assert_cmpuint(rd32(f, DMAE_SEED_ERR), ==, err);
    g_assert_cmpuint(rd32(f, DMAE_SEED_BYTES), ==, 0);
    assert_untouched(f, DST_ADDR, 8192);
    /* W1C of both bits clears the status */
    wr64(f, DMAE_SEED_CTRL, DMAE_STS_DONE | DMAE_STS_ERROR);
    g_assert_cmphex(rd64(f, DMAE_SEED_CTRL), ==, 0);
}

static void test_bad_length(void)
{
    Fixture f;

    fixture_start(&f, ",max-transfer=8192");
    fill(&f, SRC_ADDR, 8193, 3);
    assert_refused(&f, SRC_ADDR, DST_ADDR, 0, DMAE_ERR_LEN_ZERO);
    assert_refused(&f, SRC_ADDR, DST_ADDR, 8193, DMAE_ERR_LEN_MAX);
    assert_refused(&f, SRC_ADDR, DST_ADDR, UINT32_MAX, DMAE_ERR_LEN_MAX);
    /* the limit itself is fine */
    do_copy(&f, SRC_ADDR, DST_ADDR, 8192);
    fixture_stop(&f);
}

static void test_bus_master_off(void)
{
    Fixture f;
    uint16_t cmd;

    fixture_start(&f, "");
    fill(&f, SRC_ADDR, 4096, 9);
    cmd = qpci_config_readw(f.dev, PCI_COMMAND);
    qpci_config_writew(f.dev, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);
    assert_refused(&f, SRC_ADDR, DST_ADDR, 4096, DMAE_ERR_BUS_MASTER);
    qpci_config_writew(f.dev, PCI_COMMAND, cmd);
    do_copy(&f, SRC_ADDR, DST_ADDR, 4096);
    fixture_stop(&f);
}

static void test_dma_faults(void)
{
    Fixture f;

    fixture_start(&f, ",buf-size=4096");
    /* source nowhere */
    assert_refused(&f, UNMAPPED_ADDR, DST_ADDR, 4096, DMAE_ERR_READ);
    g_assert_cmphex(rd64(&f, DMAE_SEED_ERR_ADDR), ==, UNMAPPED_ADDR);

    /* destination nowhere: nothing written anywhere else */
    fill(&f, SRC_ADDR, 4096, 5);
    start_copy(&f, SRC_ADDR, UNMAPPED_ADDR + 0x800, 100);
    g_assert_true(wait_done(&f) & DMAE_STS_ERROR);
    g_assert_cmpuint(rd32(&f, DMAE_SEED_ERR), ==, DMAE_ERR_WRITE);
    g_assert_cmphex(rd64(&f, DMAE_SEED_ERR_ADDR), ==, UNMAPPED_ADDR + 0x800);

    /*
     * A source that runs off the end of RAM: the first chunks are copied,
     * the fault names the first byte past RAM.
     */
    fill(&f, RAM_SIZE - 3 * 4096, 3 * 4096, 6);
    poison(&f, DST_ADDR - GUARD, 5 * 4096 + 2 * GUARD);
    start_copy(&f, RAM_SIZE - 3 * 4096, DST_ADDR, 5 * 4096);
    g_assert_true(wait_done(&f) & DMAE_STS_ERROR);
    g_assert_cmpuint(rd32(&f, DMAE_SEED_ERR), ==, DMAE_ERR_READ);
    g_assert_cmphex(rd64(&f, DMAE_SEED_ERR_ADDR), ==, RAM_SIZE);
    g_assert_cmpuint(rd32(&f, DMAE_SEED_BYTES), ==, 3 * 4096);
    assert_copied(&f, RAM_SIZE - 3 * 4096, DST_ADDR, 3 * 4096);
    assert_untouched(&f, DST_ADDR + 3 * 4096, 2 * 4096 + GUARD);
    fixture_stop(&f);
}

static void test_start_while_busy(void)
{
    Fixture f;
    uint64_t sts;

    /* 2 s before the copy starts: the second START surely finds it busy */
    fixture_start(&f, ",latency-ns=2000000000");
    start_copy(&f, SRC_ADDR, DST_ADDR, BIG_LEN);
    /* a second start, with other parameters, changes nothing */
    wr64(&f, DMAE_SEED_LEN, 1ULL << DMAE_SEED_LEN_SHIFT);
    wr64(&f, DMAE_SEED_CTRL, DMAE_CTRL_START);
    sts = rd64(&f, DMAE_SEED_CTRL);
    g_assert_true(sts & DMAE_STS_BUSY);
    g_assert_true(sts & DMAE_STS_START_IGNORED);
    sts = wait_done(&f);
    g_assert_false(sts & DMAE_STS_ERROR);
    g_assert_cmpuint(rd32(&f, DMAE_SEED_BYTES), ==, BIG_LEN);
    wr64(&f, DMAE_SEED_CTRL, DMAE_STS_DONE | DMAE_STS_START_IGNORED);
    g_assert_cmphex(rd64(&f, DMAE_SEED_CTRL), ==, 0);
    fixture_stop(&f);
}

static void test_abort(void)
{
    Fixture f;

    /* 3 s before the copy starts: the abort always comes first */
    fixture_start(&f, ",latency-ns=3000000000");
    start_copy(&f, SRC_ADDR, DST_ADDR, BIG_LEN);
    wr64(&f, DMAE_SEED_CTRL, DMAE_CTRL_ABORT);
    g_assert_true(wait_done(&f) & DMAE_STS_ERROR);
    g_assert_cmpuint(rd32(&f, DMAE_SEED_ERR), ==, DMAE_ERR_ABORTED);
    g_assert_cmpuint(rd32(&f, DMAE_SEED_BYTES), <, BIG_LEN);
    /* abort when idle does nothing; the next copy is fine */
    wr64(&f, DMAE_SEED_CTRL, DMAE_STS_DONE | DMAE_STS_ERROR);
    wr64(&f, DMAE_SEED_CTRL, DMAE_CTRL_ABORT);
    g_assert_cmphex(rd64(&f, DMAE_SEED_CTRL), ==, 0);
    do_copy(&f, SRC_ADDR, DST_ADDR, 4096);
    fixture_stop(&f);
}

static void test_reset_mid_copy(void)
{
    Fixture f;
    QDict *rsp;

    fixture_start(&f, "");
    start_copy(&f, SRC_ADDR, DST_ADDR, BIG_LEN);
    rsp = qtest_qmp(f.qts, "{ 'execute': 'system_reset' }");
    qobject_unref(rsp);
    qtest_qmp_eventwait(f.qts, "RESET");

    /* After reset, the device is idle and the old copy never reports. */
    qpci_device_enable(f.dev);
    f.bar = qpci_iomap(f.dev, 0, NULL);
    g_assert_cmphex(rd64(&f, DMAE_SEED_CTRL), ==, 0);
    g_assert_cmphex(rd64(&f, DMAE_SEED_SRC), ==, 0);
    g_assert_cmphex(rd64(&f, DMAE_SEED_LEN), ==, 0);
    g_usleep(200 * 1000);
    g_assert_cmphex(rd64(&f, DMAE_SEED_CTRL), ==, 0);
    do_copy(&f, SRC_ADDR, DST_ADDR, 12345);
    fixture_stop(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/dma-engine/identity", test_identity);
    qtest_add_func("/dma-engine/id-registers", test_id_registers);
    qtest_add_func("/dma-engine/register-widths", test_register_widths);
    qtest_add_func("/dma-engine/copy-sizes", test_copy_sizes);
    qtest_add_func("/dma-engine/seed-access-pattern", test_seed_access_pattern);
    qtest_add_func("/dma-engine/msi", test_msi);
    qtest_add_func("/dma-engine/intx", test_intx);
    qtest_add_func("/dma-engine/bad-length", test_bad_length);
    qtest_add_func("/dma-engine/bus-master-off", test_bus_master_off);
    qtest_add_func("/dma-engine/dma-faults", test_dma_faults);
    qtest_add_func("/dma-engine/start-while-busy", test_start_while_busy);
    qtest_add_func("/dma-engine/abort", test_abort);
    qtest_add_func("/dma-engine/reset-mid-copy", test_reset_mid_copy);
    dma_engine_chan_tests();
    dma_engine_reach_tests();
    dma_engine_inject_tests();
    dma_engine_unplug_tests();
    dma_engine_cover_tests();
    return g_test_run();
}
