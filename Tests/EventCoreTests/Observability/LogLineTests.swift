import Foundation
import Testing

@testable import EventCore

@Suite struct LogLineTests {
    @Test func rendersOneJSONLineWithSortedMetadata() {
        let line = LogLine.render(
            level: .warning,
            label: "gateway",
            message: "broker \"down\"\n",
            metadata: ["z.key": "1", "amqp.host": "127.0.0.1"],
            now: Date(timeIntervalSince1970: 1.5)
        )
        #expect(
            line
                == #"{"ts":"1970-01-01T00:00:01.500Z","level":"warning","label":"gateway","msg":"broker \"down\"\n","amqp.host":"127.0.0.1","z.key":"1"}"#
        )
    }

    @Test func numbersAndBooleansAreJSONNumbersAndBooleans() throws {
        let count = 42
        let line = LogLine.render(
            level: .info,
            label: "t",
            message: "m",
            metadata: [
                "a.count": .int(count), "b.flag": true, "c.delay_seconds": .seconds(.milliseconds(1500)),
                "d.literal": 7, "e.text": "\(count)", "f.nan": .double(.nan), "g.big": .integer(UInt64.max),
            ]
        )
        #expect(
            line.hasSuffix(
                #","a.count":42,"b.flag":true,"c.delay_seconds":1.5,"d.literal":7,"e.text":"42","f.nan":"nan","g.big":9223372036854775807}"#
            )
        )
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["a.count"] as? Int == 42)
        #expect(object["b.flag"] as? Bool == true)
        #expect(object["e.text"] as? String == "42")
    }

    @Test func textFormatIsOneHumanLine() {
        let line = LogLine.render(
            level: .notice,
            label: "gateway",
            message: "starting",
            metadata: ["config.PORT": 8017, "error.message": "connection refused", "auth.enabled": false, "empty": ""],
            format: .text,
            now: Date(timeIntervalSince1970: 0)
        )
        #expect(
            line
                == #"1970-01-01T00:00:00.000Z NOTICE gateway: starting auth.enabled=false config.PORT=8017 empty="" error.message="connection refused""#
        )
    }

    @Test(
        arguments: [
            (["reason": "x", "reason.class": "y"], ["reason"]),
            (["events": 1, "events.clamped": 2, "events.count": 3], ["events"]),
            (["a.b": 1, "a.b.c.d": 2, "a": 3], ["a", "a.b"]),
            (["reason.text": "x", "reason.class": "y", "reasons": "z", "reason_code": 1], []),
        ] as [(Logger.Metadata, [String])]
    )
    func keysThatArePrefixesOfOtherKeysAreFlaggedInTheLine(metadata: Logger.Metadata, colliding: [String]) {
        #expect(LogLine.collidingKeys(metadata.keys) == colliding)
        let line = LogLine.render(level: .info, label: "t", message: "m", metadata: metadata)
        #expect(line.contains(#""log.colliding_keys":"\#(colliding.joined(separator: ","))""#) == !colliding.isEmpty)
    }

    @Test func disabledLevelsAreNotWritten() {
        let sink = LogSink.capturing()
        let logger = Logger(label: "t", minimumLevel: .info, metadata: [:], sink: sink)
        logger.debug("hidden")
        logger.info("shown", ["k": "v"])
        #expect(sink.captured.count == 1)
        #expect(sink.captured[0].contains(#""msg":"shown","k":"v""#))
    }

    @Test func theLoggersFormatIsUsed() {
        let sink = LogSink.capturing()
        Logger(label: "w", minimumLevel: .info, format: .text, metadata: ["family": "logs"], sink: sink)
            .warning("slow", ["n": 3])
        #expect(sink.captured.count == 1)
        #expect(sink.captured[0].hasSuffix(" WARNING w: slow family=logs n=3"))
    }

    @Test(arguments: ["trace", "INFO", "Critical"])
    func parsesLevelNames(name: String) {
        #expect(Logger.Level(name: name) != nil)
    }
}
