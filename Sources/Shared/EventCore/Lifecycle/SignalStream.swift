import Foundation
import Synchronization

/// SIGTERM and SIGINT as an `AsyncStream`.
///
/// A `sigaction` handler writes the signal number to a pipe (the self-pipe trick: `write` is async-signal-safe)
/// and a small thread turns the pipe's bytes into stream elements. This works whichever thread the kernel picks:
/// DispatchSource signal sources were measured to miss signals here, because libdispatch blocks a signal only in
/// the thread that registers the source and `dispatchMain()` resets the main thread's mask, so the kernel
/// delivered SIGTERM to a thread whose handler discarded it.
public enum SignalStream {
    public static func termination() -> AsyncStream<Int32> {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else {
            // Only when the file table is exhausted at start-up.
            fatalError("cannot create the signal pipe: \(String(cString: strerror(errno)))")
        }
        let readEnd = descriptors[0]
        signalPipeWriter.store(descriptors[1])
        for number in [SIGTERM, SIGINT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = forwardSignal
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(number, &action, nil)
        }
        let reader = Thread {
            nameCurrentThread("signals")
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) == 1 {
                continuation.yield(Int32(byte))
            }
            continuation.finish()
        }
        reader.start()
        return stream
    }

    public static func name(of number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        default: "signal \(number)"
        }
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
