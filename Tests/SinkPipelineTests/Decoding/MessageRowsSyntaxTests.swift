import EventWire
import Foundation
import TestSupport
import Testing

@testable import SinkPipeline

/// What is not an event envelope is a decode failure (the whole message goes to the DLQ); nothing traps.
@Suite struct MessageRowsSyntaxTests {
    typealias D = Decoding

    @Test(arguments: [
        "", "not json", "[1,2]", "null", #"{"header":{}}"#, #"{"events":[1]}"#, #"{"header":3,"events":[]}"#,
        #"{"events":{}}"#, #"{"calls":{}}"#, #"{"calls":[1]}"#, #"{"calls":[{"header":{}}]}"#,
        #"{"calls":[],"events":[]}"#, #"{"header":{},"calls":[]}"#, #"{"events":[],"events":[]}"#,
        #"{"events":[]} x"#, #"{"events":[]"#, #"{"events":[{"id":"a",}]}"#, #"{"events":[{"id":"a"},]}"#,
        #"{"events":[{"id":"a" "timestamp":1}]}"#, #"{"events":[{"id":"unterminated}]}"#,
        #"{"events":[{"id":"a","timestamp":01}]}"#, #"{"events":[{"id":"a","timestamp":1e}]}"#,
        #"{"events":[{"id":"a","timestamp":-}]}"#, #"{"events":[{"id":"a","timestamp":1.}]}"#,
        #"{"events":[{"id":"a","timestamp":+1}]}"#, #"{"events":[{"id":"a","x":tru}]}"#,
        #"{"events":[{"id":"a","x":[1 2]}]}"#, #"{events:[]}"#, #"{"events":[{"id":"a\"#,
        #"{"calls":[{"header":{},"receivedAt":1,"events":[{"id":"a","timestamp":1}]},]}"#,
    ])
    func refusesWhatIsNotAnEnvelope(body: String) throws {
        let error = try #require(D.error(body), "accepted: \(body)")
        #expect(error.code == .decode, "\(error)")
        #expect(error.failure == .decode)
    }

    @Test func nestingIsBoundedWhereverItIs() throws {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        for body in [
            #"{"events":[{"id":"a","timestamp":1,"extra":\#(deep)}]}"#,
            #"{"extra":\#(deep),"events":[]}"#,
            #"{"events":[{"id":"a","timestamp":1,"attributes":{"k":\#(deep)}}]}"#,
        ] {
            let error = try #require(D.error(body))
            #expect(error.code == .decode)
            #expect(error.message.contains("nesting deeper than 64"))
        }
        let shallow = String(repeating: "[", count: 50) + String(repeating: "]", count: 50)
        #expect(try D.rows(#"{"events":[{"id":"a","timestamp":1,"extra":\#(shallow)}]}"#).count == 1)
    }

    @Test func theErrorNamesWhatAndWhere() throws {
        #expect(D.error("[1,2]")?.message == "body is not a JSON object (byte 0 of 5)")
        #expect(D.error(#"{"header":{}}"#)?.message == #"body has no "events" array (byte 0 of 13)"#)
        #expect(D.error(#"{"events":[1]}"#)?.message == "events[0] is not an object (byte 11 of 14)")
        #expect(D.error(#"{"header":3,"events":[]}"#)?.message == #""header" is not an object (byte 10 of 24)"#)
        #expect(
            D.error(#"{"calls":[{"events":[7]}]}"#)?.message == "calls[0].events[0] is not an object (byte 21 of 26)"
        )
    }

    @Test func whitespaceAnywhereIsFine() throws {
        let body = " \n{ \"events\" :\t[ { \"id\" : \"a\" , \"timestamp\" : 1 } ] , \"header\" : { } }\r\n"
        #expect(try D.rows(body).count == 1)
    }

    /// Seeded mutations of a valid calls message: every outcome is rows, refused events or a SinkError, never a
    /// trap, and the events it holds are either rows or refused.
    @Test(arguments: 0..<8)
    func randomDamageNeverTraps(seed: Int) throws {
        var random = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9)
        let original = D.callsBody([
            (D.fullHeader, 1_700_000_000_001, [D.sampleEvent, D.event("b")]),
            (Header(sessionId: "x"), 1_700_000_000_002, [D.event("c"), D.sampleEvent]),
        ])
        let alphabet = Array(#"{}[]",:\-0123456789.eE+tfnu"#.utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xED, 0xF4, 0xFF]
        for _ in 0..<300 {
            var body = original
            for _ in 0...(random.next() % 4) {
                let at = Int(random.next() % UInt64(body.count))
                switch random.next() % 3 {
                case 0: body[at] = alphabet[Int(random.next() % UInt64(alphabet.count))]
                case 1: body.remove(at: at)
                default: body.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: at)
                }
            }
            do {
                let rows = try D.rows(body)
                let objects = try D.objects(rows)
                #expect(objects.count == rows.count)
                if let rejected = rows.rejected {
                    #expect(rejected.total == rows.count + rejected.count)
                    _ = D.error(rejected.body)
                }
            } catch let error as SinkError {
                #expect(error.code == .decode || error.code == .badRow)
            }
        }
    }
}
