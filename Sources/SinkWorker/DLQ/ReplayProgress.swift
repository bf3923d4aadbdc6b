import Foundation

/// `replayed N/TOTAL` on standard output: rewritten in place on a terminal, every 100 messages otherwise.
struct ReplayProgress {
    let total: Int
    let isTerminal = isatty(STDOUT_FILENO) == 1

    func update(_ done: Int) {
        if isTerminal {
            write("\rreplayed \(done)/\(total)")
        } else if done % 100 == 0 && done < total {
            write("replayed \(done)/\(total)\n")
        }
    }

    func finish(_ done: Int) {
        write("\(isTerminal ? "\r" : "")replayed \(done)/\(total)\n")
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
