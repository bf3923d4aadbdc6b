#ifndef EVENTGRPC_CZLIB_SHIM_H
#define EVENTGRPC_CZLIB_SHIM_H

#include <zlib.h>

/// inflateInit2 is a macro: a gzip-wrapped (RFC 1952) inflate stream, typed for Swift.
static inline int eventgrpc_zlib_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 15 + 16);
}

/// deflateInit2 is a macro: a gzip-wrapped deflate stream at `level`, typed for Swift.
static inline int eventgrpc_zlib_deflate_init_gzip(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

#endif
