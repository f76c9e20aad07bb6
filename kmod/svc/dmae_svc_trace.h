/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the copy service (events/dmae_svc/ in tracefs): one ring
 * entry's way from the process to the engine and back. docs/tracing.md
 * shows how to read them.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM dmae_svc

#if !defined(_DMAE_SVC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _DMAE_SVC_TRACE_H

#include <linux/tracepoint.h>

/* An entry taken from the SQ (or a URING_CMD): checked, not yet run. */
TRACE_EVENT(dmae_svc_submit,
	    TP_PROTO(u32 ctx, u64 user_data, u8 op, u16 flags, u32 len),
	    TP_ARGS(ctx, user_data, op, flags, len),
	    TP_STRUCT__entry(__field(u32, ctx)
			     __field(u64, user_data)
			     __field(u8, op)
			     __field(u16, flags)
			     __field(u32, len)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->user_data = user_data;
			   __entry->op = op;
			   __entry->flags = flags;
			   __entry->len = len;),
	    TP_printk("ctx=%u user_data=%#llx op=%u flags=%#x len=%u",
		      __entry->ctx, __entry->user_data, __entry->op,
		      __entry->flags, __entry->len)
);

/* User memory pinned and mapped for the engine (ret 0), or why not. */
TRACE_EVENT(dmae_svc_pin,
	    TP_PROTO(u64 uaddr, u32 len, unsigned int npages, int nents, int ret),
	    TP_ARGS(uaddr, len, npages, nents, ret),
	    TP_STRUCT__entry(__field(u64, uaddr)
			     __field(u32, len)
			     __field(unsigned int, npages)
			     __field(int, nents)
			     __field(int, ret)),
	    TP_fast_assign(__entry->uaddr = uaddr;
			   __entry->len = len;
			   __entry->npages = npages;
			   __entry->nents = nents;
			   __entry->ret = ret;),
	    TP_printk("uaddr=%#llx len=%u npages=%u mapped_nents=%d ret=%d",
		      __entry->uaddr, __entry->len, __entry->npages,
		      __entry->nents, __entry->ret)
);

/* The entry's jobs handed to the backend's channel. */
TRACE_EVENT(dmae_svc_jobs,
	    TP_PROTO(u32 ctx, u64 user_data, unsigned int chan,
		     unsigned int njobs, u32 len),
	    TP_ARGS(ctx, user_data, chan, njobs, len),
	    TP_STRUCT__entry(__field(u32, ctx)
			     __field(u64, user_data)
			     __field(unsigned int, chan)
			     __field(unsigned int, njobs)
			     __field(u32, len)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->user_data = user_data;
			   __entry->chan = chan;
			   __entry->njobs = njobs;
			   __entry->len = len;),
	    TP_printk("ctx=%u user_data=%#llx chan=%u jobs=%u len=%u",
		      __entry->ctx, __entry->user_data, __entry->chan,
		      __entry->njobs, __entry->len)
);

/* A small entry done by the CPU instead (cpu_threshold). */
TRACE_EVENT(dmae_svc_cpu,
	    TP_PROTO(u32 ctx, u64 user_data, u8 op, u32 len, s32 res),
	    TP_ARGS(ctx, user_data, op, len, res),
	    TP_STRUCT__entry(__field(u32, ctx)
			     __field(u64, user_data)
			     __field(u8, op)
			     __field(u32, len)
			     __field(s32, res)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->user_data = user_data;
			   __entry->op = op;
			   __entry->len = len;
			   __entry->res = res;),
	    TP_printk("ctx=%u user_data=%#llx op=%u len=%u res=%d",
		      __entry->ctx, __entry->user_data, __entry->op,
		      __entry->len, __entry->res)
);

/* The engine is done with the entry: unmapped and unpinned. */
TRACE_EVENT(dmae_svc_complete,
	    TP_PROTO(u32 ctx, u64 user_data, s32 res, u64 latency_ns),
	    TP_ARGS(ctx, user_data, res, latency_ns),
	    TP_STRUCT__entry(__field(u32, ctx)
			     __field(u64, user_data)
			     __field(s32, res)
			     __field(u64, latency_ns)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->user_data = user_data;
			   __entry->res = res;
			   __entry->latency_ns = latency_ns;),
	    TP_printk("ctx=%u user_data=%#llx res=%d latency_ns=%llu",
		      __entry->ctx, __entry->user_data, __entry->res,
		      __entry->latency_ns)
);

/* A CQE posted; overflow: it went to the overflow ring (CQ full). */
TRACE_EVENT(dmae_svc_cqe,
	    TP_PROTO(u32 ctx, u64 user_data, s32 res, u32 cflags,
		     u32 result, bool overflow),
	    TP_ARGS(ctx, user_data, res, cflags, result, overflow),
	    TP_STRUCT__entry(__field(u32, ctx)
			     __field(u64, user_data)
			     __field(s32, res)
			     __field(u32, cflags)
			     __field(u32, result)
			     __field(bool, overflow)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->user_data = user_data;
			   __entry->res = res;
			   __entry->cflags = cflags;
			   __entry->result = result;
			   __entry->overflow = overflow;),
	    TP_printk("ctx=%u user_data=%#llx res=%d cflags=%#x result=%#x%s",
		      __entry->ctx, __entry->user_data, __entry->res,
		      __entry->cflags, __entry->result,
		      __entry->overflow ? " overflow" : "")
);

#endif /* _DMAE_SVC_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE dmae_svc_trace
#include <trace/define_trace.h>
