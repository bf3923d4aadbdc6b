import Dispatch
import Foundation

/// SIGTERM and SIGINT as an `AsyncStream`, read through DispatchSource signal sources.
///
/// On Linux libdispatch reads the signals through a signalfd, so no `SIG_IGN` is set: the sources are
/// created before any service starts, and the signals are theirs from then on.
public enum SignalStream {
    public static func termination() -> AsyncStream<Int32> {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        let queue = DispatchQueue(label: "eventgrpc.signals")
        let sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        let owned = SignalSources(sources)
        continuation.onTermination = { _ in
            queue.async { owned.cancelAll() }
        }
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

/// Keeps the signal sources alive as long as the stream.
private final class SignalSources: @unchecked Sendable {  // cancelled once, on the signal queue only
    private let sources: [any DispatchSourceSignal]

    init(_ sources: [any DispatchSourceSignal]) {
        self.sources = sources
    }

    func cancelAll() {
        sources.forEach { $0.cancel() }
    }
}
