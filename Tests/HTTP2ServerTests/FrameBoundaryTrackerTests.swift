import Testing

@testable import HTTP2Server

/// The trickle limit counts from the first byte of an incomplete frame: the tracker must find frame boundaries
/// whatever the chunking of the byte stream.
@Suite struct FrameBoundaryTrackerTests {
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
    /// An empty SETTINGS frame, a PING (8-byte payload), a DATA frame of 300 bytes.
    static let frames: [[UInt8]] = [
        [0, 0, 0, 4, 0, 0, 0, 0, 0],
        [0, 0, 8, 6, 0, 0, 0, 0, 0] + [UInt8](repeating: 1, count: 8),
        [0, 1, 44, 0, 0, 0, 0, 0, 1] + [UInt8](repeating: 2, count: 300),
    ]

    @Test(arguments: [1, 2, 7, 9, 10, 24, 64, 1000])
    func boundariesAreFoundWhateverTheChunking(chunk: Int) {
        let stream = Self.preface + Self.frames.joined()
        var ends: Set<Int> = [Self.preface.count]
        var offset = Self.preface.count
        for frame in Self.frames {
            offset += frame.count
            ends.insert(offset)
        }
        var tracker = FrameBoundaryTracker()
        var position = 0
        while position < stream.count {
            let next = min(position + chunk, stream.count)
            let completedInside = ends.contains { $0 > position && $0 <= next }
            let result = stream[position..<next].withUnsafeBytes { tracker.advance($0) }
            #expect(result.atBoundary == ends.contains(next), "after byte \(next)")
            #expect(result.completed == completedInside, "bytes \(position)..<\(next)")
            position = next
        }
    }

    @Test func aFrameHeaderAloneIsNotABoundary() {
        var tracker = FrameBoundaryTracker()
        _ = Self.preface.withUnsafeBytes { tracker.advance($0) }
        let header: [UInt8] = [0, 0, 5, 0, 0, 0, 0, 0, 1]
        let result = header.withUnsafeBytes { tracker.advance($0) }
        #expect(!result.atBoundary)
        #expect(!result.completed)
    }
}
