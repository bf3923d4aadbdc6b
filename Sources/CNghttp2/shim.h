#ifndef EVENTGRPC_CNGHTTP2_SHIM_H
#define EVENTGRPC_CNGHTTP2_SHIM_H

#include <nghttp2/nghttp2.h>

/// The data source union as a pointer, typed for Swift.
static inline nghttp2_data_provider eventgrpc_nghttp2_data_provider(void *source,
                                                                    nghttp2_data_source_read_callback callback) {
    nghttp2_data_provider provider;
    provider.source.ptr = source;
    provider.read_callback = callback;
    return provider;
}

#endif
