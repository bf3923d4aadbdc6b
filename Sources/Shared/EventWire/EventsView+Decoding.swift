extension EventsView {
    mutating func merge(from reader: inout ProtobufReader, limits: DecodeLimits) throws(WireError) {
        while let tag = try reader.nextTag() {
            switch (tag.fieldNumber, tag.wireType) {
            case (4, .lengthDelimited):
                try reader.readMessage { (message) throws(WireError) in
                    try header.merge(from: &message, limits: limits)
                }
            case (5, .lengthDelimited):
                guard events.count < limits.maxEvents else {
                    throw reader.failure(
                        .limitExceeded,
                        "the batch has at least \(limits.maxEvents + 1) events; at most \(limits.maxEvents) are allowed"
                    )
                }
                let range = try reader.readLengthDelimited()
                var message = try reader.subreader(for: range)
                message.currentTag = nil
                var event = EventView(
                    attributes: attributes.count..<attributes.count,
                    experimentIdRuns: experimentIdRuns.count..<experimentIdRuns.count,
                    message: range
                )
                try mergeEvent(&event, index: events.count, from: &message, limits: limits)
                events.append(event)
            default:
                try reader.skipField()
            }
        }
    }

    private mutating func mergeEvent(
        _ event: inout EventView,
        index: Int,
        from reader: inout ProtobufReader,
        limits: DecodeLimits
    ) throws(WireError) {
        var tagStart = reader.index
        while let tag = try reader.nextTag() {
            defer { tagStart = reader.index }
            switch (tag.fieldNumber, tag.wireType) {
            case (4, .lengthDelimited): event.id = try reader.readText(limits) { "events[\(index)].id" }
            case (5, .lengthDelimited): event.timestamp = try reader.readText(limits) { "events[\(index)].timestamp" }
            case (6, .lengthDelimited):
                event.currentURL = try reader.readText(limits) { "events[\(index)].currentURL" }
            case (7, .lengthDelimited): event.type = try reader.readText(limits) { "events[\(index)].type" }
            case (8, .lengthDelimited):
                let count = event.attributes.count
                guard count < limits.maxAttributesPerEvent else {
                    throw reader.failure(
                        .limitExceeded,
                        "events[\(index)] has at least \(limits.maxAttributesPerEvent + 1) attributes;"
                            + " at most \(limits.maxAttributesPerEvent) are allowed"
                    )
                }
                var attribute = AttributeView()
                try reader.readMessage { (message) throws(WireError) in
                    try attribute.merge(from: &message, limits: limits) { "events[\(index)].attributes[\(count)]" }
                }
                attributes.append(attribute)
                event.attributes = event.attributes.lowerBound..<attributes.count
            case (65, .varint):
                try checkExperimentIds(event, index: index, reader: reader, limits: limits)
                _ = try reader.readVarint()
                event.experimentIdCount += 1
                if event.experimentIdRuns.count > 0, let last = experimentIdRuns.last, !last.packed,
                    last.bytes.upperBound == tagStart
                {
                    experimentIdRuns[experimentIdRuns.count - 1].bytes = last.bytes.lowerBound..<reader.index
                } else {
                    experimentIdRuns.append(ExperimentIdRun(bytes: tagStart..<reader.index, packed: false))
                    event.experimentIdRuns = event.experimentIdRuns.lowerBound..<experimentIdRuns.count
                }
            case (65, .lengthDelimited):
                let run = try reader.readLengthDelimited()
                var packed = try reader.subreader(for: run)
                while !packed.isAtEnd {
                    try checkExperimentIds(event, index: index, reader: packed, limits: limits)
                    _ = try packed.readVarint()
                    event.experimentIdCount += 1
                }
                if !run.isEmpty {
                    experimentIdRuns.append(ExperimentIdRun(bytes: run, packed: true))
                    event.experimentIdRuns = event.experimentIdRuns.lowerBound..<experimentIdRuns.count
                }
            default: try reader.skipField()
            }
        }
    }

    private func checkExperimentIds(
        _ event: EventView,
        index: Int,
        reader: ProtobufReader,
        limits: DecodeLimits
    ) throws(WireError) {
        guard event.experimentIdCount < limits.maxExperimentIdsPerEvent else {
            throw reader.failure(
                .limitExceeded,
                "events[\(index)] has at least \(limits.maxExperimentIdsPerEvent + 1) experimentIds;"
                    + " at most \(limits.maxExperimentIdsPerEvent) are allowed"
            )
        }
    }
}
