#ifndef EVENTGRPC_COPENSSL_SHIM_H
#define EVENTGRPC_COPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/bn.h>

/// SSL_CTX_set_min_proto_version is a macro: the lowest protocol version a context accepts, typed for Swift.
static inline int eventgrpc_ssl_ctx_set_min_proto_version(SSL_CTX *context, int version) {
    return (int)SSL_CTX_set_min_proto_version(context, version);
}

/// SSL_CTX_set_mode is a macro: adds `mode` bits (SSL_MODE_*) to a context, typed for Swift.
static inline long eventgrpc_ssl_ctx_set_mode(SSL_CTX *context, long mode) {
    return SSL_CTX_set_mode(context, mode);
}

/// The options of every server context, built with macros Swift does not import: no renegotiation (a
/// client-driven CPU cost), no compression (CRIME), and an end of stream without close_notify read as an end of
/// stream (HTTP/2 frames its own messages, so truncation cannot go unnoticed).
static inline uint64_t eventgrpc_ssl_server_options(void) {
    return (uint64_t)(SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
}

/// OPENSSL_free is a macro: frees memory OpenSSL allocated (BN_bn2hex's text), typed for Swift.
static inline void eventgrpc_openssl_free(void *pointer) {
    OPENSSL_free(pointer);
}

#endif
