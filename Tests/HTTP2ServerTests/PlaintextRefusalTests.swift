import Testing

@testable import HTTP2Server

@Suite struct PlaintextRefusalTests {
    @Test func anHTTP2ClientGetsGoawayWithInadequateSecurityAndTheAdvice() {
        let answer = PlaintextRefusal.answer(toFirstBytes: Array("PRI * HTTP/2.0\r\n".utf8))
        let debug = Array(PlaintextRefusal.advice.utf8)
        // One GOAWAY frame on stream 0: length, type 7, no flags, stream 0, last stream 0, error 0xc, debug data.
        let length = 8 + debug.count
        #expect(Array(answer.prefix(9)) == [0, UInt8(length >> 8), UInt8(length & 0xff), 7, 0, 0, 0, 0, 0])
        #expect(Array(answer[9..<17]) == [0, 0, 0, 0, 0, 0, 0, 0x0c])
        #expect(Array(answer.dropFirst(17)) == debug)
    }

    @Test(arguments: ["GET / HTTP/1.1\r\n", "POST /event.EventService/dispatch HTTP/1.1\r\n"])
    func anHTTP1ClientGetsA400SayingWhy(request: String) {
        let answer = String(decoding: PlaintextRefusal.answer(toFirstBytes: Array(request.utf8)), as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(answer.hasSuffix(PlaintextRefusal.advice + "\n"))
        let body = PlaintextRefusal.advice.utf8.count + 1
        #expect(answer.contains("Content-Length: \(body)\r\n"))
    }

    @Test(arguments: [[0x00, 0x01], [0x80, 0x2c], [UInt8(ascii: "p")], []])
    func anythingElseGetsNothing(prefix: [UInt8]) {
        #expect(PlaintextRefusal.answer(toFirstBytes: prefix).isEmpty)
    }
}
