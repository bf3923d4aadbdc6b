import AMQPClient
import Testing

@testable import IngestPipeline

@Suite("Spool batch codec")
struct SpoolBatchCodecTests {
    private let messages = [
        OutgoingMessage(
            exchange: "events",
            routingKey: "app.open",
            body: Array("{\"a\":1}".utf8),
            messageID: "m-1",
            headers: [
                "s": "text", "i": .int64(-42), "b": true, "d": .double(0.25), "t": .timestamp(1_700_000_000),
                "raw": .bytes([0, 255]), "list": .array(["x", .int64(1), .void]), "nested": .table(["k": "v"]),
                "none": .void,
            ]
        ),
        OutgoingMessage(
            exchange: "",
            routingKey: "ünïcode.key",
            body: [],
            messageID: "m-2",
            contentType: "text/plain",
            persistent: false,
            mandatory: false
        ),
    ]

    private let spooledAt: UInt64 = 1_700_000_000_123

    @Test func roundTripKeepsEveryFieldAndTheSpoolTime() throws {
        let decoded = try SpoolBatchCodec.decode(SpoolBatchCodec.encode(messages, spooledAtMillis: spooledAt)[...])
        #expect(decoded.messages.map(MessageFields.init) == messages.map(MessageFields.init))
        #expect(decoded.version == 2)
        #expect(decoded.spooledAtMillis == spooledAt)
    }

    @Test func encodingIsDeterministic() {
        #expect(
            SpoolBatchCodec.encode(messages, spooledAtMillis: spooledAt)
                == SpoolBatchCodec.encode(messages, spooledAtMillis: spooledAt)
        )
    }

    @Test func everyTruncationFailsToDecode() {
        let bytes = SpoolBatchCodec.encode(messages, spooledAtMillis: spooledAt)
        for cut in 0..<bytes.count {
            #expect(throws: SpoolError.self, "cut at \(cut)") {
                try SpoolBatchCodec.decode(bytes[..<cut])
            }
        }
    }

    @Test func trailingBytesFailToDecode() {
        let bytes = SpoolBatchCodec.encode(messages, spooledAtMillis: spooledAt) + [0]
        let error = #expect(throws: SpoolError.self) { try SpoolBatchCodec.decode(bytes[...]) }
        #expect(error?.code == .corruptRecord)
    }

    @Test func unknownVersionFailsToDecode() {
        var bytes = SpoolBatchCodec.encode(messages, spooledAtMillis: spooledAt)
        bytes[0] = 99
        let error = #expect(throws: SpoolError.self) { try SpoolBatchCodec.decode(bytes[...]) }
        #expect(error?.message.contains("version 99") == true)
    }

    @Test func absurdNestingFailsInsteadOfRecursingForever() {
        var writer = SpoolByteWriter()
        writer.byte(SpoolBatchCodec.version)
        writer.uint64(spooledAt)
        writer.uint32(1)
        for text in ["x", "k", "id", "application/json"] { writer.string(text) }
        writer.byte(3)
        writer.data([UInt8]())
        writer.uint32(1)
        writer.string("deep")
        for _ in 0..<100 {
            writer.byte(6)
            writer.uint32(1)
        }
        writer.byte(8)
        #expect(throws: SpoolError.self) { try SpoolBatchCodec.decode(writer.bytes[...]) }
    }
}
