import EventCore
import Foundation

/// A replay's progress on standard error (`replayed 1500/4000, 2480 msg/s, ETA 1s`): rewritten in place on a
/// terminal, at most one line a second otherwise; the summary (`replayed N/TOTAL`) goes to standard output.
struct ReplayProgress {
    let total: Int
    let dryRun: Bool
    let started: ContinuousClock.Instant
    let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastLine: ContinuousClock.Instant?

    init(total: Int, dryRun: Bool, started: ContinuousClock.Instant = .now) {
        self.total = total
        self.dryRun = dryRun
        self.started = started
    }

    mutating func update(_ done: Int) {
        guard !dryRun else { return }
        let now = ContinuousClock.now
        guard isTerminal || lastLine.map({ now - $0 >= .seconds(1) }) ?? true || done == total else { return }
        lastLine = now
        let elapsed = max((now - started).secondsDouble, 0.001)
        let rate = Double(done) / elapsed
        let eta = rate > 0 ? Int((Double(total - done) / rate).rounded(.up)) : 0
        let line = "replayed \(done)/\(total), \(Int(rate.rounded())) msg/s, ETA \(eta)s"
        FileHandle.standardError.write(Data((isTerminal ? "\r\(line)\u{1B}[K" : "\(line)\n").utf8))
    }

    func finish(_ done: Int, output: DeadLetterOptions.Output) {
        if isTerminal && !dryRun { FileHandle.standardError.write(Data("\n".utf8)) }
        let seconds = (ContinuousClock.now - started).secondsDouble
        switch output {
        case .text:
            Console.print(
                dryRun ? "would replay \(done)/\(total) (dry run: nothing changed)" : "replayed \(done)/\(total)"
            )
        case .json:
            Console.print(
                DeadLetterRendering.json([
                    "replayed": dryRun ? 0 : done, "selected": done, "total": total, "dry_run": dryRun,
                    "seconds": (seconds * 1000).rounded() / 1000,
                ])
            )
        }
    }
}
