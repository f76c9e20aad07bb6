/*
 * QTest for the dma-engine's fault injection block (x-fault-inject=on):
 * a failed descriptor, a stalled channel, a lost interrupt and a corrupt
 * completion record, each exactly once and exactly where armed, and
 * nothing of it without the property.
 *
 * Copyright (c) 2026 The dma-engine authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "dma-engine-qtest.h"

#define LEN             4096
#define INJECT          ",x-fault-inject=on"

static Desc copy_at(unsigned i, uint32_t flags)
{
    return (Desc) {
        .op = DMAE_OP_COPY, .flags = flags, .len = LEN,
        .src = SRC_ADDR + i * LEN, .dst = DST_ADDR + i * 2 * LEN,
        .cookie = 0x1e0000ULL + i,
    };
}

/* Descriptors 0..n-1 of copy_at(), with fresh source and guarded dest. */
static void put_copies(Fixture *f, unsigned c, unsigned n, uint32_t flags)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        Desc d = copy_at(i, flags);

        fill(f, d.src, LEN, i + 1);
        poison(f, d.dst - GUARD, LEN + 2 * GUARD);
        desc_put(f, c, i, &d);
    }
}

static uint8_t fired(Fixture *f, unsigned kind)
{
    return rd32(f, DMAE_INJ_FIRED) >> (8 * kind);
}

/* Wait until injection @kind has fired @n times in all. */
static void wait_fired(Fixture *f, unsigned kind, uint8_t n)
{
    gint64 end = g_get_monotonic_time() + TIMEOUT_US;

    while (fired(f, kind) != n) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(100);
    }
}

static void test_inject_absent(void)
{
    Fixture f;
    Compl cp;
    Desc d = copy_at(0, 0);

    fixture_start(&f, "");
    g_assert_false(rd64(&f, DMAE_REG_CAP) & DMAE_CAP_INJECT);
    wr32(&f, DMAE_INJ_FAIL, 1);
    g_assert_cmphex(rd32(&f, DMAE_INJ_FAIL), ==, 0);
    ch_setup(&f, 0, 8);
    put_copies(&f, 0, 1, 0);
    ch_submit(&f, 0, 1);
    ch_wait_head(&f, 0, 1);
    compl_get(&f, 0, 0, &cp);
    g_assert_cmphex(cp.status, ==, DMAE_CS_DONE);
    assert_copied(&f, d.src, d.dst, LEN);
    fixture_stop(&f);
}

/*
 * FAIL = 2: the second descriptor fails with INJECTED and writes nothing;
 * the ones around it run, the channel does not halt.
 */
static void test_inject_fail(void)
{
    Fixture f;
    Compl cp;
    unsigned i;

    fixture_start(&f, INJECT);
    g_assert_true(rd64(&f, DMAE_REG_CAP) & DMAE_CAP_INJECT);
    ch_setup(&f, 0, 8);
    put_copies(&f, 0, 3, 0);
    wr32(&f, DMAE_INJ_FAIL, 2);
    g_assert_cmphex(rd32(&f, DMAE_INJ_FAIL), ==, 2);
    ch_submit(&f, 0, 3);
    ch_wait_head(&f, 0, 3);
    for (i = 0; i < 3; i++) {
        Desc d = copy_at(i, 0);

        compl_get(&f, 0, i, &cp);
        g_assert_cmphex(cp.cookie, ==, d.cookie);
        if (i == 1) {
            g_assert_cmphex(cp.status, ==, DMAE_CS_DONE | DMAE_ERR_INJECTED);
            g_assert_cmpuint(cp.bytes, ==, 0);
            assert_untouched(&f, d.dst - GUARD, LEN + 2 * GUARD);
        } else {
            g_assert_cmphex(cp.status, ==, DMAE_CS_DONE);
            assert_copied(&f, d.src, d.dst, LEN);
        }
    }
    g_assert_cmphex(ch_rd32(&f, 0, DMAE_CH_STATUS) & DMAE_CHSTS_HALTED, ==, 0);
    g_assert_cmphex(rd32(&f, DMAE_INJ_FAIL), ==, 0);
    g_assert_cmpuint(fired(&f, DMAE_INJ_KIND(DMAE_INJ_FAIL)), ==, 1);
    fixture_stop(&f);
}

/*
 * STALL = 1: the channel holds its first descriptor, BUSY, and HEAD does
 * not move; ABORT ends it as ABORTED with nothing written and halts the
 * channel, whether the write keeps ENABLE (@abort_ctrl) or not (as the
 * driver's recovery writes it); after RESET it works. @props picks worker
 * threads or the main loop.
 */
static void inject_stall(const char *props, uint32_t abort_ctrl)
{
    Fixture f;
    Compl cp;
    Desc d = copy_at(0, 0);

    fixture_start(&f, props);
    ch_setup(&f, 0, 8);
    put_copies(&f, 0, 2, 0);
    wr32(&f, DMAE_INJ_STALL, 1);
    ch_submit(&f, 0, 2);
    wait_fired(&f, DMAE_INJ_KIND(DMAE_INJ_STALL), 1);
    ch_wait_busy(&f, 0);
    /* a stall does not end by itself; give it time to show that */
    g_usleep(50 * 1000);
    g_assert_cmpuint(ch_rd32(&f, 0, DMAE_CH_HEAD), ==, 0);
    g_assert_true(ch_rd32(&f, 0, DMAE_CH_STATUS) & DMAE_CHSTS_BUSY);
    compl_get(&f, 0, 0, &cp);
    g_assert_cmphex(cp.status, ==, 0);

    ch_wr32(&f, 0, DMAE_CH_CTRL, abort_ctrl);
    ch_wait_head(&f, 0, 1);
    ch_wait_idle(&f, 0);
    g_assert_cmphex(ch_rd32(&f, 0, DMAE_CH_STATUS) & DMAE_CHSTS_ERR_MASK, ==,
                    DMAE_CHERR_ABORTED << DMAE_CHSTS_ERR_SHIFT);
    compl_get(&f, 0, 0, &cp);
    g_assert_cmphex(cp.status, ==, DMAE_CS_DONE | DMAE_ERR_ABORTED);
    g_assert_cmpuint(cp.bytes, ==, 0);
    assert_untouched(&f, d.dst - GUARD, LEN + 2 * GUARD);
    compl_get(&f, 0, 1, &cp);
    g_assert_cmphex(cp.status, ==, 0);          /* left in the ring */

    /* stalled again, then RESET: no completion, idle, and it works */
    ch_setup(&f, 0, 8);
    put_copies(&f, 0, 1, 0);
    wr32(&f, DMAE_INJ_STALL, 1);
    ch_submit(&f, 0, 1);
    wait_fired(&f, DMAE_INJ_KIND(DMAE_INJ_STALL), 2);
    ch_wait_busy(&f, 0);
    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_RESET);
    ch_wait_idle(&f, 0);
    compl_get(&f, 0, 0, &cp);
    g_assert_cmphex(cp.status, ==, 0);
    ch_setup(&f, 0, 8);
    put_copies(&f, 0, 1, 0);
    g_assert_cmphex(ch_run(&f, 0, 0, &d, &cp), ==, DMAE_CS_DONE);
    assert_copied(&f, d.src, d.dst, LEN);
    fixture_stop(&f);
}

static void test_inject_stall(void)
{
    inject_stall(INJECT, DMAE_CHCTRL_ABORT);
    inject_stall(INJECT, DMAE_CHCTRL_ABORT | DMAE_CHCTRL_ENABLE);
}

static void test_inject_stall_main_loop(void)
{
    inject_stall(INJECT ",x-workers=off", DMAE_CHCTRL_ABORT);
    inject_stall(INJECT ",x-workers=off",
                 DMAE_CHCTRL_ABORT | DMAE_CHCTRL_ENABLE);
}

/*
 * DROP_IRQ = 1: the first completion's MSI-X message is not sent (its
 * record is, and IRQ_STATUS says so); the next one's is.
 */
static void test_inject_drop_irq(void)
{
    Fixture f;
    Compl cp;
    Desc d0 = copy_at(0, DMAE_DF_IRQ), d1 = copy_at(1, DMAE_DF_IRQ);

    fixture_start(&f, INJECT);
    msix_enable(&f, 5);
    ch_setup(&f, 0, 8);
    put_copies(&f, 0, 2, DMAE_DF_IRQ);
    wr32(&f, DMAE_INJ_DROP_IRQ, 1);
    ch_submit(&f, 0, 1);
    ch_wait_head(&f, 0, 1);
    /* once the device has decided on the message, it was dropped */
    wait_fired(&f, DMAE_INJ_KIND(DMAE_INJ_DROP_IRQ), 1);
    g_assert_cmphex(msg_read(&f, 0), ==, 0);
    g_assert_true(rd32(&f, DMAE_REG_IRQ_STATUS) & DMAE_IRQ_CHAN(0));
    compl_get(&f, 0, 0, &cp);
    g_assert_cmphex(cp.status, ==, DMAE_CS_DONE);
    assert_copied(&f, d0.src, d0.dst, LEN);

    ch_submit(&f, 0, 2);
    g_assert_cmphex(msg_wait(&f, 0), ==, MSI_DATA);
    ch_wait_head(&f, 0, 2);
    assert_copied(&f, d1.src, d1.dst, LEN);
    g_assert_cmpuint(fired(&f, DMAE_INJ_KIND(DMAE_INJ_DROP_IRQ)), ==, 1);
    fixture_stop(&f);
}

/* CORRUPT = 1: the record's COOKIE is inverted; the copy itself is done. */
static void test_inject_corrupt(void)
{
    Fixture f;
    Compl cp;
    Desc d = copy_at(0, 0);

    fixture_start(&f, INJECT);
    ch_setup(&f, 0, 8);
    put_copies(&f, 0, 2, 0);
    wr32(&f, DMAE_INJ_CORRUPT, 1);
    ch_submit(&f, 0, 2);
    ch_wait_head(&f, 0, 2);
    compl_get(&f, 0, 0, &cp);
    g_assert_cmphex(cp.status, ==, DMAE_CS_DONE);
    g_assert_cmphex(cp.cookie, ==, ~d.cookie);
    assert_copied(&f, d.src, d.dst, LEN);
    compl_get(&f, 0, 1, &cp);
    g_assert_cmphex(cp.cookie, ==, copy_at(1, 0).cookie);
    g_assert_cmpuint(fired(&f, DMAE_INJ_KIND(DMAE_INJ_CORRUPT)), ==, 1);
    fixture_stop(&f);
}

/* Countdowns are shared by the channels, and a device reset clears them. */
static void test_inject_shared_and_reset(void)
{
    Fixture f;
    Compl cp;

    fixture_start(&f, INJECT ",channels=2");
    ch_setup(&f, 0, 8);
    ch_setup(&f, 1, 8);
    wr64(&f, DMAE_INJ_FAIL, 2ULL | 7ULL << 32);   /* FAIL 2, STALL 7 */
    g_assert_cmphex(rd64(&f, DMAE_INJ_FAIL), ==, 2ULL | 7ULL << 32);
    put_copies(&f, 0, 1, 0);
    ch_submit(&f, 0, 1);
    ch_wait_head(&f, 0, 1);
    compl_get(&f, 0, 0, &cp);
    g_assert_cmphex(cp.status, ==, DMAE_CS_DONE);
    g_assert_cmphex(rd32(&f, DMAE_INJ_FAIL), ==, 1);
    desc_put(&f, 1, 0, &(Desc) { .op = DMAE_OP_NOP, .cookie = 9 });
    ch_submit(&f, 1, 1);
    ch_wait_head(&f, 1, 1);
    compl_get(&f, 1, 0, &cp);
    g_assert_cmphex(cp.status, ==, DMAE_CS_DONE | DMAE_ERR_INJECTED);

    wr32(&f, DMAE_INJ_CORRUPT, 3);
    qobject_unref(qtest_qmp(f.qts, "{ 'execute': 'system_reset' }"));
    qtest_qmp_eventwait(f.qts, "RESET");
    qpci_device_enable(f.dev);
    f.bar = qpci_iomap(f.dev, 0, NULL);
    g_assert_cmphex(rd64(&f, DMAE_INJ_FAIL), ==, 0);
    g_assert_cmphex(rd64(&f, DMAE_INJ_DROP_IRQ), ==, 0);
    g_assert_cmphex(rd32(&f, DMAE_INJ_FIRED), ==, 0);
    fixture_stop(&f);
}

void dma_engine_inject_tests(void)
{
    qtest_add_func("/dma-engine/inject/absent", test_inject_absent);
    qtest_add_func("/dma-engine/inject/fail", test_inject_fail);
    qtest_add_func("/dma-engine/inject/stall", test_inject_stall);
    qtest_add_func("/dma-engine/inject/stall-main-loop",
                   test_inject_stall_main_loop);
    qtest_add_func("/dma-engine/inject/drop-irq", test_inject_drop_irq);
    qtest_add_func("/dma-engine/inject/corrupt", test_inject_corrupt);
    qtest_add_func("/dma-engine/inject/shared-and-reset",
                   test_inject_shared_and_reset);
}
