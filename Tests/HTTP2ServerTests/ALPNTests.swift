import Testing

@testable import HTTP2Server

@Suite struct ALPNTests {
    /// A wire-format ALPN list: each name prefixed with its length.
    static func list(_ names: [String]) -> [UInt8] {
        names.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
    }

    @Test(arguments: [
        (["h2"], 1), (["http/1.1", "h2"], 10), (["h2c", "h2"], 5), (["grpc-exp", "h2", "http/1.1"], 10),
    ])
    func findsH2WhereverItIsOffered(names: [String], offset: Int) {
        let bytes = Self.list(names)
        #expect(bytes.withUnsafeBytes { ALPN.h2Offset(in: $0) } == offset)
    }

    @Test(arguments: [
        Self.list(["http/1.1"]), Self.list(["h2c"]), Self.list(["h3"]), [], [2, UInt8(ascii: "h")],
        [0, 2] + Array("h2".utf8),
        [9] + Array("h2".utf8),
    ])
    func refusesAListWithoutH2OrAMalformedOne(bytes: [UInt8]) {
        #expect(bytes.withUnsafeBytes { ALPN.h2Offset(in: $0) } == nil)
    }
}
