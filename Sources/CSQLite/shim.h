#ifndef TRAILPACK_CSQLITE_SHIM_H
#define TRAILPACK_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
