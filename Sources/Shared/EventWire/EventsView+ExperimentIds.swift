extension EventsView {
    /// Calls `body` with each experiment id of `event`, in request order, read from the request's bytes (they were
    /// checked while decoding, so reading them again cannot fail).
    public func forEachExperimentId(of event: EventView, _ body: (Int64) -> Void) {
        guard event.experimentIdCount > 0 else { return }
        do {
            try ProtobufReader.read(bytes) { (reader) throws(WireError) in
                for run in experimentIdRuns[event.experimentIdRuns] {
                    var ids = try reader.subreader(for: run.bytes)
                    while !ids.isAtEnd {
                        if !run.packed { _ = try ids.readVarint() }
                        body(try ids.readInt64())
                    }
                }
            }
        } catch {
            preconditionFailure("experiment ids checked while decoding no longer read: \(error)")
        }
    }
}
