#ifndef TRAILPACK_CSYSSHIM_H
#define TRAILPACK_CSYSSHIM_H
/// Atomically exchanges two paths (renameat2 with RENAME_EXCHANGE).
/// Returns 0 on success, -1 with errno set otherwise.
int trailpack_exchange_paths(const char *a, const char *b);
#include <stddef.h>
/// glibc's memmem (declared only under _GNU_SOURCE): nonzero when `needle` occurs in `haystack`.
int trailpack_contains(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);
#endif
