/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the dma-engine driver (events/dma_engine/ in tracefs):
 * descriptors written, doorbells, completion records reaped, channel
 * resets. docs/tracing.md shows how to read them.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM dma_engine

#if !defined(_DMAE_HW_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _DMAE_HW_TRACE_H

#include <linux/device.h>
#include <linux/tracepoint.h>

/* Descriptor @cookie (its ring number) written for a job. */
TRACE_EVENT(dmae_hw_desc,
	    TP_PROTO(const struct device *dev, unsigned int chan, u32 cookie,
		     u8 op, u16 flags, u32 len, u32 src_nsg, u32 dst_nsg),
	    TP_ARGS(dev, chan, cookie, op, flags, len, src_nsg, dst_nsg),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(unsigned int, chan)
			     __field(u32, cookie)
			     __field(u8, op)
			     __field(u16, flags)
			     __field(u32, len)
			     __field(u32, src_nsg)
			     __field(u32, dst_nsg)),
	    TP_fast_assign(__assign_str(dev, dev_name(dev));
			   __entry->chan = chan;
			   __entry->cookie = cookie;
			   __entry->op = op;
			   __entry->flags = flags;
			   __entry->len = len;
			   __entry->src_nsg = src_nsg;
			   __entry->dst_nsg = dst_nsg;),
	    TP_printk("%s ch%u cookie=%u op=%u flags=%#x len=%u src_nsg=%u dst_nsg=%u",
		      __get_str(dev), __entry->chan, __entry->cookie, __entry->op,
		      __entry->flags, __entry->len, __entry->src_nsg,
		      __entry->dst_nsg)
);

/* TAIL written: descriptors up to @tail are the engine's. */
TRACE_EVENT(dmae_hw_doorbell,
	    TP_PROTO(const struct device *dev, unsigned int chan, u32 tail,
		     u32 inflight),
	    TP_ARGS(dev, chan, tail, inflight),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(unsigned int, chan)
			     __field(u32, tail)
			     __field(u32, inflight)),
	    TP_fast_assign(__assign_str(dev, dev_name(dev));
			   __entry->chan = chan;
			   __entry->tail = tail;
			   __entry->inflight = inflight;),
	    TP_printk("%s ch%u tail=%u inflight=%u", __get_str(dev),
		      __entry->chan, __entry->tail, __entry->inflight)
);

/* The completion record of descriptor @cookie, as the driver took it. */
TRACE_EVENT(dmae_hw_complete,
	    TP_PROTO(const struct device *dev, unsigned int chan, u32 cookie,
		     int status, u8 hw_err, u32 bytes),
	    TP_ARGS(dev, chan, cookie, status, hw_err, bytes),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(unsigned int, chan)
			     __field(u32, cookie)
			     __field(int, status)
			     __field(u8, hw_err)
			     __field(u32, bytes)),
	    TP_fast_assign(__assign_str(dev, dev_name(dev));
			   __entry->chan = chan;
			   __entry->cookie = cookie;
			   __entry->status = status;
			   __entry->hw_err = hw_err;
			   __entry->bytes = bytes;),
	    TP_printk("%s ch%u cookie=%u status=%d hw_err=%u bytes=%u",
		      __get_str(dev), __entry->chan, __entry->cookie,
		      __entry->status, __entry->hw_err, __entry->bytes)
);

/* A hung or halted channel is aborted and reset; its jobs fail with @err. */
TRACE_EVENT(dmae_hw_reset,
	    TP_PROTO(const struct device *dev, unsigned int chan, int err),
	    TP_ARGS(dev, chan, err),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(unsigned int, chan)
			     __field(int, err)),
	    TP_fast_assign(__assign_str(dev, dev_name(dev));
			   __entry->chan = chan;
			   __entry->err = err;),
	    TP_printk("%s ch%u err=%d", __get_str(dev), __entry->chan,
		      __entry->err)
);

#endif /* _DMAE_HW_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE dmae_hw_trace
#include <trace/define_trace.h>
