import Synchronization

/// Sends one stream's response from any task: whole (`send(_:)`) or in parts as they come (`sendHead`,
/// `sendData`, then `finish`). The connection thread turns the parts into HEADERS, DATA and trailing HEADERS.
///
/// Parts sent after the end, or after the stream closed, are dropped and the call returns false.
public final class HTTP2ResponseWriter: Sendable {
    enum Phase { case idle, streaming, ended }

    struct State {
        var phase = Phase.idle
        var interruption: HTTP2StreamInterruption?
        var waiters: [Int: CheckedContinuation<HTTP2StreamInterruption?, Never>] = [:]
        var nextWaiter = 0
    }

    /// Receives the parts in order; called with the writer's lock held, so it must not call back into the writer.
    private let sink: @Sendable ([HTTP2ResponsePart]) -> Void
    let state = Mutex(State())

    init(sink: @escaping @Sendable ([HTTP2ResponsePart]) -> Void) {
        self.sink = sink
    }

    /// Sends a complete response. With an empty body and no trailers the stream ends with the HEADERS frame.
    @discardableResult
    public func send(_ response: HTTP2Response) -> Bool {
        var parts: [HTTP2ResponsePart] = []
        if response.body.isEmpty && response.trailers.isEmpty {
            parts.append(.head(status: response.status, headers: response.headers, endsStream: true))
        } else {
            parts.append(.head(status: response.status, headers: response.headers, endsStream: false))
            if !response.body.isEmpty { parts.append(.data(response.body)) }
            parts.append(.end(trailers: response.trailers))
        }
        return emit(parts, from: .idle, to: .ended)
    }

    /// Sends the status and headers of a response whose body follows in `sendData` calls.
    @discardableResult
    public func sendHead(status: Int, headers: [HTTPField]) -> Bool {
        emit([.head(status: status, headers: headers, endsStream: false)], from: .idle, to: .streaming)
    }

    /// Sends body bytes after `sendHead`.
    @discardableResult
    public func sendData(_ bytes: [UInt8]) -> Bool {
        emit([.data(bytes)], from: .streaming, to: .streaming)
    }

    /// Ends a response started with `sendHead`, with trailers when there are any.
    @discardableResult
    public func finish(trailers: [HTTPField] = []) -> Bool {
        emit([.end(trailers: trailers)], from: .streaming, to: .ended)
    }

    /// True once the response ended or the stream closed.
    public var isFinished: Bool {
        state.withLock { $0.phase == .ended }
    }

    /// True after `sendHead` and before the end.
    public var isStreaming: Bool {
        state.withLock { $0.phase == .streaming }
    }

    private func emit(_ parts: [HTTP2ResponsePart], from expected: Phase, to next: Phase) -> Bool {
        state.withLock { state in
            guard state.phase != .ended else { return false }
            precondition(state.phase == expected, "response parts out of order: \(parts) in phase \(state.phase)")
            state.phase = next
            sink(parts)
            return true
        }
    }
}
