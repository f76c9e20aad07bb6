/*
 * QTest for the dma-engine: what its DMA may reach, and that a reset
 * stops it. Only guest RAM is reachable; its own BAR, the host bridge's
 * ECAM and unassigned space fail as faults at their address, with nothing
 * written there. After a device or system reset no byte of an old request
 * reaches memory.
 *
 * Copyright (c) 2026 The dma-engine authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/pci/pci_regs.h"
#include "dma-engine-qtest.h"

/* Start a seed copy and poll until DONE; return CTRL/STATUS. */
static uint64_t seed_copy(Fixture *f, uint64_t src, uint64_t dst,
                          uint32_t len)
{
    gint64 end = g_get_monotonic_time() + TIMEOUT_US;
    uint64_t sts;

    wr64(f, DMAE_SEED_SRC, src);
    wr64(f, DMAE_SEED_DST, dst);
    wr64(f, DMAE_SEED_LEN, (uint64_t)len << DMAE_SEED_LEN_SHIFT);
    wr64(f, DMAE_SEED_CTRL, DMAE_CTRL_START);
    do {
        sts = rd64(f, DMAE_SEED_CTRL);
        if (sts & DMAE_STS_DONE) {
            wr64(f, DMAE_SEED_CTRL, DMAE_STS_DONE | DMAE_STS_ERROR);
            return sts;
        }
        g_usleep(100);
    } while (g_get_monotonic_time() < end);
    g_assert_not_reached();
}

static void assert_fault(Fixture *f, uint64_t sts, uint32_t err,
                         uint64_t addr)
{
    g_assert_true(sts & DMAE_STS_ERROR);
    g_assert_cmpuint(rd32(f, DMAE_SEED_ERR), ==, err);
    g_assert_cmphex(rd64(f, DMAE_SEED_ERR_ADDR), ==, addr);
}

/* Its own registers: not reachable, neither written nor read. */
static void test_reach_own_bar(void)
{
    Fixture f;
    uint64_t bar, sts;

    fixture_start(&f, "");
    bar = f.bar.addr;
    g_assert_cmphex(bar, !=, 0);
    /* a destination that would overwrite SEED_SRC/DST/LEN/CTRL */
    qtest_memset(f.qts, SRC_ADDR, 0xff, 4096);
    sts = seed_copy(&f, SRC_ADDR, bar + DMAE_SEED_SRC, 32);
    assert_fault(&f, sts, DMAE_ERR_WRITE, bar + DMAE_SEED_SRC);
    g_assert_cmphex(rd64(&f, DMAE_SEED_SRC), ==, SRC_ADDR);
    g_assert_cmpuint(rd32(&f, DMAE_SEED_BYTES), ==, 0);

    /* a source in its own BAR: a read fault, destination untouched */
    poison(&f, DST_ADDR - GUARD, 64 + 2 * GUARD);
    sts = seed_copy(&f, bar + DMAE_REG_ID, DST_ADDR, 64);
    assert_fault(&f, sts, DMAE_ERR_READ, bar + DMAE_REG_ID);
    assert_untouched(&f, DST_ADDR - GUARD, 64 + 2 * GUARD);
    fixture_stop(&f);
}

/* The host bridge's ECAM: its own Command register stays as it is. */
static void test_reach_ecam(void)
{
    Fixture f;
    uint16_t cmd;
    uint64_t sts;

    fixture_start(&f, "");
    ecam_enable(&f);
    cmd = qpci_config_readw(f.dev, PCI_COMMAND);
    g_assert_true(cmd & PCI_COMMAND_MASTER);
    qtest_memset(f.qts, SRC_ADDR, 0, 4096);
    sts = seed_copy(&f, SRC_ADDR, OUR_ECAM + PCI_COMMAND, 2);
    assert_fault(&f, sts, DMAE_ERR_WRITE, OUR_ECAM + PCI_COMMAND);
    g_assert_cmphex(qpci_config_readw(f.dev, PCI_COMMAND), ==, cmd);
    /* the device still works */
    fill(&f, SRC_ADDR, 4096, 3);
    poison(&f, DST_ADDR - GUARD, 4096 + 2 * GUARD);
    sts = seed_copy(&f, SRC_ADDR, DST_ADDR, 4096);
    g_assert_false(sts & DMAE_STS_ERROR);
    assert_copied(&f, SRC_ADDR, DST_ADDR, 4096);
    fixture_stop(&f);
}

/* A channel's completion record aimed at MMIO: the channel halts. */
static void test_reach_chan_compl(void)
{
    Fixture f;
    Desc d = { .op = DMAE_OP_NOP, .cookie = 1 };
    gint64 end = g_get_monotonic_time() + TIMEOUT_US;
    uint32_t sts;

    fixture_start(&f, "");
    ecam_enable(&f);
    ch_setup(&f, 0, 8);
    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_RESET);
    wr64(&f, ch_reg(0, DMAE_CH_RING_BASE), RING_ADDR);
    wr64(&f, ch_reg(0, DMAE_CH_COMPL_BASE), OUR_ECAM);
    ch_wr32(&f, 0, DMAE_CH_RING_SIZE, 8);
    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_ENABLE);
    qtest_memset(f.qts, RING_ADDR, 0, DMAE_DESC_SIZE);
    qtest_writeb(f.qts, RING_ADDR + DMAE_DESC_OP, d.op);
    qtest_writeq(f.qts, RING_ADDR + DMAE_DESC_COOKIE, d.cookie);
    ch_submit(&f, 0, 1);
    do {
        sts = ch_rd32(&f, 0, DMAE_CH_STATUS);
        g_assert_cmpint(g_get_monotonic_time(), <, end);
    } while (!(sts & DMAE_CHSTS_HALTED));
    g_assert_cmpuint((sts & DMAE_CHSTS_ERR_MASK) >> DMAE_CHSTS_ERR_SHIFT, ==,
                     DMAE_CHERR_COMPL_WRITE);
    g_assert_cmphex(rd64(&f, ch_reg(0, DMAE_CH_ERR_ADDR)), ==, OUR_ECAM);
    g_assert_cmphex(qpci_config_readw(f.dev, PCI_VENDOR_ID), ==,
                    DMAE_PCI_VENDOR_ID);
    fixture_stop(&f);
}

/*
 * One 64 MiB chunk (buf-size 64 MiB) is in flight when the reset comes:
 * whatever the destination holds once the reset is done must stay so.
 * The last bytes are written last; if the old copy went on after the
 * reset, they would change afterwards.
 */
static void check_tail_stays(Fixture *f, uint64_t tail)
{
    uint64_t before = qtest_readq(f->qts, tail);

    /* Room for a copy that was not stopped to finish: it would show. */
    g_usleep(300 * 1000);
    g_assert_cmphex(qtest_readq(f->qts, tail), ==, before);
}

static void test_reset_stops_seed_dma(void)
{
    const uint64_t tail = DST_ADDR + BIG_LEN - 8;
    Fixture f;
    QDict *rsp;
    int i;

    fixture_start(&f, ",buf-size=67108864");
    qtest_memset(f.qts, SRC_ADDR, 0x5a, BIG_LEN);
    for (i = 0; i < 3; i++) {
        qtest_writeq(f.qts, tail, 0);
        wr64(&f, DMAE_SEED_SRC, SRC_ADDR);
        wr64(&f, DMAE_SEED_DST, DST_ADDR);
        wr64(&f, DMAE_SEED_LEN, (uint64_t)BIG_LEN << DMAE_SEED_LEN_SHIFT);
        wr64(&f, DMAE_SEED_CTRL, DMAE_CTRL_START);
        rsp = qtest_qmp(f.qts, "{ 'execute': 'system_reset' }");
        qobject_unref(rsp);
        qtest_qmp_eventwait(f.qts, "RESET");
        check_tail_stays(&f, tail);
        qpci_device_enable(f.dev);
        f.bar = qpci_iomap(f.dev, 0, NULL);
        g_assert_cmphex(rd64(&f, DMAE_SEED_CTRL), ==, 0);
    }
    fixture_stop(&f);
}

static void test_reset_stops_chan_dma(void)
{
    const uint64_t tail = DST_ADDR + BIG_LEN - 8;
    Desc d = {
        .op = DMAE_OP_COPY, .len = BIG_LEN, .src = SRC_ADDR,
        .dst = DST_ADDR, .cookie = 7,
    };
    Fixture f;
    uint8_t status;
    int i;

    fixture_start(&f, ",buf-size=67108864");
    qtest_memset(f.qts, SRC_ADDR, 0x3c, BIG_LEN);
    for (i = 0; i < 3; i++) {
        qtest_writeq(f.qts, tail, 0);
        ch_setup(&f, 0, 8);
        desc_put(&f, 0, 0, &d);
        ch_submit(&f, 0, 1);
        ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_RESET);
        /*
         * On a slow host the copy may have ended before the RESET, record
         * and all; what matters is that nothing changes after it.
         */
        status = qtest_readb(f.qts, CH_COMPL(0) + DMAE_COMPL_STATUS);
        check_tail_stays(&f, tail);
        g_assert_cmphex(ch_rd32(&f, 0, DMAE_CH_HEAD), ==, 0);
        g_assert_cmphex(qtest_readb(f.qts, CH_COMPL(0) + DMAE_COMPL_STATUS),
                        ==, status);
    }
    fixture_stop(&f);
}

/*
 * x-workers=off (for fuzzers that fork per input): the same engine with
 * its transfers on the main loop. A seed copy, a ring of descriptors, a
 * fault, and the reach rule.
 */
static void test_main_loop(void)
{
    Fixture f;
    Compl cp;
    uint64_t sts;
    unsigned i;

    fixture_start(&f, ",x-workers=off,buf-size=4096");
    fill(&f, SRC_ADDR, 3 * 4096 + 5, 9);
    poison(&f, DST_ADDR - GUARD, 3 * 4096 + 5 + 2 * GUARD);
    sts = seed_copy(&f, SRC_ADDR, DST_ADDR, 3 * 4096 + 5);
    g_assert_false(sts & DMAE_STS_ERROR);
    assert_copied(&f, SRC_ADDR, DST_ADDR, 3 * 4096 + 5);
    sts = seed_copy(&f, SRC_ADDR, f.bar.addr, 8);
    assert_fault(&f, sts, DMAE_ERR_WRITE, f.bar.addr);

    ch_setup(&f, 0, 8);
    for (i = 0; i < 6; i++) {
        Desc d = {
            .op = DMAE_OP_COPY, .len = 10000 + i, .cookie = i,
            .src = SRC_ADDR + i * 65536, .dst = DST_ADDR + i * 65536,
        };

        fill(&f, d.src, d.len, i);
        poison(&f, d.dst - GUARD, d.len + 2 * GUARD);
        desc_put(&f, 0, i, &d);
    }
    ch_submit(&f, 0, 6);
    ch_wait_head(&f, 0, 6);
    for (i = 0; i < 6; i++) {
        compl_get(&f, 0, i, &cp);
        g_assert_cmphex(cp.status, ==, DMAE_CS_DONE);
        g_assert_cmpuint(cp.bytes, ==, 10000 + i);
        assert_copied(&f, SRC_ADDR + i * 65536, DST_ADDR + i * 65536,
                      10000 + i);
    }
    fixture_stop(&f);
}

void dma_engine_reach_tests(void)
{
    qtest_add_func("/dma-engine/main-loop/copies", test_main_loop);
    qtest_add_func("/dma-engine/reach/own-bar", test_reach_own_bar);
    qtest_add_func("/dma-engine/reach/ecam", test_reach_ecam);
    qtest_add_func("/dma-engine/reach/chan-compl", test_reach_chan_compl);
    qtest_add_func("/dma-engine/reset/stops-seed-dma",
                   test_reset_stops_seed_dma);
    qtest_add_func("/dma-engine/reset/stops-chan-dma",
                   test_reset_stops_chan_dma);
}
