/// Publisher-confirm bookkeeping for one channel, without sockets: which delivery tag belongs to which call,
/// and when each call is settled.
///
/// Invariants: delivery tags are assigned by `track` in increasing order starting at 1 (as the broker numbers
/// them after `confirm.select`); every tag below `lowest` is settled; a call's result is reported exactly once,
/// as soon as it is known (its first failure, or the confirm of its last message).
struct ConfirmTracker<CallID: Hashable> {
    /// How a call ended.
    enum Outcome: Equatable {
        case confirmed
        case nacked
        case returned(replyCode: UInt16, replyText: String)
    }

    private struct Entry {
        var call: CallID
        var messageID: String
        var exchange: String
        var routingKey: String
        var returned: (replyCode: UInt16, replyText: String)?
    }

    private var entries: [UInt64: Entry] = [:]
    private var remaining: [CallID: Int] = [:]
    private var lowest: UInt64 = 1
    private(set) var nextTag: UInt64 = 1

    /// True when some message still waits for its confirm.
    var hasOutstanding: Bool { !entries.isEmpty }

    /// Calls that still wait for at least one confirm.
    var pendingCalls: [CallID] { Array(remaining.keys) }

    /// Records the next published message of `call`; returns its delivery tag.
    @discardableResult
    mutating func track(call: CallID, messageID: String, exchange: String, routingKey: String) -> UInt64 {
        let tag = nextTag
        nextTag += 1
        entries[tag] = Entry(call: call, messageID: messageID, exchange: exchange, routingKey: routingKey)
        remaining[call, default: 0] += 1
        return tag
    }

    /// A basic.return: marks the oldest unsettled, not yet returned message with these coordinates. The broker
    /// sends the return before the ack of the same message, so the ack then settles it as returned.
    /// Returns false when no unsettled message matches.
    mutating func returned(
        messageID: String,
        exchange: String,
        routingKey: String,
        replyCode: UInt16,
        replyText: String
    ) -> Bool {
        var tag = lowest
        while tag < nextTag {
            if let entry = entries[tag], entry.returned == nil, entry.messageID == messageID,
                entry.exchange == exchange, entry.routingKey == routingKey
            {
                entries[tag]?.returned = (replyCode, replyText)
                return true
            }
            tag += 1
        }
        return false
    }

    /// A basic.ack; with `multiple` it settles every tag up to and including `deliveryTag`.
    mutating func ack(_ deliveryTag: UInt64, multiple: Bool) -> [(CallID, Outcome)] {
        settle(deliveryTag, multiple: multiple, nacked: false)
    }

    /// A basic.nack; with `multiple` it settles every tag up to and including `deliveryTag`.
    mutating func nack(_ deliveryTag: UInt64, multiple: Bool) -> [(CallID, Outcome)] {
        settle(deliveryTag, multiple: multiple, nacked: true)
    }

    /// The connection is gone: returns every call still waiting and forgets everything.
    mutating func abandonAll() -> [CallID] {
        let calls = pendingCalls
        entries.removeAll()
        remaining.removeAll()
        lowest = nextTag
        return calls
    }

    private mutating func settle(_ deliveryTag: UInt64, multiple: Bool, nacked: Bool) -> [(CallID, Outcome)] {
        var outcomes: [(CallID, Outcome)] = []
        let first = multiple ? lowest : deliveryTag
        guard first <= deliveryTag else { return [] }
        for tag in first...deliveryTag {
            guard let entry = entries.removeValue(forKey: tag) else { continue }
            let outcome: Outcome =
                if nacked { .nacked } else if let returned = entry.returned {
                    .returned(replyCode: returned.replyCode, replyText: returned.replyText)
                } else { .confirmed }
            if let outcome = finish(entry.call, outcome) {
                outcomes.append((entry.call, outcome))
            }
        }
        while lowest < nextTag, entries[lowest] == nil {
            lowest += 1
        }
        return outcomes
    }

    /// Counts one settled message of `call`; returns the call's outcome when it becomes known.
    private mutating func finish(_ call: CallID, _ outcome: Outcome) -> Outcome? {
        guard let count = remaining[call] else { return nil }
        if outcome != .confirmed {
            // Reported now; the broker's later confirms for the call's other messages are ignored.
            remaining[call] = nil
            forgetCall(call)
            return outcome
        }
        if count == 1 {
            remaining[call] = nil
            return .confirmed
        }
        remaining[call] = count - 1
        return nil
    }

    /// Drops the remaining entries of a call whose result was already reported.
    private mutating func forgetCall(_ call: CallID) {
        for (tag, entry) in entries where entry.call == call {
            entries[tag] = nil
        }
    }
}
