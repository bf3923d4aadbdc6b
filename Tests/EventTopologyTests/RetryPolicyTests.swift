import AMQPClient
import Foundation
import Testing

@testable import EventTopology

@Suite struct RetryPolicyTests {
    @Test func defaultRetriesTwiceWithGrowingDelays() throws {
        let policy = RetryPolicy.default
        #expect(policy.problem == nil)
        #expect(policy.maximumRetries == 2)
        let first = try #require(policy.delay(beforeRetry: 1))
        let second = try #require(policy.delay(beforeRetry: 2))
        #expect(first < second)
        #expect(policy.delay(beforeRetry: 0) == nil)
        #expect(policy.delay(beforeRetry: 3) == nil)
    }

    @Test(
        arguments: [
            ([1000, 500], "shorter than the delay before it"),
            ([0], "not between 1 and"),
            ([1000, 4_000_000], "not between 1 and"),
            (Array(repeating: 1000, count: 11), "at most 10 retries"),
        ] as [([Int64], String)]
    )
    func badPoliciesAreNamed(delays: [Int64], problem: String) {
        #expect(RetryPolicy(delaysMilliseconds: delays).problem?.contains(problem) == true)
    }

    @Test func noRetriesIsAllowed() {
        #expect(RetryPolicy(delaysMilliseconds: []).problem == nil)
    }

    @Test func aQueueWithoutRetryGetsTheDefaultAndABadOneStopsLoading() throws {
        let base =
            ##"{"exchange":{"name":"e","type":"topic"},"families":[{"name":"a","database":"a","queues":[{"name":"q","bindings":["#"],"consumers":1,"prefetch":1,"sink":"direct","table":"t"RETRY}]}]}"##
        let plain = try Topology.decode(Data(base.replacingOccurrences(of: "RETRY", with: "").utf8), source: "t")
        #expect(plain.families[0].queues[0].retry == .default)
        let custom = base.replacingOccurrences(of: "RETRY", with: #","retry":{"delays_ms":[10,20,30]}"#)
        #expect(try Topology.decode(Data(custom.utf8), source: "t").families[0].queues[0].retry.maximumRetries == 3)
        let bad = base.replacingOccurrences(of: "RETRY", with: #","retry":{"delays_ms":[20,10]}"#)
        #expect {
            try Topology.decode(Data(bad.utf8), source: "bad.json")
        } throws: { error in
            (error as? TopologyError)?.entry == "families[0].queues[0].retry"
        }
    }

    @Test(arguments: ["q.dlq", "q.retry.1"])
    func queueNamesReservedForRetryAndDeadLettersAreRefused(name: String) {
        let json =
            ##"{"exchange":{"name":"e","type":"topic"},"families":[{"name":"a","database":"a","queues":[{"name":"NAME","bindings":["#"],"consumers":1,"prefetch":1,"sink":"direct","table":"t"}]}]}"##
        #expect {
            try Topology.decode(Data(json.replacingOccurrences(of: "NAME", with: name).utf8), source: "bad.json")
        } throws: { error in
            (error as? TopologyError)?.entry == "families[0].queues[0].name"
        }
    }

    @Test func eachRetryStepIsAQueueThatDeadLettersBackToItsOwnQueueOnly() {
        let declarations = Topology.default.amqpDeclarations(for: Topology.default.families)
        for queue in Topology.default.families.flatMap(\.queues) {
            for number in 1...queue.retry.maximumRetries {
                let expected = AMQPDeclaration.queue(
                    name: "\(queue.name).retry.\(number)",
                    durable: true,
                    arguments: ["x-dead-letter-exchange": "", "x-dead-letter-routing-key": .string(queue.name)]
                )
                #expect(declarations.contains(expected))
            }
            // The queue's own arguments are unchanged from the first release (a change would make RabbitMQ
            // refuse the declaration with 406 on existing brokers).
            #expect(
                declarations.contains(
                    .queue(
                        name: queue.name,
                        durable: true,
                        arguments: [
                            "x-dead-letter-exchange": "", "x-dead-letter-routing-key": .string(queue.deadLetterQueue),
                        ]
                    )
                )
            )
        }
        let retryBindings = declarations.filter {
            if case .binding(let queue, _, _) = $0 { queue.contains(".retry.") } else { false }
        }
        #expect(retryBindings.isEmpty)
    }
}
