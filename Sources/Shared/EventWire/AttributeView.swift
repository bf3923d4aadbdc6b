/// One `event.Attribute`: its key as a range, its value (the oneof's last member) read.
public struct AttributeView: Sendable {
    public enum Value: Sendable, Equatable {
        case none
        case string(Range<Int>)
        case int(Int64)
        case double(Double)
        case bool(Bool)
    }

    public internal(set) var key: Range<Int> = 0..<0
    public internal(set) var value = Value.none
}
