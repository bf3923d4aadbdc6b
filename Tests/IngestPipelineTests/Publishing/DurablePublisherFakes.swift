import AMQPClient
import IngestPipeline
import Synchronization

/// A broker that answers every publish the way the test says, and counts the calls. Its `status` is what the
/// test sets (connected, nothing owed, unless a test says otherwise); `.silence` and `.confirmSteadily` also
/// report the confirms they owe, as the real publisher does.
final class ScriptedBroker: ConfirmingPublisher {
    enum Answer: Sendable, Equatable, CustomStringConvertible {
        case confirm
        case nack
        case returned
        case connectionLost
        case backlogFull
        /// Never answers: reports a confirm owed since the call, until the caller gives up (cancels).
        case silence
        /// Confirms after `steps` confirms of other messages, one every `every`, each restarting the stall clock.
        case confirmSteadily(steps: Int, every: Duration)

        var description: String {
            switch self {
            case .confirm: "confirm"
            case .nack: "nack"
            case .returned: "return"
            case .connectionLost: "connection lost"
            case .backlogFull: "publisher backlog full"
            case .silence: "silence"
            case .confirmSteadily(let steps, let every): "\(steps) confirms every \(every)"
            }
        }
    }

    let answer: Answer
    private let calls = Atomic(0)
    private let cancelled = Atomic(0)
    private let reported: Mutex<PublisherStatus>

    init(answer: Answer, isConnected: Bool = true) {
        self.answer = answer
        reported = Mutex(PublisherStatus(isConnected: isConnected))
    }

    var publishCalls: Int { calls.load(ordering: .relaxed) }
    /// Calls whose caller stopped waiting (the task was cancelled).
    var cancelledCalls: Int { cancelled.load(ordering: .relaxed) }

    var status: PublisherStatus { reported.withLock { $0 } }

    func report(_ change: (inout PublisherStatus) -> Void) {
        reported.withLock { change(&$0) }
    }

    func publish(_ messages: [OutgoingMessage]) async throws {
        calls.add(1, ordering: .relaxed)
        switch answer {
        case .confirm: return
        case .nack: throw AMQPError(code: .publishNacked, message: "nack")
        case .returned: throw AMQPError(code: .publishReturned, message: "NO_ROUTE")
        case .connectionLost: throw AMQPError(code: .connectionClosed, message: "connection reset by peer")
        case .backlogFull: throw AMQPError(code: .backlogFull, message: "16 calls wait")
        case .silence:
            report { $0.awaitingConfirmSince = $0.awaitingConfirmSince ?? .now }
            do {
                try await Task.sleep(for: .seconds(3600))
            } catch {
                cancelled.add(1, ordering: .relaxed)
                throw error
            }
        case .confirmSteadily(let steps, let every):
            report { $0.awaitingConfirmSince = .now }
            for _ in 0..<steps {
                try await Task.sleep(for: every)
                report { $0.awaitingConfirmSince = .now }
            }
            report { $0.awaitingConfirmSince = nil }
        }
    }
}

/// A spool that keeps what it is given in memory, or fails the way the test says.
final class ScriptedLog: DurableLog {
    enum Behaviour: Sendable {
        case writes
        case full
        case fails
    }

    let behaviour: Behaviour
    private let batches = Mutex<[[OutgoingMessage]]>([])

    init(_ behaviour: Behaviour = .writes) {
        self.behaviour = behaviour
    }

    var appended: [[OutgoingMessage]] { batches.withLock { $0 } }

    func append(_ messages: [OutgoingMessage]) async throws {
        switch behaviour {
        case .writes: batches.withLock { $0.append(messages) }
        case .full: throw SpoolError(code: .full, message: "the spool holds 16 MiB")
        case .fails: throw SpoolError(code: .io, message: "fsync failed: input/output error")
        }
    }
}
