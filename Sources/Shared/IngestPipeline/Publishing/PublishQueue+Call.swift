extension BatchQueue where Work == [CallPart], Outcome == DurablePublisher.Outcome {
    /// Queues a validated call's parts and returns the outcome of the round that published them, as
    /// `submit(_:bytes:events:)`. Declared here, with the types fixed, so that the gateway calls a specialized
    /// entry point: calling the generic one from another module looked its type metadata up on every call.
    public func submit(_ call: ValidatedCall) async throws -> Outcome {
        try await enqueue(call).outcome()
    }

    /// Queues a validated call's parts as `enqueue(_:bytes:events:)`, specialized for the same reason.
    public func enqueue(_ call: ValidatedCall) async throws -> Pending {
        try await enqueue(call.parts, bytes: call.bytes, events: call.events)
    }
}
