import Foundation
import Synchronization

/// Signals as `AsyncStream`s: SIGTERM and SIGINT (`termination()`), SIGHUP (`hangup()`).
///
/// A `sigaction` handler writes the signal number to a pipe (the self-pipe trick: `write` is async-signal-safe)
/// and a small thread turns the pipe's bytes into elements of the streams that asked for that signal. This works
/// whichever thread the kernel picks: DispatchSource signal sources were measured to miss signals here, because
/// libdispatch blocks a signal only in the thread that registers the source and `dispatchMain()` resets the main
/// thread's mask, so the kernel delivered SIGTERM to a thread whose handler discarded it.
public enum SignalStream {
    public static func termination() -> AsyncStream<Int32> {
        signalRouter.stream(for: [SIGTERM, SIGINT])
    }

    /// SIGHUP, the operator's "reload" (certificates); once asked for, SIGHUP no longer ends the process.
    public static func hangup() -> AsyncStream<Int32> {
        signalRouter.stream(for: [SIGHUP])
    }

    public static func name(of number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        default: "signal \(number)"
        }
    }
}

/// The one pipe and reader thread every signal stream shares, and which stream wants which signal.
private let signalRouter = SignalRouter()

private final class SignalRouter: Sendable {
    private struct State {
        var readerStarted = false
        var listeners: [Int32: [AsyncStream<Int32>.Continuation]] = [:]
    }

    private let state = Mutex(State())

    func stream(for numbers: [Int32]) -> AsyncStream<Int32> {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        let startReader = state.withLock { state -> Bool in
            for number in numbers { state.listeners[number, default: []].append(continuation) }
            defer { state.readerStarted = true }
            return !state.readerStarted
        }
        if startReader { startReaderThread() }
        for number in numbers {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = forwardSignal
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(number, &action, nil)
        }
        return stream
    }

    private func startReaderThread() {
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else {
            // Only when the file table is exhausted at start-up.
            fatalError("cannot create the signal pipe: \(String(cString: strerror(errno)))")
        }
        let readEnd = descriptors[0]
        signalPipeWriter.store(descriptors[1])
        let reader = Thread { [self] in
            nameCurrentThread("signals")
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) == 1 {
                let number = Int32(byte)
                let listeners = state.withLock { $0.listeners[number] ?? [] }
                for listener in listeners { listener.yield(number) }
            }
            let all = state.withLock { $0.listeners.values.flatMap { $0 } }
            for listener in all { listener.finish() }
        }
        reader.start()
    }
}

/// The write end of the signal pipe, read by the handler (an atomic: the handler may run on any thread).
private let signalPipeWriter = SignalPipeWriter()

private final class SignalPipeWriter: Sendable {
    private let descriptor = Atomic<Int32>(-1)

    func store(_ value: Int32) {
        descriptor.store(value, ordering: .releasing)
    }

    func load() -> Int32 {
        descriptor.load(ordering: .acquiring)
    }
}

private func forwardSignal(_ number: Int32) {
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(signalPipeWriter.load(), &byte, 1)
}
