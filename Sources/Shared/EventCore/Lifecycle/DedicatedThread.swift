import Foundation
import Synchronization

/// Runs blocking `body` (an accept loop, a C library's wait) on a new named thread, so that it never occupies a
/// thread of Swift's cooperative pool, and resumes when it returns or throws.
///
/// When the awaiting task is cancelled this returns at once with `CancellationError` and the thread is left to
/// finish by itself (its body must end on its own stop signal, or with the process): a service cancelled at its
/// drain deadline does not hold the process up.
public func runOnDedicatedThread(named name: String, _ body: @escaping @Sendable () throws -> Void) async throws {
    let outcome = ThreadOutcome()
    try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            guard outcome.arm(continuation) else { return }
            let thread = Thread {
                nameCurrentThread(name)
                outcome.finish(Result(catching: body))
            }
            thread.start()
        }
    } onCancel: {
        outcome.finish(.failure(CancellationError()))
    }
}

/// Resumes the awaiting task once: with the thread's result, or with cancellation, whichever comes first.
private final class ThreadOutcome: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Void, any Error>)
        case finished(Result<Void, any Error>)
        case delivered
    }

    private let state = Mutex(State.idle)

    /// Stores the continuation; false (and the continuation resumed) when the outcome is known already.
    func arm(_ continuation: CheckedContinuation<Void, any Error>) -> Bool {
        let early = state.withLock { state -> Result<Void, any Error>? in
            guard case .finished(let result) = state else {
                state = .waiting(continuation)
                return nil
            }
            state = .delivered
            return result
        }
        if let early { continuation.resume(with: early) }
        return early == nil
    }

    func finish(_ result: Result<Void, any Error>) {
        let waiting = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            switch state {
            case .idle:
                state = .finished(result)
                return nil
            case .waiting(let continuation):
                state = .delivered
                return continuation
            case .finished, .delivered:
                return nil
            }
        }
        waiting?.resume(with: result)
    }
}

/// Names the calling thread as `ps`, `top` and debuggers show it (at most 15 bytes on Linux). Set from inside
/// the thread: on Linux a `Thread.name` set before `start()` does not reach the OS thread.
///
/// The kernel's name is written through `/proc/thread-self/comm` as well: Foundation's `Thread.name` setter was
/// seen to leave the kernel's name unset on Linux (the thread kept a libdispatch name), and the kernel's name is
/// what operators see. A thread whose name cannot be written keeps running unnamed: the name is for people only.
public func nameCurrentThread(_ name: String) {
    precondition(name.utf8.count <= 15, "thread names are limited to 15 bytes")
    Thread.current.name = name
    let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    defer { close(descriptor) }
    let bytes = Array(name.utf8)
    _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
}
