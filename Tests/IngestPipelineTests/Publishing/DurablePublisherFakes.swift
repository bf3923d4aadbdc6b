import AMQPClient
import IngestPipeline
import Synchronization

/// A broker that answers every publish the way the test says, and counts the calls.
final class ScriptedBroker: ConfirmingPublisher {
    enum Answer: Sendable, CustomStringConvertible {
        case confirm
        case nack
        case returned
        case connectionLost
        /// Never answers: only the caller's confirm timeout ends the wait.
        case silence

        var description: String {
            switch self {
            case .confirm: "confirm"
            case .nack: "nack"
            case .returned: "return"
            case .connectionLost: "connection lost"
            case .silence: "silence"
            }
        }
    }

    let answer: Answer
    let isConnected: Bool
    private let calls = Atomic(0)

    init(answer: Answer, isConnected: Bool = true) {
        self.answer = answer
        self.isConnected = isConnected
    }

    var publishCalls: Int { calls.load(ordering: .relaxed) }

    func publish(_ messages: [OutgoingMessage]) async throws {
        calls.add(1, ordering: .relaxed)
        switch answer {
        case .confirm: return
        case .nack: throw AMQPError(code: .publishNacked, message: "nack")
        case .returned: throw AMQPError(code: .publishReturned, message: "NO_ROUTE")
        case .connectionLost: throw AMQPError(code: .connectionClosed, message: "connection reset by peer")
        case .silence: try await Task.sleep(for: .seconds(3600))
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
