public import AMQPClient

/// Reads a DLQ front to back with basic.get for one replay or peek, at most `budget` messages (the depth at the
/// start, so messages dead-lettered again meanwhile are not seen twice). Messages not selected, and with a dry run
/// every message, are held unacknowledged, so that no later get returns them, and put back unchanged at the end.
public struct DeadLetterScan {
    public let client: AMQPBlockingClient
    public let queue: String
    public private(set) var budget: Int
    /// The highest delivery held back, if any: `putBackHeld` requeues every unsettled delivery up to it.
    private var lastHeld: Delivery?

    public init(client: AMQPBlockingClient, queue: String, budget: Int) {
        self.client = client
        self.queue = queue
        self.budget = budget
    }

    /// Up to `count` messages of class `reasonClass` (any when nil), fewer when the budget or the queue ends.
    public mutating func next(count: Int, reasonClass: String?) throws -> [Delivery] {
        var window: [Delivery] = []
        while window.count < count, budget > 0, let delivery = try client.get(queue: queue) {
            budget -= 1
            if let reasonClass, Self.reasonClass(of: delivery) != reasonClass {
                lastHeld = delivery
            } else {
                window.append(delivery)
            }
        }
        return window
    }

    /// Keeps `deliveries` unacknowledged until `putBackHeld`.
    public mutating func hold(_ deliveries: [Delivery]) {
        if let last = deliveries.last { lastHeld = last }
    }

    /// Returns every held message to the DLQ unchanged (if this fails, closing the connection returns them).
    public mutating func putBackHeld() throws {
        guard let lastHeld else { return }
        self.lastHeld = nil
        try client.requeueAll(upTo: lastHeld)
    }

    /// The message's `x-dlq-reason-class` header, if it is a string.
    public static func reasonClass(of delivery: Delivery) -> String? {
        if case .string(let text) = delivery.headers[DeadLetterHeaders.reasonClass] { return text }
        return nil
    }
}
