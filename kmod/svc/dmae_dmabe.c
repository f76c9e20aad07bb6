// SPDX-License-Identifier: GPL-2.0
/*
 * dma-engine copy service: the dmaengine backend. Any dmaengine channel
 * with DMA_MEMCPY (Intel I/OAT or DSA, AMD PTDMA, a PCIe endpoint's DMA,
 * or our own device's dmaengine channels) runs the service's copies: each
 * job becomes one dmaengine_prep_dma_memcpy() per contiguous pair of
 * source and destination pieces. FILL (an 8-byte pattern; DMA_MEMSET
 * takes one byte), COMPARE and COPY_CRC32C have no dmaengine operation:
 * they are refused (dmae_uring_params.ops says so).
 *
 * Which channels: the `dma_channels` parameter, like dmatest's channel=
 * and device=: a comma-separated list of "all" (every memcpy channel no
 * one holds), "dmaN" (those of one provider) or "dmaNchanM". The channels
 * are requested with dma_request_channel(), so they are the service's
 * alone: no other client can terminate their work. The channels of one
 * provider are one backend, /dev/dmae_dmaN; user memory is mapped for the
 * provider's device, so the IOMMU domain is the provider's.
 *
 * Several engines as one: an item of the list made of names joined by
 * "+" ("dma0+dma1", "all+" for every free channel) is a group, one
 * backend /dev/dmae_groupK (K counting the groups from 0) over channels
 * of several providers, so that one context can spread its work over all
 * of them (I/OAT has one channel per PCI function). Each channel's jobs
 * are mapped for its own provider's device (dmae_be.devs, chan_devi):
 * the service maps a request for the channel it picks, and registered
 * buffers for every provider of the group. Any member's driver going
 * away takes the whole group away.
 *
 * dmaengine does not tell a client that a provider goes away; the driver
 * core does: a notifier on the provider's bus hears that its driver is
 * about to be unbound, and the backend is quiesced (requests in flight
 * finish, the files fail with ENODEV from then on) and its channels given
 * back while the provider still runs.
 */

#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dmae_cdev.h"

/* Channels one backend takes at most (a context's issue mask is a long) */
#define DMAE_DMABE_MAX_CHANS	BITS_PER_LONG
/* SG pieces one side of a job may have */
#define DMAE_DMABE_MAX_SG	256

struct dmae_dmabe;

/**
 * struct dmae_dmabe_chan - one dmaengine channel of the backend
 * @db: its backend
 * @chan: the dmaengine channel, held exclusively
 * @lock: protects @backlog and @inflight
 * @backlog: jobs submitted, not yet wholly handed to the provider
 * @inflight: provider descriptors submitted, not yet called back
 * @max_piece: longest descriptor the provider takes
 */
struct dmae_dmabe_chan {
	struct dmae_dmabe *db;
	struct dma_chan *chan;
	spinlock_t lock;	/* backlog, inflight */
	struct list_head backlog;
	unsigned int inflight;
	u32 max_piece;
};

/**
 * struct dmae_dmabe_dev - a provider some of whose channels a backend holds
 * @db: the backend
 * @provider: the provider; not to be touched once @db is gone
 * @dev: the provider's device, referenced
 * @nb: hears of @dev's driver going (on @dev's bus)
 */
struct dmae_dmabe_dev {
	struct dmae_dmabe *db;
	struct dma_device *provider;
	struct device *dev;
	struct notifier_block nb;
};

/**
 * struct dmae_dmabe - dmaengine channels as a service backend: those of
 *	one provider, or of a group's providers
 * @be: the backend
 * @node: in dmae_dmabe_list
 * @group: the group's number, or -1 for the channels of one provider
 * @lock: serialises dmae_dmabe_stop() and the registration with the
 *	service: the bus notifiers take it, never dmae_dmabe_mutex (a
 *	notifier runs under its bus's notifier lock, which registering a
 *	notifier under dmae_dmabe_mutex takes: lockdep found that circle)
 * @gone: the backend was quiesced and its channels given back
 * @ndev: entries of @devs
 * @devs: the providers, in the order their first channel was taken
 * @be_devs: their devices, for dmae_be.devs
 * @chan_devi: for each channel, its provider's index in @devs
 * @nchan: entries of @chans
 * @chans: the channels
 */
struct dmae_dmabe {
	struct dmae_be be;
	struct list_head node;
	int group;
	struct mutex lock;	/* stop, registration */
	bool gone;
	unsigned int ndev;
	struct dmae_dmabe_dev devs[DMAE_BE_MAX_DEVS];
	struct device *be_devs[DMAE_BE_MAX_DEVS];
	u8 chan_devi[DMAE_DMABE_MAX_CHANS];
	unsigned int nchan;
	struct dmae_dmabe_chan chans[DMAE_DMABE_MAX_CHANS];
};

/* dma_channels: the backends, and the parameter's value */
static DEFINE_MUTEX(dmae_dmabe_mutex);
static LIST_HEAD(dmae_dmabe_list);
static char dmae_dmabe_param[256];
static bool dmae_dmabe_ready;

static dma_addr_t dmae_dmabe_seg(const struct dmae_seg *segs,
				 unsigned int n, unsigned int i,
				 dma_addr_t addr, u32 *len, u32 job_len)
{
	if (!n) {
		*len = job_len;
		return addr;
	}
	*len = segs[i].len;
	return segs[i].addr;
}

static int dmae_dmabe_errno(enum dmaengine_tx_result r)
{
	switch (r) {
	case DMA_TRANS_NOERROR:
		return 0;
	case DMA_TRANS_READ_FAILED:
	case DMA_TRANS_WRITE_FAILED:
		return -EFAULT;
	case DMA_TRANS_ABORTED:
		return -ECANCELED;
	default:
		return -EIO;
	}
}

static void dmae_dmabe_push(struct dmae_dmabe_chan *c);

/* A job is over once it is wholly handed on and every piece is back. */
static void dmae_dmabe_put_job(struct dmae_job *job)
{
	if (atomic_dec_and_test(&job->be_pending))
		job->done(job);
}

static void dmae_dmabe_piece_done(void *param,
				  const struct dmaengine_result *res)
{
	struct dmae_job *job = param;
	struct dmae_dmabe_chan *c = job->be_priv;
	int err = dmae_dmabe_errno(res->result);
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	c->inflight--;
	if (err && !job->status)
		job->status = err;
	spin_unlock_irqrestore(&c->lock, flags);
	dmae_dmabe_put_job(job);
	/* A descriptor is free again: hand on what waited for one. */
	dmae_dmabe_push(c);
}

/*
 * Hand on the next piece of @job: the longest run contiguous on both
 * sides, within what the provider takes. @c->lock held. Returns 1 if a
 * piece was submitted, 0 if the provider has no descriptor free, or a
 * negative errno the job fails with.
 */
static int dmae_dmabe_piece(struct dmae_dmabe_chan *c, struct dmae_job *job)
{
	struct dma_async_tx_descriptor *tx;
	dma_addr_t src, dst;
	u32 slen, dlen, n;
	dma_cookie_t cookie;

	dst = dmae_dmabe_seg(job->dst_segs, job->dst_nsegs, job->be_di,
			     job->dst_addr, &dlen, job->len);
	src = dmae_dmabe_seg(job->src_segs, job->src_nsegs, job->be_si,
			     job->src_addr, &slen, job->len);
	n = min3(dlen - job->be_doff, slen - job->be_soff, c->max_piece);
	n = min(n, job->len - job->be_pos);
	if (!is_dma_copy_aligned(c->chan->device, src + job->be_soff,
				 dst + job->be_doff, n))
		return -EINVAL;
	/* every piece calls back: a provider may skip callbacks without it */
	tx = dmaengine_prep_dma_memcpy(c->chan, dst + job->be_doff,
				       src + job->be_soff, n,
				       DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	if (!tx)
		return 0;
	tx->callback_result = dmae_dmabe_piece_done;
	tx->callback_param = job;
	atomic_inc(&job->be_pending);
	c->inflight++;
	cookie = dmaengine_submit(tx);
	if (dma_submit_error(cookie)) {
		c->inflight--;
		atomic_dec(&job->be_pending);
		return -EIO;
	}
	job->be_pos += n;
	job->be_doff += n;
	if (job->be_doff == dlen) {
		job->be_di++;
		job->be_doff = 0;
	}
	job->be_soff += n;
	if (job->be_soff == slen) {
		job->be_si++;
		job->be_soff = 0;
	}
	return 1;
}

/*
 * Hand the backlog to the provider, piece by piece, in order; then issue.
 * A job whose piece the provider refuses with nothing of ours in flight
 * (so no callback will come to retry) fails with -EIO: the provider is
 * out of memory or its channel is gone.
 */
static void dmae_dmabe_push(struct dmae_dmabe_chan *c)
{
	struct dmae_job *job, *tmp;
	unsigned long flags;
	bool issued = false;
	LIST_HEAD(over);

	spin_lock_irqsave(&c->lock, flags);
	list_for_each_entry_safe(job, tmp, &c->backlog, node) {
		int ret = 1;

		while (job->be_pos < job->len && ret > 0) {
			ret = dmae_dmabe_piece(c, job);
			issued |= ret > 0;
		}
		/* out of descriptors: a callback will come and push again */
		if (!ret && c->inflight)
			break;
		if (ret <= 0 && !job->status)
			job->status = ret ?: -EIO;
		list_move_tail(&job->node, &over);
	}
	spin_unlock_irqrestore(&c->lock, flags);
	if (issued)
		dma_async_issue_pending(c->chan);
	/* Wholly handed on, or failed: drop the handing-on reference. */
	list_for_each_entry_safe(job, tmp, &over, node) {
		list_del(&job->node);
		dmae_dmabe_put_job(job);
	}
}

static bool dmae_dmabe_job_ok(const struct dmae_job *job)
{
	u64 s = 0, d = 0;
	unsigned int i;

	if (!job->len || job->src_sgt || job->dst_sgt ||
	    job->op != DMAE_JOB_COPY)
		return false;
	if (job->src_nsegs > DMAE_DMABE_MAX_SG ||
	    job->dst_nsegs > DMAE_DMABE_MAX_SG)
		return false;
	for (i = 0; i < job->src_nsegs; i++) {
		if (!job->src_segs[i].len)
			return false;
		s += job->src_segs[i].len;
	}
	for (i = 0; i < job->dst_nsegs; i++) {
		if (!job->dst_segs[i].len)
			return false;
		d += job->dst_segs[i].len;
	}
	return (!job->src_nsegs || s == job->len) &&
	       (!job->dst_nsegs || d == job->len);
}

static int dmae_dmabe_submit(struct dmae_be *be, unsigned int chan,
			     struct dmae_job *job)
{
	struct dmae_dmabe *db = container_of(be, struct dmae_dmabe, be);
	struct dmae_dmabe_chan *c;
	unsigned long flags;

	if (chan >= db->nchan)
		return -EINVAL;
	c = &db->chans[chan];
	if (!dmae_dmabe_job_ok(job))
		return -EINVAL;
	job->status = 0;
	job->hw_err = 0;
	job->bytes = 0;
	job->result = 0;
	job->fault_addr = 0;
	job->be_priv = c;
	job->be_si = 0;
	job->be_di = 0;
	job->be_soff = 0;
	job->be_doff = 0;
	job->be_pos = 0;
	/* the handing-on reference, dropped by dmae_dmabe_push() */
	atomic_set(&job->be_pending, 1);
	spin_lock_irqsave(&c->lock, flags);
	list_add_tail(&job->node, &c->backlog);
	spin_unlock_irqrestore(&c->lock, flags);
	return 0;
}

static void dmae_dmabe_issue(struct dmae_be *be, unsigned int chan)
{
	struct dmae_dmabe *db = container_of(be, struct dmae_dmabe, be);

	if (chan < db->nchan)
		dmae_dmabe_push(&db->chans[chan]);
}

static const struct dmae_be_ops dmae_dmabe_ops = {
	.submit = dmae_dmabe_submit,
	.issue = dmae_dmabe_issue,
};

/* Quiesce one backend and give its channels back (@db->lock held). */
static void dmae_dmabe_stop(struct dmae_dmabe *db)
{
	unsigned int i;

	lockdep_assert_held(&db->lock);
	if (db->gone)
		return;
	db->gone = true;
	if (db->be.ud)
		dmae_svc_unregister(&db->be);
	for (i = 0; i < db->nchan; i++) {
		dmaengine_synchronize(db->chans[i].chan);
		dma_release_channel(db->chans[i].chan);
	}
}

/* Let go of one backend (dmae_dmabe_mutex held). */
static void dmae_dmabe_free(struct dmae_dmabe *db)
{
	unsigned int i;

	/* after this no notifier call for @db runs, nor is running */
	for (i = 0; i < db->ndev; i++)
		if (db->devs[i].nb.notifier_call)
			bus_unregister_notifier(db->devs[i].dev->bus,
						&db->devs[i].nb);
	mutex_lock(&db->lock);
	dmae_dmabe_stop(db);
	mutex_unlock(&db->lock);
	for (i = 0; i < db->ndev; i++)
		put_device(db->devs[i].dev);
	mutex_destroy(&db->lock);
	kfree(db);
}

/* A provider's driver is about to be unbound: let go while it runs. */
static int dmae_dmabe_bus_event(struct notifier_block *nb,
				unsigned long action, void *data)
{
	struct dmae_dmabe_dev *d = container_of(nb, struct dmae_dmabe_dev, nb);
	struct dmae_dmabe *db = d->db;

	if (action != BUS_NOTIFY_UNBIND_DRIVER || data != d->dev)
		return NOTIFY_DONE;
	mutex_lock(&db->lock);
	dmae_dmabe_stop(db);
	mutex_unlock(&db->lock);
	return NOTIFY_OK;
}

static void dmae_dmabe_free_all(void)
{
	struct dmae_dmabe *db, *tmp;

	list_for_each_entry_safe(db, tmp, &dmae_dmabe_list, node) {
		list_del(&db->node);
		dmae_dmabe_free(db);
	}
}

/* A channel the token names: "all", "dmaN" or "dmaNchanM" */
static bool dmae_dmabe_filter(struct dma_chan *chan, void *param)
{
	const char *tok = param, *name = dma_chan_name(chan);
	size_t len = strlen(tok);

	if (!strcmp(tok, "all"))
		return true;
	if (strstr(tok, "chan"))
		return !strcmp(name, tok);
	return !strncmp(name, tok, len) && !strncmp(name + len, "chan", 4);
}

/* The backend of one provider's channels, if there is one */
static struct dmae_dmabe *dmae_dmabe_find(struct dma_device *provider)
{
	struct dmae_dmabe *db;

	list_for_each_entry(db, &dmae_dmabe_list, node)
		if (!db->gone && db->group < 0 && db->devs[0].provider == provider)
			return db;
	return NULL;
}

static struct dmae_dmabe *dmae_dmabe_new(int group)
{
	struct dmae_dmabe *db = kzalloc(sizeof(*db), GFP_KERNEL);

	if (!db)
		return NULL;
	db->group = group;
	mutex_init(&db->lock);
	list_add_tail(&db->node, &dmae_dmabe_list);
	return db;
}

/* Add @chan to backend @db, and its provider if it is a new one. */
static int dmae_dmabe_add(struct dmae_dmabe *db, struct dma_chan *chan)
{
	struct dma_device *provider = chan->device;
	struct dmae_dmabe_chan *c;
	unsigned int i;

	for (i = 0; i < db->ndev; i++)
		if (db->devs[i].provider == provider)
			break;
	if (db->nchan == DMAE_DMABE_MAX_CHANS ||
	    (i == db->ndev && i == DMAE_BE_MAX_DEVS))
		return -E2BIG;
	if (i == db->ndev) {
		db->devs[i].db = db;
		db->devs[i].provider = provider;
		db->devs[i].dev = get_device(provider->dev);
		db->be_devs[i] = db->devs[i].dev;
		db->ndev++;
	}
	db->chan_devi[db->nchan] = i;
	c = &db->chans[db->nchan++];
	c->db = db;
	c->chan = chan;
	spin_lock_init(&c->lock);
	INIT_LIST_HEAD(&c->backlog);
	c->max_piece = min_t(unsigned int, dma_get_max_seg_size(provider->dev),
			     SZ_1G);
	return 0;
}

static int dmae_dmabe_start(struct dmae_dmabe *db)
{
	struct dmae_be *be = &db->be;
	char name[24];
	unsigned int i;
	int ret;

	/* all that is read of the providers, read while their channels are held */
	be->ops = &dmae_dmabe_ops;
	be->owner = THIS_MODULE;
	be->dma_dev = db->devs[0].dev;
	be->ndev = db->ndev;
	be->devs = db->be_devs;
	be->chan_devi = db->chan_devi;
	be->parent = db->devs[0].dev;
	be->kind = "dmaengine";
	be->nchan = db->nchan;
	be->ops_mask = BIT(DMAE_JOB_COPY);
	be->max_len = SZ_1G;
	be->max_sg = DMAE_DMABE_MAX_SG;
	be->node = dev_to_node(db->devs[0].dev);
	for (i = 1; i < db->ndev; i++)
		if (dev_to_node(db->devs[i].dev) != be->node)
			be->node = NUMA_NO_NODE;
	if (db->group < 0)
		snprintf(name, sizeof(name), "dmae_dma%d",
			 db->devs[0].provider->dev_id);
	else
		snprintf(name, sizeof(name), "dmae_group%d", db->group);

	for (i = 0; i < db->ndev; i++) {
		struct dmae_dmabe_dev *d = &db->devs[i];

		if (!d->dev->bus)
			continue;
		d->nb.notifier_call = dmae_dmabe_bus_event;
		ret = bus_register_notifier(d->dev->bus, &d->nb);
		if (ret) {
			d->nb.notifier_call = NULL;
			return ret;
		}
	}
	/* a provider may have gone since its notifier was registered */
	mutex_lock(&db->lock);
	ret = db->gone ? -ENODEV : dmae_svc_register(be, name);
	mutex_unlock(&db->lock);
	return ret;
}

/*
 * Request every free memcpy channel that the name @tok selects, into
 * @group (or, with @group NULL, each into its provider's backend).
 * Return: channels taken, or a negative errno.
 */
static int dmae_dmabe_take_one(char *tok, struct dmae_dmabe *group)
{
	bool all = !strcmp(tok, "all"), one = !!strstr(tok, "chan");
	dma_cap_mask_t mask;
	int got = 0, ret;

	if (!all && strncmp(tok, "dma", 3))
		return -EINVAL;
	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	for (;;) {
		struct dmae_dmabe *db = group;
		struct dma_chan *chan;

		chan = dma_request_channel(mask, dmae_dmabe_filter, tok);
		if (!chan)
			break;
		if (!db)
			db = dmae_dmabe_find(chan->device) ?: dmae_dmabe_new(-1);
		ret = db ? dmae_dmabe_add(db, chan) : -ENOMEM;
		if (ret) {
			dma_release_channel(chan);
			return ret;
		}
		got++;
		if (one)
			break;
	}
	/* all of none is none; a name that matches nothing is wrong */
	return !got && !all ? -ENODEV : got;
}

/* Take the channels @spec names (dmae_dmabe_mutex held). */
static int dmae_dmabe_take(char *spec)
{
	struct dmae_dmabe *db, *tmp;
	int ngroups = 0, ret = 0;
	char *item;

	while ((item = strsep(&spec, ",")) && ret >= 0) {
		struct dmae_dmabe *group = NULL;
		char *tok;

		if (!*item)
			continue;
		if (!strchr(item, '+')) {
			ret = dmae_dmabe_take_one(item, NULL);
			continue;
		}
		group = dmae_dmabe_new(ngroups++);
		if (!group)
			return -ENOMEM;
		while ((tok = strsep(&item, "+")) && ret >= 0)
			if (*tok)
				ret = dmae_dmabe_take_one(tok, group);
	}
	if (ret < 0)
		return ret;
	list_for_each_entry_safe(db, tmp, &dmae_dmabe_list, node) {
		/* a group of "all+" when no channel was free */
		if (!db->nchan) {
			list_del(&db->node);
			dmae_dmabe_free(db);
			continue;
		}
		ret = dmae_dmabe_start(db);
		if (ret)
			return ret;
	}
	return 0;
}

/* Let go of the channels taken, and take those @val names. */
static int dmae_dmabe_apply(const char *val)
{
	char *copy, *spec;
	int ret;

	copy = kstrdup(val, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	spec = strim(copy);
	/* The old set goes first: its work finishes, its channels go back. */
	dmae_dmabe_free_all();
	dmae_dmabe_param[0] = 0;
	strscpy(dmae_dmabe_param, spec, sizeof(dmae_dmabe_param));
	ret = dmae_dmabe_take(spec);
	if (ret) {
		dmae_dmabe_free_all();
		dmae_dmabe_param[0] = 0;
	}
	kfree(copy);
	return ret;
}

/*
 * Written at load time (before dmae_dmabe_init()) the value is only kept;
 * written later it takes effect at once and the write fails if it cannot.
 */
static int dmae_dmabe_param_set(const char *val, const struct kernel_param *kp)
{
	int ret = 0;

	if (strlen(val) >= sizeof(dmae_dmabe_param))
		return -ENOSPC;
	mutex_lock(&dmae_dmabe_mutex);
	if (dmae_dmabe_ready)
		ret = dmae_dmabe_apply(val);
	else
		strscpy(dmae_dmabe_param, val, sizeof(dmae_dmabe_param));
	mutex_unlock(&dmae_dmabe_mutex);
	return ret;
}

static int dmae_dmabe_param_get(char *buf, const struct kernel_param *kp)
{
	int ret;

	mutex_lock(&dmae_dmabe_mutex);
	ret = sysfs_emit(buf, "%s\n", dmae_dmabe_param);
	mutex_unlock(&dmae_dmabe_mutex);
	return ret;
}

static const struct kernel_param_ops dmae_dmabe_param_ops = {
	.set = dmae_dmabe_param_set,
	.get = dmae_dmabe_param_get,
};
module_param_cb(dma_channels, &dmae_dmabe_param_ops, NULL, 0600);
MODULE_PARM_DESC(dma_channels,
		 "dmaengine channels the service takes: all, dmaN, dmaNchanM (comma-separated; empty: none); names joined by + are one group, /dev/dmae_groupK");

/**
 * dmae_dmabe_init() - take the channels the module was loaded with
 *
 * Return: 0 or a negative errno (a name that matches no channel).
 */
int dmae_dmabe_init(void)
{
	int ret = 0;

	mutex_lock(&dmae_dmabe_mutex);
	dmae_dmabe_ready = true;
	if (dmae_dmabe_param[0])
		ret = dmae_dmabe_apply(dmae_dmabe_param);
	mutex_unlock(&dmae_dmabe_mutex);
	return ret;
}

/**
 * dmae_dmabe_exit() - give every dmaengine channel back
 *
 * At module unload: each backend's requests finish first.
 */
void dmae_dmabe_exit(void)
{
	mutex_lock(&dmae_dmabe_mutex);
	dmae_dmabe_free_all();
	mutex_unlock(&dmae_dmabe_mutex);
}
