/// One `event.Event` as ranges of the request and of the view's shared arrays.
public struct EventView: Sendable {
    public internal(set) var id: Range<Int> = 0..<0
    public internal(set) var timestamp: Range<Int> = 0..<0
    public internal(set) var currentURL: Range<Int> = 0..<0
    public internal(set) var type: Range<Int> = 0..<0
    /// Indices into `EventsView.attributes`.
    public internal(set) var attributes: Range<Int>
    /// Indices into `EventsView.experimentIdRuns`.
    public internal(set) var experimentIdRuns: Range<Int>
    /// How many experiment ids the runs hold.
    public internal(set) var experimentIdCount = 0
    /// Where the event's own message lies in the request (for sizing its JSON).
    public internal(set) var message: Range<Int> = 0..<0
}
