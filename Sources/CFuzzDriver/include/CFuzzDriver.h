#ifndef CFUZZDRIVER_H
#define CFUZZDRIVER_H
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer's driver with `callback` when the binary was linked with libFuzzer
/// (`-sanitize=fuzzer`); returns -1 without it.
int trailpack_fuzz_run_driver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
