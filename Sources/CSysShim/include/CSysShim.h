#ifndef TRAILPACK_CSYSSHIM_H
#define TRAILPACK_CSYSSHIM_H
/// Atomically exchanges two paths (renameat2 with RENAME_EXCHANGE).
/// Returns 0 on success, -1 with errno set otherwise.
int trailpack_exchange_paths(const char *a, const char *b);
#endif
