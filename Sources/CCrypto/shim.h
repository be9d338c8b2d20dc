#ifndef TRAILPACK_CCRYPTO_SHIM_H
#define TRAILPACK_CCRYPTO_SHIM_H
/* SHA256_Init/Update/Final are deprecated in OpenSSL 3 but remain supported; they hash with an
 * inline SHA256_CTX (no heap allocation), which the per-line hashing hot path relies on.
 * Suppress only the attribute so Swift imports them without deprecation warnings. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/rand.h>
#endif
