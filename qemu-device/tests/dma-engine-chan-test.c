/*
 * QTest for the dma-engine channels: rings, every descriptor operation and
 * flag, scatter-gather lists with odd splits, completion records, every
 * descriptor and channel error, FENCE, MSI-X, MSI and INTx, interrupt
 * coalescing, abort and reset in the middle of a transfer, concurrent
 * channels and the bandwidth model.
 *
 * Copyright (c) 2026 The dma-engine authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/pci/pci_regs.h"
#include "dma-engine-qtest.h"


#define DONE_OK         DMAE_CS_DONE
#define DONE(err)       (DMAE_CS_DONE | (err))

static Desc copy_desc(uint64_t src, uint64_t dst, uint32_t len)
{
    return (Desc) {
        .op = DMAE_OP_COPY, .len = len, .src = src, .dst = dst,
        .cookie = 0xc0de0000ULL + len,
    };
}

static void test_chan_identity(void)
{
    Fixture f;
    uint8_t cap, msix = 0;
    unsigned c;

    fixture_start(&f, ",channels=3,ring-max=512,max-sg=64");
    g_assert_cmpuint(rd32(&f, DMAE_REG_NUM_CHAN), ==, 3);
    g_assert_cmpuint(rd32(&f, DMAE_REG_RING_MAX), ==, 512);
    g_assert_cmpuint(rd32(&f, DMAE_REG_MAX_SG), ==, 64);
    g_assert_cmphex(rd32(&f, DMAE_REG_IRQ_STATUS), ==, 0);
    for (cap = qpci_config_readb(f.dev, PCI_CAPABILITY_LIST); cap;
         cap = qpci_config_readb(f.dev, cap + PCI_CAP_LIST_NEXT)) {
        if (qpci_config_readb(f.dev, cap) == PCI_CAP_ID_MSIX) {
            msix = cap;
        }
    }
    g_assert_cmphex(msix, !=, 0);
    /* channels + 1 vectors, table in BAR2 */
    g_assert_cmpuint((qpci_config_readw(f.dev, msix + PCI_MSIX_FLAGS) &
                      PCI_MSIX_FLAGS_QSIZE) + 1, ==, 4);
    g_assert_cmphex(qpci_config_readl(f.dev, msix + PCI_MSIX_TABLE) &
                    PCI_MSIX_TABLE_BIR, ==, 2);

    for (c = 0; c < 3; c++) {
        g_assert_cmphex(rd64(&f, ch_reg(c, DMAE_CH_RING_BASE)), ==, 0);
        g_assert_cmphex(ch_rd32(&f, c, DMAE_CH_RING_SIZE), ==, 0);
        g_assert_cmphex(ch_rd32(&f, c, DMAE_CH_HEAD), ==, 0);
        g_assert_cmphex(ch_rd32(&f, c, DMAE_CH_STATUS), ==, 0);
    }
    /* registers hold their values, 32- and 64-bit */
    wr64(&f, ch_reg(1, DMAE_CH_RING_BASE), 0x123456789abcdec0ULL);
    g_assert_cmphex(rd64(&f, ch_reg(1, DMAE_CH_RING_BASE)), ==,
                    0x123456789abcdec0ULL);
    wr32(&f, ch_reg(1, DMAE_CH_COMPL_BASE) + 4, 0x55);
    g_assert_cmphex(rd64(&f, ch_reg(1, DMAE_CH_COMPL_BASE)), ==,
                    0x55ULL << 32);
    ch_wr32(&f, 1, DMAE_CH_COAL, 0x00640008);
    g_assert_cmphex(ch_rd32(&f, 1, DMAE_CH_COAL), ==, 0x00640008);
    /* ring registers are locked while the channel is enabled */
    ch_setup(&f, 2, 16);
    wr64(&f, ch_reg(2, DMAE_CH_RING_BASE), 0x4000);
    ch_wr32(&f, 2, DMAE_CH_RING_SIZE, 32);
    g_assert_cmphex(rd64(&f, ch_reg(2, DMAE_CH_RING_BASE)), ==,
                    RING_ADDR + 2 * 64 * KiB);
    g_assert_cmpuint(ch_rd32(&f, 2, DMAE_CH_RING_SIZE), ==, 16);
    /* HEAD is read-only */
    ch_wr32(&f, 2, DMAE_CH_HEAD, 5);
    g_assert_cmpuint(ch_rd32(&f, 2, DMAE_CH_HEAD), ==, 0);
    fixture_stop(&f);
}

static void test_chan_copy_and_wrap(void)
{
    static const uint32_t sizes[] = { 1, 4095, 4096, 8193, 100000 };
    Fixture f;
    Compl cp;
    uint32_t n = 0, i, k;

    fixture_start(&f, ",buf-size=8192");
    ch_setup(&f, 0, 4);
    /* 20 descriptors through a ring of 4: slots and counters wrap */
    for (k = 0; k < 4; k++) {
        for (i = 0; i < ARRAY_SIZE(sizes); i++, n++) {
            uint64_t src = SRC_ADDR + n * 3, dst = DST_ADDR + n * 5;
            Desc d = copy_desc(src, dst, sizes[i]);

            fill(&f, src, sizes[i], n);
            poison(&f, dst - GUARD, sizes[i] + 2 * GUARD);
            g_assert_cmphex(ch_run(&f, 0, n, &d, &cp), ==, DONE_OK);
            g_assert_cmpuint(cp.bytes, ==, sizes[i]);
            assert_copied(&f, src, dst, sizes[i]);
        }
    }
    /* a batch of 4 (a full ring) in one doorbell */
    for (i = 0; i < 4; i++) {
        Desc d = copy_desc(SRC_ADDR + i * 8192, DST_ADDR + i * 8192, 5000);

        fill(&f, d.src, 5000, i + 100);
        poison(&f, d.dst - GUARD, 5000 + 2 * GUARD);
        desc_put(&f, 0, n + i, &d);
    }
    ch_submit(&f, 0, n + 4);
    ch_wait_head(&f, 0, n + 4);
    for (i = 0; i < 4; i++) {
        compl_get(&f, 0, n + i, &cp);
        g_assert_cmphex(cp.status, ==, DONE_OK);
        assert_copied(&f, SRC_ADDR + i * 8192, DST_ADDR + i * 8192, 5000);
    }
    fixture_stop(&f);
}

/* Bitwise CRC32C, the reference for the device's */
static uint32_t ref_crc32c(const uint8_t *p, size_t len)
{
    uint32_t crc = 0xffffffff;
    int k;

    while (len--) {
        crc ^= *p++;
        for (k = 0; k < 8; k++) {
            crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78 : crc >> 1;
        }
    }
    return crc ^ 0xffffffff;
}

static void test_chan_nop_fill_compare_crc(void)
{
    Fixture f;
    Compl cp;
    Desc d;
    uint8_t buf[13];
    uint32_t n = 0, i;

    fixture_start(&f, ",buf-size=8192");
    ch_setup(&f, 1, 8);

    d = (Desc) { .op = DMAE_OP_NOP, .cookie = 42 };
    g_assert_cmphex(ch_run(&f, 1, n++, &d, &cp), ==, DONE_OK);
    g_assert_cmpuint(cp.bytes, ==, 0);

    /* FILL: byte i gets byte i % 8 of the pattern; odd length */
    poison(&f, DST_ADDR - GUARD, 70013 + 2 * GUARD);
    d = (Desc) { .op = DMAE_OP_FILL, .len = 70013, .dst = DST_ADDR,
                 .pattern = 0x0807060504030201ULL, .cookie = 7 };
    g_assert_cmphex(ch_run(&f, 1, n++, &d, &cp), ==, DONE_OK);
    g_assert_cmpuint(cp.bytes, ==, 70013);
    qtest_memread(f.qts, DST_ADDR + 70000, buf, sizeof(buf));
    for (i = 0; i < sizeof(buf); i++) {
        g_assert_cmpuint(buf[i], ==, (70000 + i) % 8 + 1);
    }
    assert_untouched(&f, DST_ADDR + 70013, GUARD);
    assert_untouched(&f, DST_ADDR - GUARD, GUARD);

    /* COMPARE: equal, then a difference at offset 54321 */
    fill(&f, SRC_ADDR, 100000, 9);
    fill(&f, DST_ADDR, 100000, 9);
    d = (Desc) { .op = DMAE_OP_COMPARE, .len = 100000, .src = SRC_ADDR,
                 .dst = DST_ADDR, .cookie = 8 };
    g_assert_cmphex(ch_run(&f, 1, n++, &d, &cp), ==, DONE_OK);
    g_assert_cmpuint(cp.result, ==, 0);
    g_assert_cmpuint(cp.bytes, ==, 100000);
    qtest_writeb(f.qts, DST_ADDR + 54321, qtest_readb(f.qts,
                 SRC_ADDR + 54321) ^ 0x10);
    g_assert_cmphex(ch_run(&f, 1, n++, &d, &cp), ==, DONE_OK);
    g_assert_cmpuint(cp.result, ==, 1);
    g_assert_cmpuint(cp.bytes, ==, 54321);

    /* COPY_CRC32C of "123456789" is 0xe3069283 */
    qtest_memwrite(f.qts, SRC_ADDR, "123456789", 9);
    poison(&f, DST_ADDR - GUARD, 9 + 2 * GUARD);
    d = (Desc) { .op = DMAE_OP_COPY_CRC32C, .len = 9, .src = SRC_ADDR,
                 .dst = DST_ADDR, .cookie = 9 };
    g_assert_cmphex(ch_run(&f, 1, n++, &d, &cp), ==, DONE_OK);
    g_assert_cmphex(cp.result, ==, 0xe3069283);
    assert_copied(&f, SRC_ADDR, DST_ADDR, 9);

    /* many chunks (buf-size 8192) chain into one CRC */
    {
        g_autofree uint8_t *data = g_malloc(100001);

        fill(&f, SRC_ADDR, 100001, 77);
        qtest_memread(f.qts, SRC_ADDR, data, 100001);
        d.len = 100001;
        g_assert_cmphex(ch_run(&f, 1, n++, &d, &cp), ==, DONE_OK);
        g_assert_cmphex(cp.result, ==, ref_crc32c(data, 100001));
    }
    fixture_stop(&f);
}

static void test_chan_sg(void)
{
    /* source and destination cut differently, both odd */
    static const uint32_t slen[] = { 1, 4095, 3, 10000, 17, 35884 };
    static const uint32_t dlen[] = { 8192, 7, 1, 41800 };
    uint64_t saddr[ARRAY_SIZE(slen)], daddr[ARRAY_SIZE(dlen)];
    const uint32_t total = 50000;
    uint64_t dsg = SG_ADDR + 4096;
    Fixture f;
    Compl cp;
    Desc d;
    uint32_t i, off;

    fixture_start(&f, ",buf-size=8192");
    ch_setup(&f, 0, 8);
    for (i = 0, off = 0; i < ARRAY_SIZE(slen); off += slen[i], i++) {
        saddr[i] = SRC_ADDR + i * 128 * KiB + 13;
        fill(&f, saddr[i], slen[i], i + 1);
    }
    g_assert_cmpuint(off, ==, total);
    for (i = 0, off = 0; i < ARRAY_SIZE(dlen); off += dlen[i], i++) {
        daddr[i] = DST_ADDR + i * 128 * KiB + 7;
        poison(&f, daddr[i] - GUARD, dlen[i] + 2 * GUARD);
    }
    g_assert_cmpuint(off, ==, total);
    sg_put(&f, SG_ADDR, saddr, slen, ARRAY_SIZE(slen));
    sg_put(&f, dsg, daddr, dlen, ARRAY_SIZE(dlen));

    d = (Desc) { .op = DMAE_OP_COPY, .flags = DMAE_DF_SRC_SG | DMAE_DF_DST_SG,
                 .len = total, .src = SG_ADDR, .dst = dsg,
                 .src_nsg = ARRAY_SIZE(slen), .dst_nsg = ARRAY_SIZE(dlen),
                 .cookie = 1 };
    g_assert_cmphex(ch_run(&f, 0, 0, &d, &cp), ==, DONE_OK);
    g_assert_cmpuint(cp.bytes, ==, total);
    {
        g_autofree uint8_t *a = g_malloc(total);
        g_autofree uint8_t *b = g_malloc(total);
        uint8_t g[GUARD];

        for (i = 0, off = 0; i < ARRAY_SIZE(slen); off += slen[i], i++) {
            qtest_memread(f.qts, saddr[i], a + off, slen[i]);
        }
        for (i = 0, off = 0; i < ARRAY_SIZE(dlen); off += dlen[i], i++) {
            qtest_memread(f.qts, daddr[i], b + off, dlen[i]);
            qtest_memread(f.qts, daddr[i] + dlen[i], g, GUARD);
            g_assert_cmphex(g[0], ==, 0xa5);
            g_assert_cmphex(g[GUARD - 1], ==, 0xa5);
            assert_untouched(&f, daddr[i] - GUARD, GUARD);
        }
        g_assert(memcmp(a, b, total) == 0);
    }

    /* SG source, flat destination, and FILL into an SG destination */
    poison(&f, DST_ADDR - GUARD, total + 2 * GUARD);
    d.flags = DMAE_DF_SRC_SG;
    d.dst = DST_ADDR;
    g_assert_cmphex(ch_run(&f, 0, 1, &d, &cp), ==, DONE_OK);
    assert_untouched(&f, DST_ADDR + total, GUARD);
    d = (Desc) { .op = DMAE_OP_FILL, .flags = DMAE_DF_DST_SG, .len = total,
                 .dst = dsg, .dst_nsg = ARRAY_SIZE(dlen),
                 .pattern = 0x5a5a5a5a5a5a5a5aULL };
    g_assert_cmphex(ch_run(&f, 0, 2, &d, &cp), ==, DONE_OK);
    g_assert_cmphex(qtest_readb(f.qts, daddr[3] + dlen[3] - 1), ==, 0x5a);
    g_assert_cmphex(qtest_readb(f.qts, daddr[3] + dlen[3]), ==, 0xa5);
    fixture_stop(&f);
}

/* Each descriptor error: its code, nothing written, the next one runs. */
static void test_chan_desc_errors(void)
{
    static const uint64_t a1[] = { SRC_ADDR };
    static const uint32_t l0[] = { 0 }, l100[] = { 100 }, l8k[] = { 8192 };
    static const uint64_t wrap[] = { 0xfffffffffffff000ULL };
    struct {
        Desc d;
        uint8_t err;
    } cases[] = {
        { { .op = 9, .len = 1, .src = SRC_ADDR, .dst = DST_ADDR },
          DMAE_ERR_BAD_OP },
        { { .op = DMAE_OP_COPY, .flags = 0x100, .len = 1, .src = SRC_ADDR,
            .dst = DST_ADDR }, DMAE_ERR_BAD_FLAGS },
        { { .op = DMAE_OP_COPY, .len = 0, .src = SRC_ADDR, .dst = DST_ADDR },
          DMAE_ERR_LEN_ZERO },
        { { .op = DMAE_OP_FILL, .len = 65537, .dst = DST_ADDR },
          DMAE_ERR_LEN_MAX },
        { { .op = DMAE_OP_COPY, .len = 8192, .src = 0xfffffffffffff000ULL,
            .dst = DST_ADDR }, DMAE_ERR_OVERFLOW },
        { { .op = DMAE_OP_COPY, .flags = DMAE_DF_SRC_SG, .len = 100,
            .src = SG_ADDR, .src_nsg = 0, .dst = DST_ADDR },
          DMAE_ERR_SG_COUNT },
        { { .op = DMAE_OP_COPY, .flags = DMAE_DF_SRC_SG, .len = 100,
            .src = SG_ADDR, .src_nsg = 17, .dst = DST_ADDR },
          DMAE_ERR_SG_COUNT },
        { { .op = DMAE_OP_COPY, .flags = DMAE_DF_DST_SG, .len = 100,
            .src = SRC_ADDR, .dst = SG_ADDR + 64, .dst_nsg = 1 },
          DMAE_ERR_SG_ENTRY },
        { { .op = DMAE_OP_COPY, .flags = DMAE_DF_SRC_SG, .len = 100,
            .src = UNMAPPED_ADDR, .src_nsg = 2, .dst = DST_ADDR },
          DMAE_ERR_SG_READ },
        { { .op = DMAE_OP_COPY, .flags = DMAE_DF_SRC_SG, .len = 99,
            .src = SG_ADDR, .src_nsg = 1, .dst = DST_ADDR },
          DMAE_ERR_SG_TOTAL },
        { { .op = DMAE_OP_COPY, .flags = DMAE_DF_DST_SG, .len = 8192,
            .src = SRC_ADDR, .dst = SG_ADDR + 128, .dst_nsg = 1 },
          DMAE_ERR_OVERFLOW },
        { { .op = DMAE_OP_COPY, .len = 100, .src = UNMAPPED_ADDR,
            .dst = DST_ADDR }, DMAE_ERR_READ },
        { { .op = DMAE_OP_COMPARE, .len = 100, .src = SRC_ADDR,
            .dst = UNMAPPED_ADDR + 0x10 }, DMAE_ERR_READ },
    };
    Fixture f;
    Compl cp;
    Desc ok = copy_desc(SRC_ADDR, DST_ADDR + 8192, 100);
    uint32_t n = 0, i;

    fixture_start(&f, ",max-transfer=65536,max-sg=16");
    ch_setup(&f, 3, 8);
    fill(&f, SRC_ADDR, 8192, 1);
    sg_put(&f, SG_ADDR, a1, l100, 1);
    sg_put(&f, SG_ADDR + 64, a1, l0, 1);
    sg_put(&f, SG_ADDR + 128, wrap, l8k, 1);
    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        poison(&f, DST_ADDR, 8192 + 200);
        cases[i].d.cookie = i;
        g_assert_cmphex(ch_run(&f, 3, n++, &cases[i].d, &cp), ==,
                        DONE(cases[i].err));
        g_assert_cmpuint(cp.bytes, ==, 0);
        assert_untouched(&f, DST_ADDR, 8192 + 200);
        if (cases[i].err == DMAE_ERR_SG_READ) {
            g_assert_cmphex(cp.fault_addr, ==, UNMAPPED_ADDR);
        } else if (cases[i].err == DMAE_ERR_READ) {
            g_assert_cmphex(cp.fault_addr & ~0xfffULL, ==, UNMAPPED_ADDR);
        }
        /* the channel goes on */
        g_assert_cmphex(ch_run(&f, 3, n++, &ok, &cp), ==, DONE_OK);
        assert_copied(&f, SRC_ADDR, DST_ADDR + 8192, 100);
    }
    /* a write fault names the page; a fault is no channel error */
    ok.dst = UNMAPPED_ADDR + 0x2000;
    g_assert_cmphex(ch_run(&f, 3, n++, &ok, &cp), ==, DONE(DMAE_ERR_WRITE));
    g_assert_cmphex(cp.fault_addr, ==, UNMAPPED_ADDR + 0x2000);
    g_assert_cmphex(ch_rd32(&f, 3, DMAE_CH_STATUS), ==, DMAE_CHSTS_ENABLED);
    /* a source that runs off the end of RAM: the fault names RAM's end */
    ok = copy_desc(RAM_SIZE - 8192, DST_ADDR, 3 * 8192);
    g_assert_cmphex(ch_run(&f, 3, n++, &ok, &cp), ==, DONE(DMAE_ERR_READ));
    g_assert_cmphex(cp.fault_addr, ==, RAM_SIZE);
    fixture_stop(&f);
}

static void test_chan_fence(void)
{
    Fixture f;
    Compl cp;
    Desc bad = copy_desc(UNMAPPED_ADDR, DST_ADDR, 64);
    Desc good = copy_desc(SRC_ADDR, DST_ADDR, 64);
    Desc chain[7];
    static const uint8_t want[] = {
        DONE(DMAE_ERR_READ), DONE(DMAE_ERR_CANCELED), DONE(DMAE_ERR_CANCELED),
        DONE_OK, DONE_OK, DONE(DMAE_ERR_READ), DONE(DMAE_ERR_CANCELED),
    };
    uint32_t i;

    fixture_start(&f, "");
    ch_setup(&f, 0, 8);
    chain[0] = bad;
    chain[1] = good;
    chain[1].flags = DMAE_DF_FENCE;
    chain[2] = chain[1];
    chain[3] = good;            /* no FENCE: a new chain */
    chain[4] = chain[1];        /* depends on [3], which succeeded */
    chain[5] = bad;             /* [4] succeeded: runs, and fails */
    chain[5].flags = DMAE_DF_FENCE;
    chain[6] = chain[1];        /* after a failure: canceled */
    for (i = 0; i < ARRAY_SIZE(chain); i++) {
        chain[i].cookie = i;
        desc_put(&f, 0, i, &chain[i]);
    }
    ch_submit(&f, 0, ARRAY_SIZE(chain));
    ch_wait_head(&f, 0, ARRAY_SIZE(chain));
    for (i = 0; i < ARRAY_SIZE(chain); i++) {
        compl_get(&f, 0, i, &cp);
        g_assert_cmpuint(cp.cookie, ==, i);
        g_assert_cmphex(cp.status, ==, want[i]);
    }
    fixture_stop(&f);
}

static void assert_halted(Fixture *f, unsigned c, uint8_t err, uint64_t addr)
{
    gint64 end = g_get_monotonic_time() + TIMEOUT_US;
    uint32_t sts;

    while (!((sts = ch_rd32(f, c, DMAE_CH_STATUS)) & DMAE_CHSTS_HALTED)) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(100);
    }
    g_assert_cmpuint((sts & DMAE_CHSTS_ERR_MASK) >> DMAE_CHSTS_ERR_SHIFT, ==,
                     err);
    g_assert_cmphex(rd64(f, ch_reg(c, DMAE_CH_ERR_ADDR)), ==, addr);
    g_assert_true(rd32(f, DMAE_REG_IRQ_STATUS) & DMAE_IRQ_ERROR);
    wr32(f, DMAE_REG_IRQ_STATUS, DMAE_IRQ_ERROR);
}

static void test_chan_errors(void)
{
    Fixture f;
    Compl cp;
    Desc d = copy_desc(SRC_ADDR, DST_ADDR, 64);

    fixture_start(&f, ",ring-max=64");
    ch_wr32(&f, 0, DMAE_CH_RING_SIZE, 8);
    wr64(&f, ch_reg(0, DMAE_CH_COMPL_BASE), COMPL_ADDR);
    wr64(&f, ch_reg(0, DMAE_CH_RING_BASE), RING_ADDR + 32);
    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_ENABLE);
    assert_halted(&f, 0, DMAE_CHERR_RING_ALIGN, RING_ADDR + 32);
    /* halted: ENABLE does nothing until RESET */
    wr64(&f, ch_reg(0, DMAE_CH_RING_BASE), RING_ADDR);
    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_ENABLE);
    g_assert_false(ch_rd32(&f, 0, DMAE_CH_STATUS) & DMAE_CHSTS_ENABLED);
    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_RESET);
    g_assert_cmphex(ch_rd32(&f, 0, DMAE_CH_STATUS), ==, 0);

    wr64(&f, ch_reg(0, DMAE_CH_COMPL_BASE), COMPL_ADDR + 8);
    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_ENABLE);
    assert_halted(&f, 0, DMAE_CHERR_RING_ALIGN, COMPL_ADDR + 8);

    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_RESET);
    wr64(&f, ch_reg(0, DMAE_CH_COMPL_BASE), COMPL_ADDR);
    ch_wr32(&f, 0, DMAE_CH_RING_SIZE, 12);
    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_ENABLE);
    assert_halted(&f, 0, DMAE_CHERR_RING_SIZE, 12);
    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_RESET);
    ch_wr32(&f, 0, DMAE_CH_RING_SIZE, 128);
    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_ENABLE);
    assert_halted(&f, 0, DMAE_CHERR_RING_SIZE, 128);

    /* TAIL more than a ring ahead of HEAD */
    ch_setup(&f, 0, 8);
    ch_submit(&f, 0, 9);
    assert_halted(&f, 0, DMAE_CHERR_BAD_TAIL, 9);
    g_assert_cmpuint(ch_rd32(&f, 0, DMAE_CH_HEAD), ==, 0);

    /* descriptor fetch and completion write faults */
    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_RESET);
    wr64(&f, ch_reg(0, DMAE_CH_RING_BASE), UNMAPPED_ADDR);
    ch_wr32(&f, 0, DMAE_CH_RING_SIZE, 8);
    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_ENABLE);
    ch_submit(&f, 0, 1);
    assert_halted(&f, 0, DMAE_CHERR_DESC_READ, UNMAPPED_ADDR);

    ch_setup(&f, 0, 8);
    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_RESET);
    wr64(&f, ch_reg(0, DMAE_CH_COMPL_BASE), UNMAPPED_ADDR + 0x1000);
    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_ENABLE);
    desc_put(&f, 0, 0, &d);
    desc_put(&f, 0, 1, &d);
    ch_submit(&f, 0, 2);
    assert_halted(&f, 0, DMAE_CHERR_COMPL_WRITE, UNMAPPED_ADDR + 0x1000);
    g_assert_cmpuint(ch_rd32(&f, 0, DMAE_CH_HEAD), ==, 0);

    /* RESET brings the channel back */
    ch_setup(&f, 0, 8);
    g_assert_cmphex(ch_run(&f, 0, 0, &d, &cp), ==, DONE_OK);
    fixture_stop(&f);
}

static void test_chan_msix(void)
{
    Fixture f;
    Compl cp;
    Desc d = copy_desc(SRC_ADDR, DST_ADDR, 4096);

    fixture_start(&f, ",channels=2");
    msix_enable(&f, 3);
    ch_setup(&f, 0, 8);
    ch_setup(&f, 1, 8);
    /* without IRQ, no message */
    ch_run(&f, 1, 0, &d, &cp);
    g_usleep(20 * 1000);
    g_assert_cmphex(msg_read(&f, 1), ==, 0);
    /* with IRQ, channel 1 uses vector 1 and only that */
    d.flags = DMAE_DF_IRQ;
    ch_run(&f, 1, 1, &d, &cp);
    g_assert_cmphex(msg_wait(&f, 1), ==, MSI_DATA + 1);
    g_assert_cmphex(msg_read(&f, 0), ==, 0);
    g_assert_cmphex(msg_read(&f, 2), ==, 0);
    g_assert_true(rd32(&f, DMAE_REG_IRQ_STATUS) & DMAE_IRQ_CHAN(1));
    ch_run(&f, 0, 0, &d, &cp);
    g_assert_cmphex(msg_wait(&f, 0), ==, MSI_DATA);
    /* a channel error uses the last vector */
    ch_submit(&f, 0, 100);
    assert_halted(&f, 0, DMAE_CHERR_BAD_TAIL, 100);
    g_assert_cmphex(msg_wait(&f, 2), ==, MSI_DATA + 2);
    /* IRQ_STATUS is write-1-to-clear */
    wr32(&f, DMAE_REG_IRQ_STATUS, 0xffffffff);
    g_assert_cmphex(rd32(&f, DMAE_REG_IRQ_STATUS), ==, 0);
    fixture_stop(&f);
}

static void test_chan_msi_intx(void)
{
    Fixture f;
    Compl cp;
    int i;
    Desc d = copy_desc(SRC_ADDR, DST_ADDR, 4096);

    d.flags = DMAE_DF_IRQ;
    fixture_start(&f, ",msix=off");
    g_assert_false(rd64(&f, DMAE_REG_CAP) & DMAE_CAP_MSIX);
    msi_enable(&f);
    ch_setup(&f, 2, 8);
    ch_run(&f, 2, 0, &d, &cp);
    g_assert_cmphex(msg_wait(&f, 0), ==, MSI_DATA);
    g_assert_cmphex(rd32(&f, DMAE_REG_IRQ_STATUS), ==, DMAE_IRQ_CHAN(2));
    fixture_stop(&f);

    fixture_start(&f, ",msix=off,msi=off");
    ch_setup(&f, 1, 8);
    g_assert_false(qpci_config_readw(f.dev, PCI_STATUS) &
                   PCI_STATUS_INTERRUPT);
    ch_run(&f, 1, 0, &d, &cp);
    /* raised by the worker just after it writes the completion */
    for (i = 0; i < 50000 && !(qpci_config_readw(f.dev, PCI_STATUS) &
                                PCI_STATUS_INTERRUPT); i++) {
        g_usleep(100);
    }
    g_assert_true(qpci_config_readw(f.dev, PCI_STATUS) &
                  PCI_STATUS_INTERRUPT);
    wr32(&f, DMAE_REG_IRQ_STATUS, DMAE_IRQ_CHAN(1));
    g_assert_false(qpci_config_readw(f.dev, PCI_STATUS) &
                   PCI_STATUS_INTERRUPT);
    fixture_stop(&f);
}

static void test_chan_coalescing(void)
{
    Fixture f;
    Desc d = { .op = DMAE_OP_NOP, .flags = DMAE_DF_IRQ };
    uint32_t i;

    /*
     * 200 ms a descriptor, so that the channel is never idle in between
     * (an idle channel flushes at once); the checks below come right after
     * a HEAD change, far within one descriptor's time.
     */
    fixture_start(&f, ",latency-ns=200000000");
    msix_enable(&f, 5);
    ch_setup(&f, 0, 8);
    ch_wr32(&f, 0, DMAE_CH_COAL, 4);
    for (i = 0; i < 6; i++) {
        desc_put(&f, 0, i, &d);
    }
    ch_submit(&f, 0, 6);
    ch_wait_head(&f, 0, 3);
    g_assert_cmphex(msg_read(&f, 0), ==, 0);    /* 3 < COUNT */
    ch_wait_head(&f, 0, 4);
    g_usleep(10 * 1000);
    g_assert_cmphex(msg_wait(&f, 0), ==, MSI_DATA);   /* the 4th */
    msg_clear(&f, 1);
    ch_wait_head(&f, 0, 6);
    g_usleep(10 * 1000);
    g_assert_cmphex(msg_wait(&f, 0), ==, MSI_DATA);   /* idle: flushed */

    /* the timer: COUNT 100, 1000 us (virtual clock) */
    msg_clear(&f, 1);
    ch_wr32(&f, 0, DMAE_CH_COAL, 1000 << DMAE_COAL_USEC_SHIFT | 100);
    for (i = 6; i < 8; i++) {
        desc_put(&f, 0, i, &d);
    }
    ch_submit(&f, 0, 8);
    ch_wait_head(&f, 0, 7);
    g_usleep(5 * 1000);
    g_assert_cmphex(msg_read(&f, 0), ==, 0);
    qtest_clock_step(f.qts, 1000 * 1000 + 1);
    g_assert_cmphex(msg_wait(&f, 0), ==, MSI_DATA);
    ch_wait_head(&f, 0, 8);
    fixture_stop(&f);
}

static void test_chan_abort_reset(void)
{
    Fixture f;
    Compl cp;
    Desc big = copy_desc(SRC_ADDR, DST_ADDR, BIG_LEN);
    Desc small = copy_desc(SRC_ADDR, DST_ADDR, 4096);

    /* 1 MB/s: the big copy takes a minute, it is always cut short */
    fixture_start(&f, ",bandwidth-mbps=1");
    ch_setup(&f, 0, 8);
    /* ABORT mid-transfer: ABORTED, part of the bytes, channel halted */
    desc_put(&f, 0, 0, &big);
    desc_put(&f, 0, 1, &small);
    ch_submit(&f, 0, 2);
    ch_wait_busy(&f, 0);
    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_ABORT | DMAE_CHCTRL_ENABLE);
    assert_halted(&f, 0, DMAE_CHERR_ABORTED, 0);
    ch_wait_head(&f, 0, 1);
    compl_get(&f, 0, 0, &cp);
    g_assert_cmphex(cp.status, ==, DONE(DMAE_ERR_ABORTED));
    g_assert_cmpuint(cp.bytes, <, BIG_LEN);
    compl_get(&f, 0, 1, &cp);
    g_assert_cmphex(cp.status, ==, 0);          /* left in the ring */

    /* RESET mid-transfer: no completion, HEAD 0, BUSY clears */
    ch_setup(&f, 0, 8);
    desc_put(&f, 0, 0, &big);
    ch_submit(&f, 0, 1);
    ch_wait_busy(&f, 0);
    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_RESET);
    ch_wait_idle(&f, 0);
    g_usleep(20 * 1000);
    compl_get(&f, 0, 0, &cp);
    g_assert_cmphex(cp.status, ==, 0);
    g_assert_cmpuint(ch_rd32(&f, 0, DMAE_CH_HEAD), ==, 0);
    g_assert_cmphex(ch_rd32(&f, 0, DMAE_CH_STATUS), ==, 0);

    /* and the channel works again */
    ch_setup(&f, 0, 8);
    fill(&f, SRC_ADDR, 4096, 3);
    poison(&f, DST_ADDR - GUARD, 4096 + 2 * GUARD);
    g_assert_cmphex(ch_run(&f, 0, 0, &small, &cp), ==, DONE_OK);
    assert_copied(&f, SRC_ADDR, DST_ADDR, 4096);

    /* device reset mid-transfer clears every channel register */
    desc_put(&f, 0, 1, &big);
    ch_submit(&f, 0, 2);
    ch_wait_busy(&f, 0);
    qobject_unref(qtest_qmp(f.qts, "{ 'execute': 'system_reset' }"));
    qtest_qmp_eventwait(f.qts, "RESET");
    qpci_device_enable(f.dev);
    f.bar = qpci_iomap(f.dev, 0, NULL);
    ch_wait_idle(&f, 0);
    g_assert_cmphex(rd64(&f, ch_reg(0, DMAE_CH_RING_BASE)), ==, 0);
    g_assert_cmphex(ch_rd32(&f, 0, DMAE_CH_HEAD), ==, 0);
    g_assert_cmphex(ch_rd32(&f, 0, DMAE_CH_STATUS), ==, 0);
    compl_get(&f, 0, 1, &cp);
    g_assert_cmphex(cp.status, ==, 0);
    fixture_stop(&f);
}

/*
 * ABORT right after RESET, while the worker may still be letting go of the
 * descriptor the reset cut off: either way the channel halts ABORTED (the
 * abort must not be left pending for a later descriptor), and after the
 * next RESET a descriptor runs normally.
 */
static void test_chan_reset_then_abort(void)
{
    Fixture f;
    Compl cp;
    Desc big = copy_desc(SRC_ADDR, DST_ADDR, BIG_LEN);
    Desc nop = { .op = DMAE_OP_NOP, .cookie = 5 };
    int i;

    fixture_start(&f, ",bandwidth-mbps=1");
    for (i = 0; i < 5; i++) {
        ch_setup(&f, 0, 8);
        desc_put(&f, 0, 0, &big);
        ch_submit(&f, 0, 1);
        ch_wait_busy(&f, 0);
        ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_RESET);
        ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_ABORT);
        assert_halted(&f, 0, DMAE_CHERR_ABORTED, 0);
        ch_wait_idle(&f, 0);
        compl_get(&f, 0, 0, &cp);
        g_assert_cmphex(cp.status, ==, 0);
    }
    ch_setup(&f, 0, 8);
    g_assert_cmphex(ch_run(&f, 0, 0, &nop, &cp), ==, DONE_OK);
    fixture_stop(&f);
}

/*
 * Channels run independently: while channel 0 works through a copy that
 * takes a minute at the modelled 1 MB/s, channels 1 to 3 finish theirs.
 * Nothing here depends on how fast the host is: channel 0 is aborted,
 * not waited for.
 */
static void test_chan_concurrent(void)
{
    const uint32_t len = 4096;
    Desc big = copy_desc(SRC_ADDR, DST_ADDR, BIG_LEN);
    Fixture f;
    Compl cp;
    unsigned c;

    fixture_start(&f, ",channels=4,bandwidth-mbps=1");
    ch_setup(&f, 0, 8);
    desc_put(&f, 0, 0, &big);
    ch_submit(&f, 0, 1);
    for (c = 1; c < 4; c++) {
        Desc d = copy_desc(SRC_ADDR + BIG_LEN + c * len,
                           DST_ADDR + BIG_LEN + c * (len + 4096), len);

        ch_setup(&f, c, 8);
        fill(&f, d.src, len, c);
        poison(&f, d.dst - GUARD, len + 2 * GUARD);
        desc_put(&f, c, 0, &d);
        ch_submit(&f, c, 1);
    }
    for (c = 1; c < 4; c++) {
        ch_wait_head(&f, c, 1);
        compl_get(&f, c, 0, &cp);
        g_assert_cmphex(cp.status, ==, DONE_OK);
        assert_copied(&f, SRC_ADDR + BIG_LEN + c * len,
                      DST_ADDR + BIG_LEN + c * (len + 4096), len);
    }
    /* channel 0 still holds its descriptor */
    g_assert_true(ch_rd32(&f, 0, DMAE_CH_STATUS) & DMAE_CHSTS_BUSY);
    g_assert_cmphex(ch_rd32(&f, 0, DMAE_CH_HEAD), ==, 0);
    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_ABORT | DMAE_CHCTRL_ENABLE);
    ch_wait_head(&f, 0, 1);
    compl_get(&f, 0, 0, &cp);
    g_assert_cmphex(cp.status, ==, DONE(DMAE_ERR_ABORTED));
    g_assert_cmpuint(cp.bytes, <, BIG_LEN);
    fixture_stop(&f);
}

static void test_chan_bandwidth(void)
{
    Fixture f;
    Compl cp;
    Desc d = copy_desc(SRC_ADDR, DST_ADDR, 10 * 1000 * 1000);
    gint64 t0, us;

    /* 100 MB/s: 10 MB take 100 ms, plus 20 ms of latency */
    fixture_start(&f, ",bandwidth-mbps=100,latency-ns=20000000");
    ch_setup(&f, 0, 8);
    t0 = g_get_monotonic_time();
    g_assert_cmphex(ch_run(&f, 0, 0, &d, &cp), ==, DONE_OK);
    us = g_get_monotonic_time() - t0;
    g_assert_cmpint(us, >=, 115 * 1000);
    fixture_stop(&f);
}

void dma_engine_chan_tests(void)
{
    qtest_add_func("/dma-engine/chan/identity", test_chan_identity);
    qtest_add_func("/dma-engine/chan/copy-and-wrap", test_chan_copy_and_wrap);
    qtest_add_func("/dma-engine/chan/nop-fill-compare-crc",
                   test_chan_nop_fill_compare_crc);
    qtest_add_func("/dma-engine/chan/sg", test_chan_sg);
    qtest_add_func("/dma-engine/chan/desc-errors", test_chan_desc_errors);
    qtest_add_func("/dma-engine/chan/fence", test_chan_fence);
    qtest_add_func("/dma-engine/chan/errors", test_chan_errors);
    qtest_add_func("/dma-engine/chan/msix", test_chan_msix);
    qtest_add_func("/dma-engine/chan/msi-intx", test_chan_msi_intx);
    qtest_add_func("/dma-engine/chan/coalescing", test_chan_coalescing);
    qtest_add_func("/dma-engine/chan/abort-reset", test_chan_abort_reset);
    qtest_add_func("/dma-engine/chan/reset-then-abort",
                   test_chan_reset_then_abort);
    qtest_add_func("/dma-engine/chan/concurrent", test_chan_concurrent);
    qtest_add_func("/dma-engine/chan/bandwidth", test_chan_bandwidth);
}
