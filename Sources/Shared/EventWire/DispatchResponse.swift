/// `event.Response`: the answer to `dispatch`.
public struct DispatchResponse: Sendable, Equatable {
    /// Field 1: `"SUCCESS"` when the batch was accepted.
    public var status: String
    /// Field 2.
    public var message: String

    public init(status: String = "", message: String = "") {
        self.status = status
        self.message = message
    }
}
