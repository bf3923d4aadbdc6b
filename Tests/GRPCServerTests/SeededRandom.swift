import CNghttp2

/// SplitMix64: a small deterministic generator, so every random test input is reproducible from its seed.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// A value in `0..<bound`.
    mutating func next(upTo bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}

/// RST_STREAM(CANCEL) from the test client, as a client that gives up on a call sends it.
func nghttp2TestReset(_ client: HTTP2TestClient, _ id: Int32) {
    nghttp2_submit_rst_stream(client.session, 0, id, UInt32(NGHTTP2_CANCEL.rawValue))
}
