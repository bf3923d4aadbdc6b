/// The events of a message that could not become rows, why, and a message of their own for the dead-letter queue.
public struct RejectedEvents: Sendable, Equatable {
    /// How many events were refused.
    public var count: Int
    /// How many events the message held.
    public var total: Int
    /// Why, for the first `maximumReasons` refused events (`calls[1].events[3] has no id`).
    public var reasons: [String]
    /// The refused events in the shape of the original message, each under its call's header (and receive time),
    /// copied byte for byte: `{"header":{...},"events":[...]}` or `{"calls":[{"header":...,"receivedAt":...,
    /// "events":[...]}, ...]}`. Replayed from the dead-letter queue once fixed, it decodes as the original did.
    public var body: [UInt8]

    /// How many reasons are kept.
    public static let maximumReasons = 5

    /// The reason for the dead-letter headers: the one reason when one event was refused, else the counts and the
    /// first reasons.
    public var summary: String {
        guard count > 1 else { return reasons.first ?? "" }
        let more = count > reasons.count ? "; ..." : ""
        return "\(count) of \(total) events refused: " + reasons.joined(separator: "; ") + more
    }

    init(_ rejections: [MessageDecoder.Rejection], of total: Int, in message: [UInt8], callsShape: Bool) {
        count = rejections.count
        self.total = total
        reasons = rejections.prefix(Self.maximumReasons).map(\.reason)
        var body: [UInt8] = []
        body.reserveCapacity(rejections.reduce(64) { $0 + $1.event.count + 1 })
        if callsShape {
            RowOutput.raw(#"{"calls":["#, to: &body)
            var index = 0
            while index < rejections.count {
                let call = rejections[index].call
                var end = index
                while end < rejections.count && rejections[end].call == call { end += 1 }
                if index > 0 { body.append(UInt8(ascii: ",")) }
                Self.call(rejections[index..<end], message: message, receivedAt: true, to: &body)
                index = end
            }
            RowOutput.raw("]}", to: &body)
        } else {
            Self.call(rejections[...], message: message, receivedAt: false, to: &body)
        }
        self.body = body
    }

    /// `{"header":...,"receivedAt":...,"events":[...]}` for refused events of one call.
    private static func call(
        _ rejections: ArraySlice<MessageDecoder.Rejection>,
        message: [UInt8],
        receivedAt: Bool,
        to body: inout [UInt8]
    ) {
        guard let first = rejections.first else { return }
        body.append(UInt8(ascii: "{"))
        if let header = first.header {
            RowOutput.raw(#""header":"#, to: &body)
            body.append(contentsOf: message[header])
            body.append(UInt8(ascii: ","))
        }
        if receivedAt, let span = first.receivedAt {
            RowOutput.raw(#""receivedAt":"#, to: &body)
            body.append(contentsOf: message[span])
            body.append(UInt8(ascii: ","))
        }
        RowOutput.raw(#""events":["#, to: &body)
        for (offset, rejection) in rejections.enumerated() {
            if offset > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: message[rejection.event])
        }
        RowOutput.raw("]}", to: &body)
    }
}
