/// Finds the messages of a refused batch that ClickHouse refuses, by bisection, writing every other message on the
/// way (issue 11: one bad row must not hold back the rows around it).
///
/// The batch is a run of messages `0..<count` whose insert as a whole was refused. The run is split in two halves
/// and the left half inserted: when it is written, the refusal lies in the right half, which is split in turn
/// without being inserted whole again; when it is refused, it is searched the same way and the right half is
/// inserted on its own. A run of one refused message is a finding. One refused message among `n` costs between
/// `ceil(log2 n)` and `2 ceil(log2 n)` inserts after the refused one (more when it lies in left halves, whose
/// sibling must then be tried); `k` of them cost at most about `2k log2 n`.
///
/// An insert that fails for another reason (an outage) stops the search: what was written stays written, what was
/// found stays found, and the runs not settled yet are returned in `untried`, to be kept for a later retry.
struct PoisonSearch {
    /// What one insert of a run of messages did.
    enum Outcome {
        case written
        case refused(SinkError)
        case interrupted(any Error)
    }

    /// Runs of messages now written.
    private(set) var written: [Range<Int>] = []
    /// The messages refused on their own (or whose sibling half was written), with the refusal.
    private(set) var refused: [(index: Int, error: SinkError)] = []
    /// Runs not settled because the search stopped.
    private(set) var untried: [Range<Int>] = []
    /// Inserts made by the search (the first, refused insert of the whole batch not included).
    private(set) var inserts = 0
    /// What stopped the search, if something did.
    private(set) var interruption: (any Error)?

    private let attempt: (Range<Int>) -> Outcome

    /// Searches `0..<count`, refused as a whole with `refusal`; `attempt` inserts one run of messages.
    init(count: Int, refusal: SinkError, attempt: @escaping (Range<Int>) -> Outcome) {
        self.attempt = attempt
        guard count > 0 else { return }
        search(0..<count, refusal: refusal)
    }

    /// `range` as a whole was refused with `refusal`.
    private mutating func search(_ range: Range<Int>, refusal: SinkError) {
        guard interruption == nil else {
            untried.append(range)
            return
        }
        guard range.count > 1 else {
            refused.append((range.lowerBound, refusal))
            return
        }
        let middle = range.lowerBound + range.count / 2
        let left = range.lowerBound..<middle
        let right = middle..<range.upperBound
        switch insert(left) {
        case .written:
            search(right, refusal: refusal)
        case .refused(let error):
            search(left, refusal: error)
            tryThenSearch(right)
        case .interrupted:
            untried.append(contentsOf: [left, right])
        }
    }

    /// Inserts `range`, nothing known about it yet; searches it when it is refused.
    private mutating func tryThenSearch(_ range: Range<Int>) {
        guard interruption == nil else {
            untried.append(range)
            return
        }
        switch insert(range) {
        case .written: break
        case .refused(let error): search(range, refusal: error)
        case .interrupted: untried.append(range)
        }
    }

    private mutating func insert(_ range: Range<Int>) -> Outcome {
        inserts += 1
        let outcome = attempt(range)
        switch outcome {
        case .written: written.append(range)
        case .refused: break
        case .interrupted(let error): interruption = error
        }
        return outcome
    }
}
