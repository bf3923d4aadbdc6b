import Foundation
import Testing

@testable import EventCore

@Suite struct ProcessStatisticsTests {
    @Test func parsesAStatLineWhoseCommandHoldsSpacesAndParentheses() throws {
        // Fields from proc(5): pid (comm) state ppid ... utime(14) stime(15) ... num_threads(20) ... starttime(22)
        // vsize(23) rss(24) ...
        let stat =
            "4242 (Sink Worker) (x)) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 7 0 1000 "
            + "123456789 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0"
        let statistics = try #require(
            ProcessStatistics.parse(stat: stat, bootTimeSeconds: 1_700_000_000, ticksPerSecond: 100, pageBytes: 4096)
        )
        #expect(statistics.cpuSeconds == 3)
        #expect(statistics.threads == 7)
        #expect(statistics.startTimeSeconds == 1_700_000_010)
        #expect(statistics.virtualMemoryBytes == 123_456_789)
        #expect(statistics.residentMemoryBytes == 300 * 4096)
    }

    @Test func refusesATruncatedStatLine() {
        #expect(
            ProcessStatistics.parse(stat: "1 (x) S 1 2", bootTimeSeconds: 0, ticksPerSecond: 100, pageBytes: 1) == nil
        )
    }

    @Test func readsTheSoftLimitOfOpenFiles() {
        let limits = """
            Limit                     Soft Limit           Hard Limit           Units
            Max open files            20000                20000                files
            """
        #expect(ProcessStatistics.parseMaxOpenFiles(limits) == 20000)
        #expect(ProcessStatistics.parseMaxOpenFiles("Max open files  unlimited  unlimited  files") == .infinity)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/stat")))
    func readsThisProcess() throws {
        let statistics = try #require(ProcessStatistics.read())
        #expect(statistics.threads >= 1)
        #expect(statistics.residentMemoryBytes > 0 && statistics.virtualMemoryBytes >= statistics.residentMemoryBytes)
        let now = Date().timeIntervalSince1970
        #expect(statistics.startTimeSeconds > now - 86_400 && statistics.startTimeSeconds <= now + 1)
        #expect(try #require(ProcessStatistics.openDescriptors()) >= 3)
        #expect(try #require(ProcessStatistics.maxDescriptors()) >= 3)
    }
}
