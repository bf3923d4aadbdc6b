/// The body of a broker message that carries the events of several calls for one routing key:
/// `{"calls":[CALL,CALL,...]}`, each CALL as `EventEnvelope.callJSONBytes()` wrote it.
public enum CallsMessage {
    static let prefix = Array(#"{"calls":["#.utf8)
    static let suffix = Array("]}".utf8)

    /// The bytes a body of these calls takes, for sizing rounds before building them.
    public static func size<Calls: Collection<[UInt8]>>(of calls: Calls) -> Int {
        calls.reduce(prefix.count + suffix.count + max(0, calls.count - 1)) { $0 + $1.count }
    }

    /// Joins the calls' JSON into one body.
    public static func body<Calls: Collection<[UInt8]>>(_ calls: Calls) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size(of: calls))
        bytes += prefix
        for (index, call) in calls.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += call
        }
        bytes += suffix
        return bytes
    }
}
