import Foundation

/// The gateway's receive times in a message body of the broker contract
/// (`{"calls":[{"header":{...},"receivedAt":MS,"events":[...]},...]}`); none for other shapes.
enum ReceiveTimes {
    static func millis(inBody body: [UInt8]) -> [UInt64] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let calls = object["calls"] as? [[String: Any]]
        else { return [] }
        return calls.compactMap { call in
            guard let number = call["receivedAt"] as? NSNumber, number.doubleValue >= 0 else { return nil }
            return UInt64(clamping: number.int64Value)
        }
    }
}
