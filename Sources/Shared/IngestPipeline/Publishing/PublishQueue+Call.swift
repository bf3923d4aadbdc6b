extension BatchQueue where Work == [CallPart], Outcome == DurablePublisher.Outcome {
    /// Queues a validated call's parts as `enqueue(_:bytes:events:)`. Declared here, with the types fixed, so that
    /// the gateway calls a specialized entry point: calling the generic one from another module looked its type
    /// metadata up on every call.
    public func enqueue(_ call: ValidatedCall) async throws -> Pending {
        try await enqueue(call.parts, bytes: call.bytes, events: call.events)
    }
}
