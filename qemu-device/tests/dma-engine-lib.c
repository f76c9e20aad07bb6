/*
 * Helpers shared by the dma-engine qtests: the machine, register access,
 * guest memory patterns, interrupts aimed at RAM, and descriptor rings.
 *
 * Copyright (c) 2026 The dma-engine authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "hw/pci/pci_regs.h"
#include "dma-engine-qtest.h"


void fixture_start(Fixture *f, const char *props)
{
    f->qts = qtest_initf("-machine q35 -nodefaults -m %u "
                         "-device dma-engine,addr=04.0%s",
                         (unsigned)(RAM_SIZE / MiB), props);
    f->bus = qpci_new_pc(f->qts, NULL);
    f->dev = qpci_device_find(f->bus, DEVFN);
    g_assert_nonnull(f->dev);
    qpci_device_enable(f->dev);
    f->bar = qpci_iomap(f->dev, 0, NULL);
}

void fixture_stop(Fixture *f)
{
    if (f->dev->msix_enabled) {
        qpci_msix_disable(f->dev);
    }
    g_free(f->dev);
    qpci_free_pc(f->bus);
    qtest_quit(f->qts);
}

uint64_t rd64(Fixture *f, uint64_t reg)
{
    return qpci_io_readq(f->dev, f->bar, reg);
}

uint32_t rd32(Fixture *f, uint64_t reg)
{
    return qpci_io_readl(f->dev, f->bar, reg);
}

void wr64(Fixture *f, uint64_t reg, uint64_t val)
{
    qpci_io_writeq(f->dev, f->bar, reg, val);
}

void wr32(Fixture *f, uint64_t reg, uint32_t val)
{
    qpci_io_writel(f->dev, f->bar, reg, val);
}

/* Fill guest memory at @addr with a pattern derived from @seed. */
void fill(Fixture *f, uint64_t addr, size_t len, uint8_t seed)
{
    g_autofree uint8_t *buf = g_malloc(len);
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] = seed + i * 7 + (i >> 9);
    }
    qtest_bufwrite(f->qts, addr, buf, len);
}

void poison(Fixture *f, uint64_t addr, size_t len)
{
    qtest_memset(f->qts, addr, 0xa5, len);
}

/* Destination equals source, and the guard bytes around it are intact. */
void assert_copied(Fixture *f, uint64_t src, uint64_t dst, size_t len)
{
    g_autofree uint8_t *a = g_malloc(len);
    g_autofree uint8_t *b = g_malloc(len + 2 * GUARD);
    size_t i;

    qtest_bufread(f->qts, src, a, len);
    qtest_bufread(f->qts, dst - GUARD, b, len + 2 * GUARD);
    g_assert(memcmp(a, b + GUARD, len) == 0);
    for (i = 0; i < GUARD; i++) {
        g_assert_cmphex(b[i], ==, 0xa5);
        g_assert_cmphex(b[GUARD + len + i], ==, 0xa5);
    }
}

void assert_untouched(Fixture *f, uint64_t addr, size_t len)
{
    g_autofree uint8_t *b = g_malloc(len);
    size_t i;

    qtest_bufread(f->qts, addr, b, len);
    for (i = 0; i < len; i++) {
        g_assert_cmphex(b[i], ==, 0xa5);
    }
}

void msi_enable(Fixture *f)
{
    uint16_t flags;

    qpci_config_writel(f->dev, 0x40 + PCI_MSI_ADDRESS_LO, MSI_ADDR);
    qpci_config_writel(f->dev, 0x40 + PCI_MSI_ADDRESS_HI, 0);
    qpci_config_writew(f->dev, 0x40 + PCI_MSI_DATA_64, MSI_DATA);
    flags = qpci_config_readw(f->dev, 0x40 + PCI_MSI_FLAGS);
    qpci_config_writew(f->dev, 0x40 + PCI_MSI_FLAGS,
                       flags | PCI_MSI_FLAGS_ENABLE);
    msg_clear(f, 1);
}

void msix_enable(Fixture *f, unsigned nvec)
{
    QPCIDevice *d = f->dev;
    unsigned v;

    qpci_msix_enable(d);
    for (v = 0; v < nvec; v++) {
        uint64_t e = d->msix_table_off + v * PCI_MSIX_ENTRY_SIZE;

        qpci_io_writel(d, d->msix_table_bar, e + PCI_MSIX_ENTRY_LOWER_ADDR,
                       MSI_ADDR + 4 * v);
        qpci_io_writel(d, d->msix_table_bar, e + PCI_MSIX_ENTRY_UPPER_ADDR,
                       0);
        qpci_io_writel(d, d->msix_table_bar, e + PCI_MSIX_ENTRY_DATA,
                       MSI_DATA + v);
        qpci_io_writel(d, d->msix_table_bar, e + PCI_MSIX_ENTRY_VECTOR_CTRL,
                       0);
    }
    msg_clear(f, nvec);
}

uint32_t msg_read(Fixture *f, unsigned vector)
{
    return qtest_readl(f->qts, MSI_ADDR + 4 * vector);
}

/*
 * The worker raises a channel's interrupt itself, just after it writes the
 * completion record: a message may land a moment after the record does.
 */
uint32_t msg_wait(Fixture *f, unsigned vector)
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    uint32_t v;

    while (!(v = msg_read(f, vector)) && g_get_monotonic_time() < end) {
        g_usleep(100);
    }
    return v;
}

void msg_clear(Fixture *f, unsigned nvec)
{
    qtest_memset(f->qts, MSI_ADDR, 0, 4 * nvec);
}

uint64_t ch_reg(unsigned c, uint64_t reg)
{
    return DMAE_CHAN_BASE + c * DMAE_CHAN_STRIDE + reg;
}

uint32_t ch_rd32(Fixture *f, unsigned c, uint64_t reg)
{
    return rd32(f, ch_reg(c, reg));
}

void ch_wr32(Fixture *f, unsigned c, uint64_t reg, uint32_t val)
{
    wr32(f, ch_reg(c, reg), val);
}

/* Reset channel @c and give it rings of @size entries; enable it. */
void ch_setup(Fixture *f, unsigned c, uint32_t size)
{
    ch_wr32(f, c, DMAE_CH_CTRL, DMAE_CHCTRL_RESET);
    wr64(f, ch_reg(c, DMAE_CH_RING_BASE), CH_RING(c));
    wr64(f, ch_reg(c, DMAE_CH_COMPL_BASE), CH_COMPL(c));
    ch_wr32(f, c, DMAE_CH_RING_SIZE, size);
    qtest_memset(f->qts, CH_COMPL(c), 0, size * DMAE_COMPL_SIZE);
    ch_wr32(f, c, DMAE_CH_CTRL, DMAE_CHCTRL_ENABLE);
    g_assert_cmphex(ch_rd32(f, c, DMAE_CH_STATUS), ==, DMAE_CHSTS_ENABLED);
}

static uint32_t ch_slot(Fixture *f, unsigned c, uint32_t n)
{
    return n & (ch_rd32(f, c, DMAE_CH_RING_SIZE) - 1);
}

/* Write descriptor number @n and clear its completion record. */
void desc_put(Fixture *f, unsigned c, uint32_t n, const Desc *d)
{
    uint8_t raw[DMAE_DESC_SIZE] = { 0 };
    uint32_t slot = ch_slot(f, c, n);

    raw[DMAE_DESC_OP] = d->op;
    stw_le_p(raw + DMAE_DESC_FLAGS, d->flags);
    stl_le_p(raw + DMAE_DESC_LEN, d->len);
    stq_le_p(raw + DMAE_DESC_SRC, d->src);
    stq_le_p(raw + DMAE_DESC_DST, d->dst);
    stl_le_p(raw + DMAE_DESC_SRC_NSG, d->src_nsg);
    stl_le_p(raw + DMAE_DESC_DST_NSG, d->dst_nsg);
    stq_le_p(raw + DMAE_DESC_PATTERN, d->pattern);
    stq_le_p(raw + DMAE_DESC_COOKIE, d->cookie);
    qtest_memwrite(f->qts, CH_RING(c) + slot * DMAE_DESC_SIZE, raw,
                   sizeof(raw));
    qtest_memset(f->qts, CH_COMPL(c) + slot * DMAE_COMPL_SIZE, 0,
                 DMAE_COMPL_SIZE);
}

void compl_get(Fixture *f, unsigned c, uint32_t n, Compl *cp)
{
    uint8_t raw[DMAE_COMPL_SIZE];
    uint32_t i;

    qtest_memread(f->qts, CH_COMPL(c) + ch_slot(f, c, n) * DMAE_COMPL_SIZE,
                  raw, sizeof(raw));
    cp->cookie = ldq_le_p(raw + DMAE_COMPL_COOKIE);
    cp->bytes = ldl_le_p(raw + DMAE_COMPL_BYTES);
    cp->result = ldl_le_p(raw + DMAE_COMPL_RESULT);
    cp->fault_addr = ldq_le_p(raw + DMAE_COMPL_FAULT_ADDR);
    cp->status = raw[DMAE_COMPL_STATUS];
    for (i = DMAE_COMPL_STATUS + 1; i < DMAE_COMPL_SIZE; i++) {
        g_assert_cmphex(raw[i], ==, 0);
    }
}

void sg_put(Fixture *f, uint64_t addr, const uint64_t *addrs,
            const uint32_t *lens, unsigned n)
{
    uint8_t raw[DMAE_SG_SIZE];
    unsigned i;

    for (i = 0; i < n; i++) {
        memset(raw, 0, sizeof(raw));
        stq_le_p(raw, addrs[i]);
        stl_le_p(raw + 8, lens[i]);
        qtest_memwrite(f->qts, addr + i * DMAE_SG_SIZE, raw, sizeof(raw));
    }
}

void ch_submit(Fixture *f, unsigned c, uint32_t tail)
{
    ch_wr32(f, c, DMAE_CH_TAIL, tail);
}

void ch_wait_head(Fixture *f, unsigned c, uint32_t head)
{
    gint64 end = g_get_monotonic_time() + TIMEOUT_US;

    while (ch_rd32(f, c, DMAE_CH_HEAD) != head) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(100);
    }
}

void ch_wait_busy(Fixture *f, unsigned c)
{
    gint64 end = g_get_monotonic_time() + TIMEOUT_US;

    while (!(ch_rd32(f, c, DMAE_CH_STATUS) & DMAE_CHSTS_BUSY)) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(100);
    }
}

void ch_wait_idle(Fixture *f, unsigned c)
{
    gint64 end = g_get_monotonic_time() + TIMEOUT_US;

    while (ch_rd32(f, c, DMAE_CH_STATUS) & DMAE_CHSTS_BUSY) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(100);
    }
}

/* Run descriptor number @n alone and return its completion status. */
uint32_t ch_run(Fixture *f, unsigned c, uint32_t n, const Desc *d,
                Compl *cp)
{
    desc_put(f, c, n, d);
    ch_submit(f, c, n + 1);
    ch_wait_head(f, c, n + 1);
    compl_get(f, c, n, cp);
    g_assert_cmphex(cp->cookie, ==, d->cookie);
    return cp->status;
}

void ecam_enable(Fixture *f)
{
    QPCIDevice *mch = qpci_device_find(f->bus, 0);

    g_assert_nonnull(mch);
    qpci_config_writel(mch, 0x64, 0);
    qpci_config_writel(mch, 0x60, Q35_ECAM_BASE | 1);
    g_free(mch);
    /* the window works: our vendor ID reads through it */
    g_assert_cmphex(qtest_readw(f->qts, OUR_ECAM + PCI_VENDOR_ID), ==,
                    DMAE_PCI_VENDOR_ID);
}
