#ifndef EVENTGRPC_CNGHTTP2_SHIM_H
#define EVENTGRPC_CNGHTTP2_SHIM_H

#include <nghttp2/nghttp2.h>
#include <stdint.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

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

/// A lean allocator for one nghttp2 session, so that an idle connection costs little resident memory: blocks of a
/// page or more (the 16 KiB frame buffer, the 4 KiB stream table) are mapped pages of their own, which cost nothing
/// until written, and `eventgrpc_lean_memory_release_frame_buffer` gives the frame buffer's pages back while the
/// connection has nothing to send (nghttp2 rewrites it from the start for every frame). Smaller blocks use malloc.
#define EVENTGRPC_LEAN_BLOCKS 8
typedef struct {
    nghttp2_mem mem;
    void *blocks[EVENTGRPC_LEAN_BLOCKS];
    size_t sizes[EVENTGRPC_LEAN_BLOCKS];
} eventgrpc_lean_memory;

static inline int eventgrpc_lean_find(eventgrpc_lean_memory *lean, void *pointer) {
    if (pointer == NULL) return -1;
    for (int index = 0; index < EVENTGRPC_LEAN_BLOCKS; index++) {
        if (lean->blocks[index] == pointer) return index;
    }
    return -1;
}

static inline void *eventgrpc_lean_malloc(size_t size, void *user) {
    eventgrpc_lean_memory *lean = user;
    if (size >= 4096) {
        int slot;
        for (slot = 0; slot < EVENTGRPC_LEAN_BLOCKS && lean->blocks[slot] != NULL; slot++) {}
        if (slot < EVENTGRPC_LEAN_BLOCKS) {
            void *pages = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (pages == MAP_FAILED) return NULL;
            lean->blocks[slot] = pages;
            lean->sizes[slot] = size;
            return pages;
        }
    }
    return malloc(size);
}

static inline void eventgrpc_lean_free(void *pointer, void *user) {
    eventgrpc_lean_memory *lean = user;
    int slot = eventgrpc_lean_find(lean, pointer);
    if (slot < 0) {
        free(pointer);
        return;
    }
    munmap(pointer, lean->sizes[slot]);
    lean->blocks[slot] = NULL;
    lean->sizes[slot] = 0;
}

static inline void *eventgrpc_lean_calloc(size_t count, size_t size, void *user) {
    if (size != 0 && count > SIZE_MAX / size) return NULL;
    size_t total = count * size;
    if (total >= 4096) {
        void *block = eventgrpc_lean_malloc(total, user);
        // Fresh pages are zero; a block from malloc (every page slot taken) is not.
        if (block != NULL && eventgrpc_lean_find(user, block) < 0) memset(block, 0, total);
        return block;
    }
    return calloc(count, size);
}

static inline void *eventgrpc_lean_realloc(void *pointer, size_t size, void *user) {
    eventgrpc_lean_memory *lean = user;
    int slot = eventgrpc_lean_find(lean, pointer);
    if (slot < 0 && size < 4096) return realloc(pointer, size);
    size_t old = slot >= 0 ? lean->sizes[slot] : (pointer != NULL ? malloc_usable_size(pointer) : 0);
    void *grown = eventgrpc_lean_malloc(size, user);
    if (grown == NULL) return NULL;
    if (pointer != NULL) {
        memcpy(grown, pointer, old < size ? old : size);
        eventgrpc_lean_free(pointer, user);
    }
    return grown;
}

/// A lean allocator to pass to nghttp2_session_server_new3; free it with `eventgrpc_lean_memory_free` after the
/// session was deleted.
static inline eventgrpc_lean_memory *eventgrpc_lean_memory_new(void) {
    eventgrpc_lean_memory *lean = calloc(1, sizeof(eventgrpc_lean_memory));
    if (lean == NULL) return NULL;
    lean->mem.mem_user_data = lean;
    lean->mem.malloc = eventgrpc_lean_malloc;
    lean->mem.free = eventgrpc_lean_free;
    lean->mem.calloc = eventgrpc_lean_calloc;
    lean->mem.realloc = eventgrpc_lean_realloc;
    return lean;
}

static inline nghttp2_mem *eventgrpc_lean_memory_allocator(eventgrpc_lean_memory *lean) {
    return &lean->mem;
}

static inline void eventgrpc_lean_memory_free(eventgrpc_lean_memory *lean) {
    free(lean);
}

/// Gives back the pages of the session's frame buffer (the blocks of 16 KiB or more). Call it only when
/// nghttp2_session_mem_send returned 0 and its last output was written or copied: the buffer's bytes are then
/// dead, and nghttp2 writes every frame from the buffer's start.
static inline void eventgrpc_lean_memory_release_frame_buffer(eventgrpc_lean_memory *lean) {
    for (int index = 0; index < EVENTGRPC_LEAN_BLOCKS; index++) {
        if (lean->blocks[index] != NULL && lean->sizes[index] >= 16384) {
            madvise(lean->blocks[index], lean->sizes[index], MADV_DONTNEED);
        }
    }
}

#endif
