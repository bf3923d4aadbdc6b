import CNghttp2
import TestSupport

/// SplitMix64: a small deterministic generator, so every random test input is reproducible from its seed.
struct SeededRandom: RandomNumberGenerator {
    private var generator: SplitMix64

    init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    mutating func next() -> UInt64 {
        generator.next()
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
