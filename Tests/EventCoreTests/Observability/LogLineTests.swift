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

    @Test func disabledLevelsAreNotWritten() {
        let sink = LogSink.capturing()
        let logger = Logger(label: "t", minimumLevel: .info, metadata: [:], sink: sink)
        logger.debug("hidden")
        logger.info("shown", ["k": "v"])
        #expect(sink.captured.count == 1)
        #expect(sink.captured[0].contains(#""msg":"shown","k":"v""#))
    }

    @Test(arguments: ["trace", "INFO", "Critical"])
    func parsesLevelNames(name: String) {
        #expect(Logger.Level(name: name) != nil)
    }
}
