extension BatchQueue where Work == [CallPart], Outcome == DurablePublisher.Outcome {
    /// Queues a validated call's parts and returns the outcome of the round that published them, as
    /// `submit(_:bytes:events:)`. Declared here, with the types fixed, so that the gateway calls a specialized
    /// entry point: calling the generic one from another module looked its type metadata up on every call.
    public func submit(_ call: ValidatedCall) async throws -> Outcome {
        try await submit(call.parts, bytes: call.bytes, events: call.events)
    }
}
