import AMQPClient
import Foundation
import Testing

@testable import EventTopology

@Suite struct TopologyTests {
    static var shippedFile: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../config/topology.json")
            .standardized
    }

    @Test func shippedFileEqualsBuiltInDefault() throws {
        #expect(try Topology.load(path: Self.shippedFile.path) == Topology.default)
    }

    @Test func defaultCoversBothFamiliesAndCatchesEveryEventInAnalytics() throws {
        try Topology.default.validate(source: "test")
        #expect(Topology.default.family(named: "analytics")?.queues.first?.bindings == ["#"])
        #expect(Topology.default.family(named: "logs")?.database == "logs")
    }

    @Test(arguments: [
        (##"{"exchange":{"name":"e","type":"topic"},"families":[]}"##, "families", "at least one family"),
        (##"{"exchange":{"name":"e","type":"headers"},"families":[]}"##, "exchange.type", "not one of"),
        (##"{"exchange":{"name":"e","type":"topic"}}"##, "families", "missing"),
        (
            ##"{"exchange":{"name":"e","type":"topic"},"families":[{"name":"a","database":"a-b","queues":[]}]}"##,
            "families[0].database", "identifier"
        ),
        (
            ##"{"exchange":{"name":"e","type":"topic"},"families":[{"name":"a","database":"a","queues":[{"name":"q","bindings":["#"],"consumers":0,"prefetch":1,"sink":"direct","table":"t"}]}]}"##,
            "families[0].queues[0].consumers", "between 1 and 256"
        ),
        (
            ##"{"exchange":{"name":"e","type":"topic"},"families":[{"name":"a","database":"a","queues":[{"name":"q","bindings":["#"],"consumers":1,"prefetch":1,"sink":"queued","table":"t"}]}]}"##,
            "families[0].queues[0].sink", "queued"
        ),
        (
            ##"{"exchange":{"name":"e","type":"topic"},"families":[{"name":"a","database":"a","queues":[{"name":"q","bindings":["#"],"consumers":1,"prefetch":1,"sink":"direct","table":"t","batchSize":10}]}]}"##,
            "families[0].queues[0].batchSize", "only for buffered sinks"
        ),
        (
            ##"{"exchange":{"name":"e","type":"topic"},"families":[{"name":"a","database":"a","queues":[{"name":"q","bindings":["#"],"consumers":1,"prefetch":9,"sink":"buffered","table":"t","batchSize":0}]}]}"##,
            "families[0].queues[0].batchSize", "not between 1 and 100000"
        ),
        (
            ##"{"exchange":{"name":"e","type":"topic"},"families":[{"name":"a","database":"a","queues":[{"name":"q","bindings":["#"],"consumers":1,"prefetch":9,"sink":"buffered","table":"t","batchAge":5}]}]}"##,
            "families[0].queues[0].batchAge", "not between 10 and 600000"
        ),
        (
            ##"{"exchange":{"name":"e","type":"topic"},"families":[{"name":"a","database":"a","queues":[{"name":"q","bindings":["#"],"consumers":1,"prefetch":9,"sink":"buffered","table":"t","batchAge":"1s"}]}]}"##,
            "families[0].queues[0].batchAge", "wrong type"
        ),
        (
            ##"{"exchange":{"name":"e","type":"topic"},"families":[{"name":"a","database":"a","queues":[{"name":"q","bindings":["#"],"consumers":1,"prefetch":9,"sink":"buffered","table":"t","batchBytes":1000}]}]}"##,
            "families[0].queues[0].batchBytes", "not between 65536 and 1073741824"
        ),
        (
            ##"{"exchange":{"name":"e","type":"topic"},"families":[{"name":"a","database":"a","queues":[{"name":"q","bindings":["#"],"consumers":1,"prefetch":1,"sink":"direct","table":"t","batchBytes":65536}]}]}"##,
            "families[0].queues[0].batchBytes", "only for buffered sinks"
        ),
        (
            ##"{"exchange":{"name":"e","type":"topic"},"families":[{"name":"a","database":"a","queues":[{"name":"q","bindings":["#"],"consumers":1,"prefetch":1,"sink":"direct","table":"t;drop"}]}]}"##,
            "families[0].queues[0].table", "identifier"
        ),
    ])
    func badFilesNameTheEntryAndTheProblem(json: String, entry: String, problem: String) {
        #expect {
            try Topology.decode(Data(json.utf8), source: "bad.json")
        } throws: { error in
            guard let error = error as? TopologyError else { return false }
            return error.source == "bad.json" && error.entry == entry && error.problem.contains(problem)
        }
    }

    @Test func defaultLogsFamilyBuffersWithTwentyConsumersOnItsBusiestQueue() throws {
        let logs = try #require(Topology.default.family(named: "logs"))
        #expect(logs.queues.allSatisfy { $0.sink == .buffered && $0.prefetch > 1 })
        #expect(logs.queues.map(\.consumers).max() == 20)
        #expect(Topology.default.family(named: "analytics")?.queues.allSatisfy { $0.sink == .direct } == true)
    }

    @Test func bufferedQueuesFallBackToTheDefaultBatchSettings() throws {
        let json =
            ##"{"exchange":{"name":"e","type":"topic"},"families":[{"name":"a","database":"a","queues":[{"name":"q","bindings":["#"],"consumers":1,"prefetch":50,"sink":"buffered","table":"t"}]}]}"##
        let queue = try #require(try Topology.decode(Data(json.utf8), source: "test").families.first?.queues.first)
        #expect(queue.effectiveBatchSize == 1000)
        #expect(queue.effectiveBatchAge == .seconds(1))
        #expect(queue.effectiveBatchBytes == 4 << 20)
        #expect(queue.batchSize == nil && queue.batchAge == nil && queue.batchBytes == nil)
    }

    @Test func selectingAFamilyAndItsQueues() throws {
        let logs = try Topology.default.selectFamily("logs", queues: ["logs.post"])
        #expect(logs.queues.map(\.name) == ["logs.post"])
        #expect(throws: TopologyError.self) { try Topology.default.selectFamily("nope", queues: []) }
        #expect(throws: TopologyError.self) { try Topology.default.selectFamily("logs", queues: ["analytics.events"]) }
    }

    @Test func declarationsGiveEachQueueADeadLetterQueue() {
        let declarations = Topology.default.amqpDeclarations(for: Topology.default.families)
        #expect(declarations.first == .exchange(name: "events", type: "topic", durable: true))
        #expect(declarations.contains(.binding(queue: "analytics.events", exchange: "events", routingKey: "#")))
        #expect(declarations.contains { if case .queue(name: "logs.post.dlq", _, _) = $0 { true } else { false } })
    }
}
