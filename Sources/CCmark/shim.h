#ifndef TRAILPACK_CCMARK_SHIM_H
#define TRAILPACK_CCMARK_SHIM_H
#include <cmark.h>
#endif
