#ifndef TRAILPACK_CPOSTGRES_SHIM_H
#define TRAILPACK_CPOSTGRES_SHIM_H
#include <postgresql/libpq-fe.h>
#endif
