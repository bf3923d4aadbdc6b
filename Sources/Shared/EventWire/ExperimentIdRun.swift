/// Experiment ids as they lie in the request: a packed field's varints, or unpacked (tag, varint) pairs that follow
/// each other.
public struct ExperimentIdRun: Sendable {
    public internal(set) var bytes: Range<Int>
    public internal(set) var packed: Bool
}
