import Foundation
import Testing

@testable import EventCore

/// Writing a log line never stops the process: a closed pipe and a full disk drop the line and count it.
@Suite struct LogSinkTests {
    @Test func aClosedPipeDropsAndCountsTheLineInsteadOfRaisingSIGPIPE() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        close(ends[0])
        defer { close(ends[1]) }
        let sink = LogSink(descriptor: ends[1])
        let logger = Logger(label: "t", minimumLevel: .info, metadata: [:], sink: sink)
        logger.error("nobody reads this")
        logger.error("nor this")
        #expect(sink.droppedLines == 2)
    }

    @Test func aFullDiskDropsAndCountsTheLineInsteadOfTrapping() throws {
        let full = open("/dev/full", O_WRONLY)
        try #require(full >= 0, "/dev/full is missing on this machine")
        defer { close(full) }
        let sink = LogSink(descriptor: full)
        Logger(label: "t", minimumLevel: .info, metadata: [:], sink: sink).notice("disk is full")
        #expect(sink.droppedLines == 1)
    }

    @Test func aWritableDescriptorGetsWholeLines() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let sink = LogSink(descriptor: ends[1])
        Logger(label: "t", minimumLevel: .info, metadata: [:], sink: sink).info("hello")
        close(ends[1])
        let text = String(decoding: FileHandle(fileDescriptor: ends[0]).readDataToEndOfFile(), as: UTF8.self)
        #expect(text.hasSuffix(#""msg":"hello"}"# + "\n"))
        #expect(sink.droppedLines == 0)
    }

    @Test func writesRetryShortWritesAndReportFailure() throws {
        let full = open("/dev/full", O_WRONLY)
        try #require(full >= 0)
        defer { close(full) }
        #expect(DescriptorWriter.writeAll(Array("x\n".utf8), to: full) == false)
        #expect(DescriptorWriter.writeAll([], to: full) == true)
        #expect(DescriptorWriter.writeAll(Array("x".utf8), to: -1) == false)
    }
}
