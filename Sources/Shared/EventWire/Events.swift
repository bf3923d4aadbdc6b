/// `event.Events`: the batch a client sends to `/event.EventService/dispatch`.
public struct Events: Sendable, Equatable {
    /// Field 4. Presence is not tracked: a header with every field at its default is not written.
    public var header: Header
    /// Field 5.
    public var events: [Event]

    public init(header: Header = Header(), events: [Event] = []) {
        self.header = header
        self.events = events
    }
}
