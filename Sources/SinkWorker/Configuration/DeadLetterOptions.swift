/// What the `dlq` commands take besides the queue and the limit: the output form, and for `peek` and `replay`
/// which messages and how.
public struct DeadLetterOptions: Sendable, Equatable {
    /// `--output text|json`: aligned text for people (default), or one JSON object per queue or message.
    public enum Output: String, Sendable, CaseIterable {
        case text, json
    }

    public var output = Output.text
    /// `--full`: the whole body instead of a preview of its first `previewBytes` bytes.
    public var full = false
    /// `--reason-class CLASS`: only messages dead-lettered for this class (`decode`, `bad_row`, `insert`); the
    /// others are left in the DLQ untouched.
    public var reasonClass: String?
    /// `--rate N`: at most N messages replayed per second; nil: as fast as the broker confirms.
    public var rate: Int?
    /// `--dry-run`: show what would be replayed and change nothing.
    public var dryRun = false

    /// Bytes of a body shown without `--full`.
    public static let previewBytes = 200

    public init(
        output: Output = .text,
        full: Bool = false,
        reasonClass: String? = nil,
        rate: Int? = nil,
        dryRun: Bool = false
    ) {
        self.output = output
        self.full = full
        self.reasonClass = reasonClass
        self.rate = rate
        self.dryRun = dryRun
    }
}
