#include "trace/trace-hw_dma_engine.h"
