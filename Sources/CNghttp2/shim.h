#ifndef EVENTGRPC_CNGHTTP2_SHIM_H
#define EVENTGRPC_CNGHTTP2_SHIM_H

#include <nghttp2/nghttp2.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

/// The HTTP/2 server's event loops drive nghttp2 sessions with epoll: the Linux calls they need, which Swift's
/// Glibc module does not import (and `struct epoll_event` is packed), flattened to plain integers.
static const uint32_t eventgrpc_epoll_in = EPOLLIN;
static const uint32_t eventgrpc_epoll_out = EPOLLOUT;
static const uint32_t eventgrpc_epoll_hangup = EPOLLHUP | EPOLLERR | EPOLLRDHUP;

static inline int eventgrpc_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

/// `operation`: 0 adds, 1 modifies, 2 removes `descriptor`; `token` comes back with its events.
static inline int eventgrpc_epoll_control(int epoll, int operation, int descriptor, uint32_t events,
                                          uint64_t token) {
    static const int operations[] = {EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL};
    struct epoll_event event;
    event.events = events;
    event.data.u64 = token;
    return epoll_ctl(epoll, operations[operation % 3], descriptor, &event);
}

/// Waits up to `timeout` ms (-1: until woken) for at most `capacity` (at most 256) ready descriptors: their tokens
/// and events go to the two arrays; returns how many, or -1 with errno.
static inline int eventgrpc_epoll_wait(int epoll, uint64_t *tokens, uint32_t *events, int capacity, int timeout) {
    struct epoll_event ready[256];
    if (capacity > 256) capacity = 256;
    int count = epoll_wait(epoll, ready, capacity, timeout);
    for (int index = 0; index < count; index++) {
        tokens[index] = ready[index].data.u64;
        events[index] = ready[index].events;
    }
    return count;
}

/// A non-blocking, close-on-exec eventfd: other threads write to it to wake a loop.
static inline int eventgrpc_eventfd(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

/// The data source union as a pointer, typed for Swift.
static inline nghttp2_data_provider eventgrpc_nghttp2_data_provider(void *source,
                                                                    nghttp2_data_source_read_callback callback) {
    nghttp2_data_provider provider;
    provider.source.ptr = source;
    provider.read_callback = callback;
    return provider;
}

#endif
