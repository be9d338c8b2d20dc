#ifndef TRAILPACK_CYAML_SHIM_H
#define TRAILPACK_CYAML_SHIM_H
#include <yaml.h>
#endif
