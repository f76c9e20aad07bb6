/*
 * QTest for the dma-engine: the paths the other qtests leave out, found by
 * measuring their coverage (scripts/device-coverage.sh, docs/coverage.md).
 * Properties refused at realize; hot-unplug, idle and in the middle of a
 * copy; every kind of guest error logged; registers at the other access
 * width; ABORT and TAIL on idle and halted channels; x-workers=off with
 * interrupts and more than one batch; SG lists and ranges that wrap;
 * FILL, COMPARE and COPY_CRC32C faults and aborts; a reset while a
 * descriptor waits out its latency; the coalescing timer re-armed;
 * ENABLE cleared with descriptors queued; realize where the machine has
 * no MSI; DMA with an IOMMU present.
 *
 * Copyright (c) 2026 The dma-engine authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/pci/pci_regs.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qjson.h"
#include "dma-engine-qtest.h"

#define DONE(err)       (DMAE_CS_DONE | (err))

/*
 * A PCIe root port with native hot-plug (ACPI hot-plug off), so that a
 * device below it can be removed by powering its slot off, at once.
 */
#define PORT_ARGS       "-global ICH9-LPC.acpi-pci-hotplug-with-bridge-" \
                        "support=off -device pcie-root-port,id=rp0," \
                        "addr=05.0,chassis=1 "
#define PORT_DEVFN      QPCI_DEVFN(5, 0)
#define PORT_BUS        1
/* Bus 1, device 0: libqos puts the bus number above devfn */
#define BELOW_DEVFN     (PORT_BUS << 8)

/*
 * Start QEMU with the arguments @fmt; with @devfn >= 0, find the
 * dma-engine there, enable it and map its BAR0.
 */
static void G_GNUC_PRINTF(3, 4) start(Fixture *f, int devfn,
                                      const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    f->qts = qtest_vinitf(fmt, ap);
    va_end(ap);
    f->bus = qpci_new_pc(f->qts, NULL);
    f->dev = NULL;
    if (devfn >= 0) {
        f->dev = qpci_device_find(f->bus, devfn);
        g_assert_nonnull(f->dev);
        qpci_device_enable(f->dev);
        f->bar = qpci_iomap(f->dev, 0, NULL);
    }
}

static void stop(Fixture *f)
{
    if (f->dev) {
        fixture_stop(f);
        return;
    }
    qpci_free_pc(f->bus);
    qtest_quit(f->qts);
}

/* The root port's PCIe capability */
static uint8_t port_exp_cap(QPCIDevice *port)
{
    uint8_t cap;

    for (cap = qpci_config_readb(port, PCI_CAPABILITY_LIST); cap;
         cap = qpci_config_readb(port, cap + PCI_CAP_LIST_NEXT)) {
        if (qpci_config_readb(port, cap) == PCI_CAP_ID_EXP) {
            return cap;
        }
    }
    g_assert_not_reached();
}

/*
 * Number the root port's secondary bus and open its memory window over
 * libqos's BAR space (0xe0000000 up), as firmware would.
 */
static QPCIDevice *port_open(Fixture *f)
{
    QPCIDevice *port = qpci_device_find(f->bus, PORT_DEVFN);

    g_assert_nonnull(port);
    qpci_config_writeb(port, PCI_PRIMARY_BUS, 0);
    qpci_config_writeb(port, PCI_SECONDARY_BUS, PORT_BUS);
    qpci_config_writeb(port, PCI_SUBORDINATE_BUS, PORT_BUS);
    qpci_config_writew(port, PCI_MEMORY_BASE, 0xe000);
    qpci_config_writew(port, PCI_MEMORY_LIMIT, 0xeff0);
    qpci_config_writew(port, PCI_PREF_MEMORY_BASE, 0xfff0);
    qpci_config_writew(port, PCI_PREF_MEMORY_LIMIT, 0);
    qpci_config_writew(port, PCI_COMMAND,
                       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    return port;
}

/* Wait for the DEVICE_DELETED event of device @id. */
static void wait_deleted(QTestState *qts, const char *id)
{
    for (;;) {
        QDict *rsp = qtest_qmp_eventwait_ref(qts, "DEVICE_DELETED");
        QDict *data = qdict_get_qdict(rsp, "data");
        bool ours = data && qdict_haskey(data, "device") &&
                    !strcmp(qdict_get_str(data, "device"), id);

        qobject_unref(rsp);
        if (ours) {
            return;
        }
    }
}

/* device_add a dma-engine below the port; returns the error or NULL. */
static char *device_add(QTestState *qts, const char *id, const char *props)
{
    QDict *args = qobject_to(QDict, qobject_from_json(props, &error_abort));
    QDict *rsp;
    char *err = NULL;

    qdict_put_str(args, "driver", "dma-engine");
    qdict_put_str(args, "bus", "rp0");
    qdict_put_str(args, "id", id);
    rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments': %p}", args);
    if (qdict_haskey(rsp, "error")) {
        err = g_strdup(qdict_get_str(qdict_get_qdict(rsp, "error"), "desc"));
    }
    qobject_unref(rsp);
    return err;
}

/* Each property check of realize, then a good device added and removed. */
static void test_bad_properties(void)
{
    static const struct {
        const char *props;
        const char *what;
    } bad[] = {
        { "{'buf-size': 2048}", "buf-size" },
        { "{'buf-size': 12288}", "buf-size" },
        { "{'buf-size': 134217728}", "buf-size" },
        { "{'max-transfer': 0}", "max-transfer" },
        { "{'channels': 0}", "channels" },
        { "{'channels': 17}", "channels" },
        { "{'ring-max': 1}", "ring-max" },
        { "{'ring-max': 100}", "ring-max" },
        { "{'ring-max': 131072}", "ring-max" },
        { "{'x-workers': false, 'latency-ns': 1}", "x-workers=on" },
        { "{'x-workers': false, 'bandwidth-mbps': 1}", "x-workers=on" },
        { "{'max-sg': 0}", "max-sg" },
        { "{'max-sg': 4097}", "max-sg" },
        { "{'buf-size': 4096, 'max-sg': 257}", "max-sg" },
    };
    Fixture f;
    char *err;
    size_t i;

    start(&f, -1, "-machine q35 -nodefaults -m %u " PORT_ARGS,
          (unsigned)(RAM_SIZE / MiB));
    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        err = device_add(f.qts, "bad", bad[i].props);
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(err, "dma-engine: "));
        g_assert_nonnull(strstr(err, bad[i].what));
        g_free(err);
    }
    /*
     * The limits themselves are fine. The slot is empty, hence powered
     * off: device_del removes the device at once, without the guest.
     */
    g_assert_null(device_add(f.qts, "good",
                             "{'buf-size': 4096, 'max-sg': 256, "
                             "'channels': 16, 'ring-max': 65536, "
                             "'x-workers': false, 'msix': false}"));
    qtest_qmp_device_del_send(f.qts, "good");
    wait_deleted(f.qts, "good");
    stop(&f);
}

/*
 * Unplug while a channel copies: the device goes at once, its workers
 * end, and no byte lands afterwards. At 4 MB/s the copy moves 1 MiB a
 * quarter of a second, the first at once.
 */
static void test_unplug_mid_copy(void)
{
    const size_t span = 4 * MiB;
    Desc big = {
        .op = DMAE_OP_COPY, .len = BIG_LEN, .src = SRC_ADDR,
        .dst = DST_ADDR, .cookie = 1,
    };
    g_autofree uint8_t *a = g_malloc(span);
    g_autofree uint8_t *b = g_malloc(span);
    gint64 end = g_get_monotonic_time() + TIMEOUT_US;
    QPCIDevice *port;
    uint8_t exp;
    uint16_t ctl;
    Fixture f;

    start(&f, -1, "-machine q35 -nodefaults -m %u " PORT_ARGS
          "-device dma-engine,bus=rp0,id=dmae0,bandwidth-mbps=4",
          (unsigned)(RAM_SIZE / MiB));
    port = port_open(&f);
    f.dev = qpci_device_find(f.bus, BELOW_DEVFN);
    g_assert_nonnull(f.dev);
    qpci_device_enable(f.dev);
    f.bar = qpci_iomap(f.dev, 0, NULL);
    g_assert_cmphex(rd32(&f, DMAE_REG_ID), ==, DMAE_ID_MAGIC);

    qtest_memset(f.qts, SRC_ADDR, 0x5a, span);
    poison(&f, DST_ADDR, span);
    ch_setup(&f, 0, 8);
    desc_put(&f, 0, 0, &big);
    ch_submit(&f, 0, 1);
    /* the copy runs, through the port: its first bytes have landed */
    while (qtest_readb(f.qts, DST_ADDR) != 0x5a) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(1000);
    }

    /* the guest powers the slot off: the device is removed */
    exp = port_exp_cap(port);
    ctl = qpci_config_readw(port, exp + PCI_EXP_SLTCTL);
    ctl = (ctl & ~PCI_EXP_SLTCTL_PIC) | PCI_EXP_SLTCTL_PWR_IND_OFF |
          PCI_EXP_SLTCTL_PCC;
    qpci_config_writew(port, exp + PCI_EXP_SLTCTL, ctl);
    wait_deleted(f.qts, "dmae0");
    g_assert_cmphex(qpci_config_readw(f.dev, PCI_VENDOR_ID), ==, 0xffff);

    /* had the copy gone on, 2 MiB more would land in this time */
    qtest_memread(f.qts, DST_ADDR, a, span);
    g_assert_cmphex(a[span - 1], ==, 0xa5);
    g_usleep(600 * 1000);
    qtest_memread(f.qts, DST_ADDR, b, span);
    g_assert(memcmp(a, b, span) == 0);
    g_assert_cmphex(qtest_readb(f.qts, CH_COMPL(0) + DMAE_COMPL_STATUS), ==,
                    0);
    g_free(port);
    g_free(f.dev);
    f.dev = NULL;
    stop(&f);
}

/* Poll until the seed block is done; clear and return its status. */
static uint64_t seed_copy(Fixture *f, uint64_t src, uint64_t dst,
                          uint32_t len)
{
    gint64 end = g_get_monotonic_time() + TIMEOUT_US;
    uint64_t sts;

    wr64(f, DMAE_SEED_SRC, src);
    wr64(f, DMAE_SEED_DST, dst);
    wr64(f, DMAE_SEED_LEN, (uint64_t)len << DMAE_SEED_LEN_SHIFT);
    wr64(f, DMAE_SEED_CTRL, DMAE_CTRL_START);
    while (!((sts = rd64(f, DMAE_SEED_CTRL)) & DMAE_STS_DONE)) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(100);
    }
    wr64(f, DMAE_SEED_CTRL, DMAE_STS_DONE | DMAE_STS_ERROR |
         DMAE_STS_START_IGNORED);
    return sts;
}

static void wait_halted(Fixture *f, unsigned c)
{
    gint64 end = g_get_monotonic_time() + TIMEOUT_US;

    while (!(ch_rd32(f, c, DMAE_CH_STATUS) & DMAE_CHSTS_HALTED)) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(100);
    }
}

/* The channel error of STATUS */
static uint32_t chan_err(Fixture *f, unsigned c)
{
    return (ch_rd32(f, c, DMAE_CH_STATUS) & DMAE_CHSTS_ERR_MASK) >>
           DMAE_CHSTS_ERR_SHIFT;
}

/* IRQ_STATUS.ERROR, raised by a bottom half a moment after a halt */
static void wait_irq_error(Fixture *f)
{
    gint64 end = g_get_monotonic_time() + TIMEOUT_US;

    while (!(rd32(f, DMAE_REG_IRQ_STATUS) & DMAE_IRQ_ERROR)) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(100);
    }
    wr32(f, DMAE_REG_IRQ_STATUS, DMAE_IRQ_ERROR);
}

/* With -d guest_errors, each kind of guest error is logged, and how. */
static void test_guest_error_log(void)
{
    static const char *const want[] = {
        "read of unknown register 0x800",
        "write to read-only register 0x0",
        "write to unknown register 0x800",
        "copy of 0 bytes refused, error 1",
        "DMA read fault at 0x7ff000000000 after 0 bytes",
        "DMA write fault at 0x7ff000000000 after 0 bytes",
        "START while a copy runs; ignored",
        "channel 1: DMA fault 4 at 0x7ff000000000",
        "channel 1: register 0x0 written while enabled; ignored",
        "channel 1: HEAD is read-only",
        "channel 1: write to 0x28 ignored",
        "channel 1 halted, error 3 (0x64)",
        "channel 1: TAIL written while halted",
    };
    Desc d = {
        .op = DMAE_OP_COPY, .len = 64, .src = UNMAPPED_ADDR,
        .dst = DST_ADDR,
    };
    g_autofree char *log = NULL;
    g_autofree char *text = NULL;
    Compl cp;
    Fixture f;
    size_t i;
    int fd;

    fd = g_file_open_tmp("dma-engine-log-XXXXXX", &log, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    /* 300 ms before each copy starts: time to write START again */
    start(&f, DEVFN, "-machine q35 -nodefaults -m %u -d guest_errors -D %s "
          "-device dma-engine,addr=04.0,latency-ns=300000000",
          (unsigned)(RAM_SIZE / MiB), log);
    rd64(&f, 0x800);
    wr32(&f, DMAE_REG_ID, 0);
    wr32(&f, 0x800, 0);
    g_assert_true(seed_copy(&f, SRC_ADDR, DST_ADDR, 0) & DMAE_STS_ERROR);
    g_assert_true(seed_copy(&f, UNMAPPED_ADDR, DST_ADDR, 64) &
                  DMAE_STS_ERROR);
    g_assert_true(seed_copy(&f, SRC_ADDR, UNMAPPED_ADDR, 64) &
                  DMAE_STS_ERROR);
    wr64(&f, DMAE_SEED_LEN, 64ULL << DMAE_SEED_LEN_SHIFT);
    wr64(&f, DMAE_SEED_CTRL, DMAE_CTRL_START);
    g_assert_true(seed_copy(&f, SRC_ADDR, DST_ADDR, 64) &
                  DMAE_STS_START_IGNORED);

    ch_setup(&f, 1, 8);
    g_assert_cmphex(ch_run(&f, 1, 0, &d, &cp), ==, DONE(DMAE_ERR_READ));
    wr64(&f, ch_reg(1, DMAE_CH_RING_BASE), 0);
    ch_wr32(&f, 1, DMAE_CH_HEAD, 0);
    wr64(&f, ch_reg(1, DMAE_CH_ERR_ADDR), 0);
    ch_submit(&f, 1, 100);
    wait_halted(&f, 1);
    ch_submit(&f, 1, 2);
    fixture_stop(&f);

    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    unlink(log);
    for (i = 0; i < ARRAY_SIZE(want); i++) {
        if (!strstr(text, want[i])) {
            g_test_message("not logged: '%s'; the log follows", want[i]);
            g_test_message("%s", text);
            g_assert_not_reached();
        }
    }
}

/* The channel registers at the other width, and the ones that are not. */
static void test_chan_register_words(void)
{
    Desc nop = { .op = DMAE_OP_NOP, .cookie = 3 };
    uint32_t size;
    Compl cp;
    Fixture f;

    fixture_start(&f, "");
    /* past the last register of a block: reads 0, writes are dropped */
    g_assert_cmphex(rd64(&f, ch_reg(0, DMAE_CH_END)), ==, 0);
    wr32(&f, ch_reg(4, DMAE_CH_RING_SIZE), 8);      /* no channel 4 */
    g_assert_cmphex(rd32(&f, ch_reg(4, DMAE_CH_RING_SIZE)), ==, 0);
    wr64(&f, ch_reg(0, DMAE_CH_ERR_ADDR), 0x1234);
    g_assert_cmphex(rd64(&f, ch_reg(0, DMAE_CH_ERR_ADDR)), ==, 0);
    /* STATUS is read-only; COAL beside it is not */
    wr64(&f, ch_reg(0, DMAE_CH_STATUS), 0x0000000700000007ULL);
    g_assert_cmphex(rd64(&f, ch_reg(0, DMAE_CH_STATUS)), ==, 7ULL << 32);
    ch_wr32(&f, 0, DMAE_CH_STATUS, 0xffffffff);
    g_assert_cmphex(rd64(&f, ch_reg(0, DMAE_CH_STATUS)), ==, 7ULL << 32);
    ch_wr32(&f, 0, DMAE_CH_COAL, 0);

    /* RING_SIZE and TAIL in one 64-bit write: the size is locked ... */
    ch_setup(&f, 0, 8);
    desc_put(&f, 0, 0, &nop);
    wr64(&f, ch_reg(0, DMAE_CH_RING_SIZE), 1ULL << 32 | 16);
    ch_wait_head(&f, 0, 1);
    g_assert_cmpuint(ch_rd32(&f, 0, DMAE_CH_RING_SIZE), ==, 8);
    compl_get(&f, 0, 0, &cp);
    g_assert_cmphex(cp.status, ==, DMAE_CS_DONE);
    /* ... and HEAD with CTRL: HEAD ignored, RESET done */
    wr64(&f, ch_reg(0, DMAE_CH_HEAD), (uint64_t)DMAE_CHCTRL_RESET << 32 | 5);
    g_assert_cmpuint(ch_rd32(&f, 0, DMAE_CH_HEAD), ==, 0);
    g_assert_cmphex(ch_rd32(&f, 0, DMAE_CH_STATUS), ==, 0);
    /* disabled, both halves of RING_SIZE's word take */
    wr64(&f, ch_reg(0, DMAE_CH_RING_SIZE), 16);
    g_assert_cmpuint(ch_rd32(&f, 0, DMAE_CH_RING_SIZE), ==, 16);

    /* ring sizes below 2 */
    for (size = 0; size < 2; size++) {
        ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_RESET);
        ch_wr32(&f, 0, DMAE_CH_RING_SIZE, size);
        ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_ENABLE);
        wait_halted(&f, 0);
        g_assert_cmpuint(chan_err(&f, 0), ==, DMAE_CHERR_RING_SIZE);
        g_assert_cmphex(rd64(&f, ch_reg(0, DMAE_CH_ERR_ADDR)), ==, size);
    }
    fixture_stop(&f);
}

/* ABORT of an idle and of a halted channel; TAIL of a halted one. */
static void test_abort_idle_and_halted(void)
{
    Fixture f;

    fixture_start(&f, "");
    ch_setup(&f, 2, 8);
    ch_wr32(&f, 2, DMAE_CH_CTRL, DMAE_CHCTRL_ABORT | DMAE_CHCTRL_ENABLE);
    g_assert_cmphex(ch_rd32(&f, 2, DMAE_CH_STATUS), ==,
                    DMAE_CHSTS_ENABLED | DMAE_CHSTS_HALTED |
                    DMAE_CHERR_ABORTED << DMAE_CHSTS_ERR_SHIFT);
    wait_irq_error(&f);
    /* halted: ABORT again changes nothing, signals nothing */
    ch_wr32(&f, 2, DMAE_CH_CTRL, DMAE_CHCTRL_ABORT | DMAE_CHCTRL_ENABLE);
    g_usleep(10 * 1000);
    g_assert_cmphex(rd32(&f, DMAE_REG_IRQ_STATUS), ==, 0);
    g_assert_cmpuint(chan_err(&f, 2), ==, DMAE_CHERR_ABORTED);
    /* TAIL is dropped, HEAD stays */
    ch_submit(&f, 2, 1);
    g_assert_cmpuint(ch_rd32(&f, 2, DMAE_CH_TAIL), ==, 0);
    g_assert_cmpuint(ch_rd32(&f, 2, DMAE_CH_HEAD), ==, 0);
    fixture_stop(&f);
}

/*
 * x-workers=off: more descriptors than one main-loop batch, each with an
 * interrupt, which the main loop raises itself.
 */
static void test_main_loop_batches(void)
{
    const uint32_t n = 2 * 16 + 3;
    Fixture f;
    Compl cp;
    uint32_t i;

    fixture_start(&f, ",x-workers=off");
    msix_enable(&f, 5);
    ch_setup(&f, 0, 64);
    fill(&f, SRC_ADDR, n * 4096, 1);
    poison(&f, DST_ADDR - GUARD, n * 4096 + 2 * GUARD);
    for (i = 0; i < n; i++) {
        Desc d = {
            .op = DMAE_OP_COPY, .flags = DMAE_DF_IRQ, .len = 4096,
            .src = SRC_ADDR + i * 4096, .dst = DST_ADDR + i * 4096,
            .cookie = i,
        };

        desc_put(&f, 0, i, &d);
    }
    ch_submit(&f, 0, n);
    ch_wait_head(&f, 0, n);
    for (i = 0; i < n; i++) {
        compl_get(&f, 0, i, &cp);
        g_assert_cmphex(cp.status, ==, DMAE_CS_DONE);
    }
    assert_copied(&f, SRC_ADDR, DST_ADDR, n * 4096);
    g_assert_cmphex(msg_wait(&f, 0), ==, MSI_DATA);

    /* a fetch fault halts the channel: the batch stops there */
    ch_wr32(&f, 1, DMAE_CH_CTRL, DMAE_CHCTRL_RESET);
    wr64(&f, ch_reg(1, DMAE_CH_RING_BASE), UNMAPPED_ADDR);
    wr64(&f, ch_reg(1, DMAE_CH_COMPL_BASE), CH_COMPL(1));
    ch_wr32(&f, 1, DMAE_CH_RING_SIZE, 8);
    ch_wr32(&f, 1, DMAE_CH_CTRL, DMAE_CHCTRL_ENABLE);
    ch_submit(&f, 1, 3);
    wait_halted(&f, 1);
    g_assert_cmpuint(chan_err(&f, 1), ==, DMAE_CHERR_DESC_READ);
    g_assert_cmpuint(ch_rd32(&f, 1, DMAE_CH_HEAD), ==, 0);
    fixture_stop(&f);
}

/* Lists and ranges whose end wraps past 2^64 */
static void test_wrapping_ranges(void)
{
    struct {
        Desc d;
        uint8_t err;
    } cases[] = {
        /* an SG list whose own end wraps */
        { { .op = DMAE_OP_COPY, .flags = DMAE_DF_SRC_SG, .len = 100,
            .src = 0xfffffffffffffff0ULL, .src_nsg = 2, .dst = DST_ADDR },
          DMAE_ERR_OVERFLOW },
        { { .op = DMAE_OP_COPY, .flags = DMAE_DF_DST_SG, .len = 100,
            .src = SRC_ADDR, .dst = 0xffffffffffffffe0ULL, .dst_nsg = 3 },
          DMAE_ERR_OVERFLOW },
        /* a flat destination, for FILL (no source) */
        { { .op = DMAE_OP_FILL, .len = 4096, .dst = 0xfffffffffffff800ULL },
          DMAE_ERR_OVERFLOW },
    };
    Fixture f;
    Compl cp;
    uint64_t sts;
    size_t i;

    fixture_start(&f, "");
    ch_setup(&f, 0, 8);
    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        poison(&f, DST_ADDR, 4096);
        cases[i].d.cookie = i;
        g_assert_cmphex(ch_run(&f, 0, i, &cases[i].d, &cp), ==,
                        DONE(cases[i].err));
        g_assert_cmpuint(cp.bytes, ==, 0);
        assert_untouched(&f, DST_ADDR, 4096);
    }
    /* the seed block: either end wrapping is refused */
    sts = seed_copy(&f, 0xfffffffffffff000ULL, DST_ADDR, 8192);
    g_assert_true(sts & DMAE_STS_ERROR);
    g_assert_cmpuint(rd32(&f, DMAE_SEED_ERR), ==, DMAE_ERR_OVERFLOW);
    sts = seed_copy(&f, SRC_ADDR, 0xfffffffffffff000ULL, 8192);
    g_assert_true(sts & DMAE_STS_ERROR);
    g_assert_cmpuint(rd32(&f, DMAE_SEED_ERR), ==, DMAE_ERR_OVERFLOW);
    g_assert_cmpuint(rd32(&f, DMAE_SEED_BYTES), ==, 0);
    fixture_stop(&f);
}

/* FILL, COPY_CRC32C and COMPARE faults, each naming its address */
static void test_op_faults(void)
{
    Fixture f;
    Compl cp;
    Desc d;

    /* COMPARE's halves of the buffer are 8 KiB: a side crosses in one */
    fixture_start(&f, ",buf-size=16384");
    ch_setup(&f, 0, 8);
    d = (Desc) { .op = DMAE_OP_FILL, .len = 100, .cookie = 1,
                 .dst = UNMAPPED_ADDR + 0x3000, .pattern = 1 };
    g_assert_cmphex(ch_run(&f, 0, 0, &d, &cp), ==, DONE(DMAE_ERR_WRITE));
    g_assert_cmphex(cp.fault_addr, ==, UNMAPPED_ADDR + 0x3000);

    /* staged through the buffer: the CRC is begun, then the write fails */
    fill(&f, SRC_ADDR, 5000, 4);
    d = (Desc) { .op = DMAE_OP_COPY_CRC32C, .len = 5000, .cookie = 2,
                 .src = SRC_ADDR, .dst = UNMAPPED_ADDR + 0x4010 };
    g_assert_cmphex(ch_run(&f, 0, 1, &d, &cp), ==, DONE(DMAE_ERR_WRITE));
    g_assert_cmphex(cp.fault_addr, ==, UNMAPPED_ADDR + 0x4010);
    g_assert_cmpuint(cp.bytes, ==, 0);

    /* a side that runs off the end of RAM: the fault names its first byte */
    d = (Desc) { .op = DMAE_OP_COMPARE, .len = 8192, .cookie = 3,
                 .src = RAM_SIZE - 4096, .dst = DST_ADDR };
    g_assert_cmphex(ch_run(&f, 0, 2, &d, &cp), ==, DONE(DMAE_ERR_READ));
    g_assert_cmphex(cp.fault_addr, ==, RAM_SIZE);
    d = (Desc) { .op = DMAE_OP_COMPARE, .len = 8192, .cookie = 4,
                 .src = SRC_ADDR, .dst = RAM_SIZE - 4096 };
    g_assert_cmphex(ch_run(&f, 0, 3, &d, &cp), ==, DONE(DMAE_ERR_READ));
    g_assert_cmphex(cp.fault_addr, ==, RAM_SIZE);
    fixture_stop(&f);
}

/* ABORT in the middle of a FILL and of a COMPARE (at 1 MB/s) */
static void test_abort_fill_compare(void)
{
    static const Desc ops[] = {
        { .op = DMAE_OP_FILL, .len = BIG_LEN, .dst = DST_ADDR, .cookie = 1 },
        { .op = DMAE_OP_COMPARE, .len = BIG_LEN, .src = SRC_ADDR,
          .dst = DST_ADDR, .cookie = 2 },
    };
    Fixture f;
    Compl cp;
    size_t i;

    fixture_start(&f, ",bandwidth-mbps=1");
    for (i = 0; i < ARRAY_SIZE(ops); i++) {
        ch_setup(&f, 0, 8);
        desc_put(&f, 0, 0, &ops[i]);
        ch_submit(&f, 0, 1);
        ch_wait_busy(&f, 0);
        ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_ABORT | DMAE_CHCTRL_ENABLE);
        ch_wait_head(&f, 0, 1);
        compl_get(&f, 0, 0, &cp);
        g_assert_cmphex(cp.status, ==, DONE(DMAE_ERR_ABORTED));
        g_assert_cmpuint(cp.bytes, <, BIG_LEN);
        wait_halted(&f, 0);
    }
    fixture_stop(&f);
}

/*
 * A RESET while a descriptor waits out its latency: the SG list it reads
 * next is not read (the access sees the reset), and nothing completes.
 */
static void test_reset_during_latency(void)
{
    static const uint64_t a[] = { SRC_ADDR };
    static const uint32_t l[] = { 100 };
    Desc d = {
        .op = DMAE_OP_COPY, .flags = DMAE_DF_SRC_SG, .len = 100,
        .src = SG_ADDR, .src_nsg = 1, .dst = DST_ADDR, .cookie = 5,
    };
    Fixture f;
    Compl cp;

    fixture_start(&f, ",latency-ns=2000000000");
    sg_put(&f, SG_ADDR, a, l, 1);
    poison(&f, DST_ADDR, 4096);
    ch_setup(&f, 0, 8);
    desc_put(&f, 0, 0, &d);
    ch_submit(&f, 0, 1);
    ch_wait_busy(&f, 0);
    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_RESET);
    ch_wait_idle(&f, 0);
    g_usleep(20 * 1000);
    compl_get(&f, 0, 0, &cp);
    g_assert_cmphex(cp.status, ==, 0);
    g_assert_cmpuint(ch_rd32(&f, 0, DMAE_CH_HEAD), ==, 0);
    assert_untouched(&f, DST_ADDR, 4096);
    fixture_stop(&f);
}

/*
 * The coalescing timer, armed by one completion, is not armed again by
 * the next; the channel going idle flushes both.
 */
static void test_coalescing_timer_rearm(void)
{
    Desc d = { .op = DMAE_OP_NOP, .flags = DMAE_DF_IRQ };
    Fixture f;
    uint32_t i;

    fixture_start(&f, ",latency-ns=100000000");
    msix_enable(&f, 5);
    ch_setup(&f, 0, 8);
    ch_wr32(&f, 0, DMAE_CH_COAL, 1000 << DMAE_COAL_USEC_SHIFT | 100);
    for (i = 0; i < 3; i++) {
        desc_put(&f, 0, i, &d);
    }
    ch_submit(&f, 0, 3);
    ch_wait_head(&f, 0, 2);
    /* the virtual clock stands still: the timer has not run */
    g_assert_cmphex(msg_read(&f, 0), ==, 0);
    ch_wait_head(&f, 0, 3);
    g_assert_cmphex(msg_wait(&f, 0), ==, MSI_DATA);
    fixture_stop(&f);
}

/*
 * Clearing ENABLE lets the running descriptor finish and stops fetching;
 * setting it again goes on. 200 ms a descriptor.
 */
static void test_disable_mid_ring(void)
{
    Desc d = { .op = DMAE_OP_NOP };
    Fixture f;
    uint32_t i;

    fixture_start(&f, ",latency-ns=200000000");
    ch_setup(&f, 0, 8);
    for (i = 0; i < 3; i++) {
        d.cookie = i;
        desc_put(&f, 0, i, &d);
    }
    ch_submit(&f, 0, 3);
    ch_wait_busy(&f, 0);
    ch_wr32(&f, 0, DMAE_CH_CTRL, 0);
    ch_wait_head(&f, 0, 1);
    ch_wait_idle(&f, 0);
    g_usleep(300 * 1000);
    g_assert_cmpuint(ch_rd32(&f, 0, DMAE_CH_HEAD), ==, 1);
    g_assert_cmphex(ch_rd32(&f, 0, DMAE_CH_STATUS), ==, 0);
    ch_wr32(&f, 0, DMAE_CH_CTRL, DMAE_CHCTRL_ENABLE);
    ch_wait_head(&f, 0, 3);
    fixture_stop(&f);
}

/*
 * Run QEMU with an APIC-less CPU, whose machine offers neither MSI nor
 * MSI-X, and a dma-engine with @props; return its stderr. QEMU always
 * exits: if the dma-engine is realized, the device after it is not.
 */
static char *run_without_msi(const char *props)
{
    g_autofree char *dev = g_strdup_printf("dma-engine%s", props);
    const char *argv[] = {
        getenv("QTEST_QEMU_BINARY"), "-machine", "q35", "-cpu",
        "qemu64,-apic", "-nodefaults", "-display", "none", "-accel",
        "qtest", "-S", "-device", dev, "-device", "no-such-device", NULL,
    };
    char *err;
    int status;

    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL,
                               G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &err, &status, NULL));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    return err;
}

/* Realize fails cleanly where MSI or MSI-X cannot work; INTx alone can. */
static void test_no_msi_controller(void)
{
    char *err;

    err = run_without_msi("");
    g_assert_nonnull(strstr(err, "MSI is not supported"));
    g_assert_null(strstr(err, "no-such-device"));
    g_free(err);
    err = run_without_msi(",msi=off");
    g_assert_nonnull(strstr(err, "MSI-X is not supported"));
    g_assert_null(strstr(err, "no-such-device"));
    g_free(err);
    err = run_without_msi(",msi=off,msix=off");
    g_assert_nonnull(strstr(err, "'no-such-device' is not a valid device"));
    g_free(err);
}

/* A bandwidth far above the host's: the model never waits. */
static void test_bandwidth_unreached(void)
{
    Desc d = {
        .op = DMAE_OP_COPY, .len = 4 * MiB, .src = SRC_ADDR,
        .dst = DST_ADDR, .cookie = 6,
    };
    Fixture f;
    Compl cp;

    fixture_start(&f, ",bandwidth-mbps=4000000000");
    fill(&f, SRC_ADDR, 4 * MiB, 8);
    poison(&f, DST_ADDR - GUARD, 4 * MiB + 2 * GUARD);
    ch_setup(&f, 0, 8);
    g_assert_cmphex(ch_run(&f, 0, 0, &d, &cp), ==, DMAE_CS_DONE);
    assert_copied(&f, SRC_ADDR, DST_ADDR, 4 * MiB);
    fixture_stop(&f);
}

/*
 * An intel-iommu present (its translation off, as before a guest turns
 * it on): every access is translated under the BQL, and works.
 */
static void test_iommu_present(void)
{
    Desc d = {
        .op = DMAE_OP_COPY, .len = 70000, .src = SRC_ADDR,
        .dst = DST_ADDR, .cookie = 7,
    };
    Fixture f;
    Compl cp;
    uint64_t sts;

    start(&f, DEVFN, "-machine q35 -nodefaults -m %u -device intel-iommu "
          "-device dma-engine,addr=04.0,buf-size=8192",
          (unsigned)(RAM_SIZE / MiB));
    fill(&f, SRC_ADDR, 70000, 2);
    poison(&f, DST_ADDR - GUARD, 70000 + 2 * GUARD);
    sts = seed_copy(&f, SRC_ADDR, DST_ADDR, 70000);
    g_assert_false(sts & DMAE_STS_ERROR);
    assert_copied(&f, SRC_ADDR, DST_ADDR, 70000);

    ch_setup(&f, 0, 8);
    poison(&f, DST_ADDR - GUARD, 70000 + 2 * GUARD);
    g_assert_cmphex(ch_run(&f, 0, 0, &d, &cp), ==, DMAE_CS_DONE);
    assert_copied(&f, SRC_ADDR, DST_ADDR, 70000);
    d.src = UNMAPPED_ADDR;
    g_assert_cmphex(ch_run(&f, 0, 1, &d, &cp), ==, DONE(DMAE_ERR_READ));
    g_assert_cmphex(cp.fault_addr, ==, UNMAPPED_ADDR);
    stop(&f);

    /* x-workers=off: on the main loop, which holds the BQL already */
    start(&f, DEVFN, "-machine q35 -nodefaults -m %u -device intel-iommu "
          "-device dma-engine,addr=04.0,x-workers=off",
          (unsigned)(RAM_SIZE / MiB));
    poison(&f, DST_ADDR - GUARD, 70000 + 2 * GUARD);
    sts = seed_copy(&f, SRC_ADDR, DST_ADDR, 70000);
    g_assert_false(sts & DMAE_STS_ERROR);
    assert_copied(&f, SRC_ADDR, DST_ADDR, 70000);
    ch_setup(&f, 0, 8);
    d.src = SRC_ADDR;
    poison(&f, DST_ADDR - GUARD, 70000 + 2 * GUARD);
    g_assert_cmphex(ch_run(&f, 0, 0, &d, &cp), ==, DMAE_CS_DONE);
    assert_copied(&f, SRC_ADDR, DST_ADDR, 70000);
    stop(&f);
}

/*
 * ATS: the capability at 0x100; Enable follows config writes, a system
 * reset clears it, and copies work whatever it says. The intel-iommu has
 * device IOTLBs but its translation is off, so the cache gets no IOMMU
 * region to cache for (the guest suite has one with translation on).
 */
static void test_ats(void)
{
    Desc d = {
        .op = DMAE_OP_COPY, .len = 70000, .src = SRC_ADDR,
        .dst = DST_ADDR, .cookie = 9,
    };
    Fixture f;
    Compl cp;

    start(&f, DEVFN, "-machine q35 -nodefaults -m %u "
          "-device intel-iommu,device-iotlb=on -device dma-engine,addr=04.0",
          (unsigned)(RAM_SIZE / MiB));
    ecam_enable(&f);
    g_assert_cmphex(qtest_readw(f.qts, OUR_ECAM + 0x100), ==, 0x000f);
    g_assert_cmphex(qtest_readw(f.qts, OUR_ECAM + 0x106), ==, 0);
    qtest_writew(f.qts, OUR_ECAM + 0x106, 0x8000);
    g_assert_cmphex(qtest_readw(f.qts, OUR_ECAM + 0x106), ==, 0x8000);

    fill(&f, SRC_ADDR, 70000, 4);
    poison(&f, DST_ADDR - GUARD, 70000 + 2 * GUARD);
    ch_setup(&f, 0, 8);
    g_assert_cmphex(ch_run(&f, 0, 0, &d, &cp), ==, DMAE_CS_DONE);
    assert_copied(&f, SRC_ADDR, DST_ADDR, 70000);

    /* bus mastering off and on again with ATS enabled */
    qpci_config_writew(f.dev, PCI_COMMAND, PCI_COMMAND_MEMORY);
    qpci_device_enable(f.dev);

    qobject_unref(qtest_qmp(f.qts, "{ 'execute': 'system_reset' }"));
    qtest_qmp_eventwait(f.qts, "RESET");
    ecam_enable(&f);
    g_assert_cmphex(qtest_readw(f.qts, OUR_ECAM + 0x106), ==, 0);
    qpci_device_enable(f.dev);
    f.bar = qpci_iomap(f.dev, 0, NULL);

    qtest_writew(f.qts, OUR_ECAM + 0x106, 0x8000);
    fill(&f, SRC_ADDR, 70000, 5);
    poison(&f, DST_ADDR - GUARD, 70000 + 2 * GUARD);
    ch_setup(&f, 0, 8);
    g_assert_cmphex(ch_run(&f, 0, 0, &d, &cp), ==, DMAE_CS_DONE);
    assert_copied(&f, SRC_ADDR, DST_ADDR, 70000);
    qtest_writew(f.qts, OUR_ECAM + 0x106, 0);
    g_assert_cmphex(qtest_readw(f.qts, OUR_ECAM + 0x106), ==, 0);
    stop(&f);
}

void dma_engine_cover_tests(void)
{
    qtest_add_func("/dma-engine/cover/ats", test_ats);
    qtest_add_func("/dma-engine/cover/bad-properties", test_bad_properties);
    qtest_add_func("/dma-engine/cover/unplug-mid-copy", test_unplug_mid_copy);
    qtest_add_func("/dma-engine/cover/guest-error-log", test_guest_error_log);
    qtest_add_func("/dma-engine/cover/chan-register-words",
                   test_chan_register_words);
    qtest_add_func("/dma-engine/cover/abort-idle-and-halted",
                   test_abort_idle_and_halted);
    qtest_add_func("/dma-engine/cover/main-loop-batches",
                   test_main_loop_batches);
    qtest_add_func("/dma-engine/cover/wrapping-ranges", test_wrapping_ranges);
    qtest_add_func("/dma-engine/cover/op-faults", test_op_faults);
    qtest_add_func("/dma-engine/cover/abort-fill-compare",
                   test_abort_fill_compare);
    qtest_add_func("/dma-engine/cover/reset-during-latency",
                   test_reset_during_latency);
    qtest_add_func("/dma-engine/cover/coalescing-timer-rearm",
                   test_coalescing_timer_rearm);
    qtest_add_func("/dma-engine/cover/disable-mid-ring",
                   test_disable_mid_ring);
    qtest_add_func("/dma-engine/cover/no-msi-controller",
                   test_no_msi_controller);
    qtest_add_func("/dma-engine/cover/bandwidth-unreached",
                   test_bandwidth_unreached);
    qtest_add_func("/dma-engine/cover/iommu-present", test_iommu_present);
}
