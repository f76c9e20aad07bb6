/* SPDX-License-Identifier: MIT */
/* libdmae internals shared by its source files. */
#ifndef LIBDMAE_INTERNAL_H
#define LIBDMAE_INTERNAL_H

#include "libdmae.h"

/* Publish prepared entries; returns how many the kernel has not taken. */
unsigned dmae_sq_flush(struct dmae_ring *ring);

#endif
