/// The events of one routing key, in request order.
struct RoutingGroup {
    let type: UnsafeBufferPointer<UInt8>
    var events: [Int]
    var inputBytes: Int
}
