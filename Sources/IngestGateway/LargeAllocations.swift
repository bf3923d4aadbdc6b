/// Where the gateway's large buffers (request bodies up to MAX_MESSAGE_BYTES, broker messages) come from: memory
/// mapped for each one and returned to the system as soon as it is freed.
///
/// glibc's default raises its mapping threshold after the first large buffer is freed (up to 32 MiB), after which
/// buffers of a few MiB come from its per-thread arenas and stay in the process once freed: with a connection per
/// thread, 16 arenas could each keep several request bodies, and RSS grew far past MAX_BUFFERED_REQUEST_BYTES
/// (measured: 150 MiB above the baseline with a 32 MiB budget). A fixed threshold keeps RSS near the live bytes.
enum LargeAllocations {
    /// Allocations of this size or more are mapped on their own; smaller ones (almost every call) are untouched.
    static let mappedFrom = 1024 * 1024

    /// `M_MMAP_THRESHOLD` of glibc's `<malloc.h>`.
    static let mmapThresholdOption: Int32 = -3

    static func returnToTheSystemWhenFreed() {
        _ = glibcMallopt(mmapThresholdOption, Int32(mappedFrom))
    }
}

/// glibc's `int mallopt(int param, int value)`: `<malloc.h>` is not part of the Glibc module, and a C module for
/// one function would be more machinery than this declaration of it.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
