import AMQPClient
import EventCore
import Testing

@testable import IngestPipeline

/// Every decision of promise P1 ("acknowledged means durable"): a batch is answered SUCCESS only when the broker
/// confirmed it or the spool holds it; a broker refusal or a spool that cannot take the batch is UNAVAILABLE, and
/// nothing refused is spooled.
@Suite struct DurablePublisherTests {
    static let batch = [
        OutgoingMessage(
            exchange: "events",
            routingKey: "app.open",
            body: Array(#"{"events":[]}"#.utf8),
            messageID: "m1"
        )
    ]

    struct Case: Sendable, CustomStringConvertible {
        var broker: ScriptedBroker.Answer
        var connected = true
        var log = ScriptedLog.Behaviour.writes
        /// The outcome, or nil when the call must fail with UNAVAILABLE.
        var outcome: DurablePublisher.Outcome?
        var spooled: Bool
        /// The counter that records the decision, by its metric name.
        var counter: String?

        var description: String {
            "\(broker)\(connected ? "" : ", disconnected"), spool \(log) -> \(outcome.map { "\($0)" } ?? "UNAVAILABLE")"
        }
    }

    static let cases: [Case] = [
        Case(broker: .confirm, outcome: .confirmed, spooled: false, counter: nil),
        Case(broker: .nack, outcome: nil, spooled: false, counter: "eventgrpc_gateway_batches_nacked_total"),
        Case(broker: .returned, outcome: nil, spooled: false, counter: "eventgrpc_gateway_batches_unroutable_total"),
        Case(
            broker: .connectionLost,
            outcome: .spooled,
            spooled: true,
            counter: "eventgrpc_gateway_batches_spooled_total"
        ),
        Case(broker: .silence, outcome: .spooled, spooled: true, counter: "eventgrpc_gateway_confirm_timeouts_total"),
        Case(
            broker: .backlogFull,
            outcome: .spooled,
            spooled: true,
            counter: "eventgrpc_gateway_batches_spooled_total"
        ),
        Case(
            broker: .confirm,
            connected: false,
            outcome: .spooled,
            spooled: true,
            counter: "eventgrpc_gateway_batches_spooled_total"
        ),
        Case(
            broker: .connectionLost,
            log: .full,
            outcome: nil,
            spooled: false,
            counter: "eventgrpc_gateway_spool_refusals_total"
        ),
        Case(
            broker: .silence,
            log: .fails,
            outcome: nil,
            spooled: false,
            counter: "eventgrpc_gateway_spool_refusals_total"
        ),
        Case(
            broker: .confirm,
            connected: false,
            log: .full,
            outcome: nil,
            spooled: false,
            counter: "eventgrpc_gateway_spool_refusals_total"
        ),
    ]

    @Test(arguments: cases)
    func answersOnlyWhatIsDurable(_ scenario: Case) async throws {
        let broker = ScriptedBroker(answer: scenario.broker, isConnected: scenario.connected)
        let log = ScriptedLog(scenario.log)
        let registry = MetricsRegistry()
        // Only silence should reach the confirm timeout; the broker's scripted answers must win against it even on
        // a loaded machine.
        let silent = if case .silence = scenario.broker { true } else { false }
        let publisher = DurablePublisher(
            publisher: broker,
            spool: log,
            confirmTimeout: silent ? .milliseconds(50) : .seconds(10),
            metrics: DurablePublisherMetrics(registry: registry),
            logger: Logger(label: "test", minimumLevel: .critical)
        )
        if let expected = scenario.outcome {
            #expect(try await publisher.publish(Self.batch) == expected)
        } else {
            let error = await #expect(throws: IngestError.self) { try await publisher.publish(Self.batch) }
            #expect(error?.code == .unavailable)
        }
        #expect(log.appended == (scenario.spooled ? [Self.batch] : []))
        #expect(broker.publishCalls == (scenario.connected ? 1 : 0), "a disconnected publisher is not asked")
        if let counter = scenario.counter {
            #expect(registry.render().contains("\(counter) 1\n"), "\(counter) must count the decision")
        }
    }

    @Test func aSpoolFailureSaysWhetherTheSpoolIsFull() async throws {
        for (behaviour, words) in [(ScriptedLog.Behaviour.full, "spool is full"), (.fails, "spool failed")] {
            let publisher = DurablePublisher(
                publisher: ScriptedBroker(answer: .confirm, isConnected: false),
                spool: ScriptedLog(behaviour),
                confirmTimeout: .milliseconds(50),
                metrics: DurablePublisherMetrics(registry: MetricsRegistry()),
                logger: Logger(label: "test", minimumLevel: .critical)
            )
            let error = await #expect(throws: IngestError.self) { try await publisher.publish(Self.batch) }
            #expect(error?.message.contains(words) == true, "\(error?.message ?? "")")
            #expect(error?.cause is SpoolError)
        }
    }
}
