import Foundation
import Testing

@testable import Shared

@Suite struct TopologyTests {
    static var shippedFile: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../config/topology.json")
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
        (##"{"exchange":{"name":"e","type":"topic"},"families":[{"name":"a","database":"a-b","queues":[]}]}"##,
         "families[0].database", "identifier"),
        (##"{"exchange":{"name":"e","type":"topic"},"families":[{"name":"a","database":"a","queues":[{"name":"q","bindings":["#"],"consumers":0,"prefetch":1,"sink":"direct","table":"t"}]}]}"##,
         "families[0].queues[0].consumers", "between 1 and 256"),
        (##"{"exchange":{"name":"e","type":"topic"},"families":[{"name":"a","database":"a","queues":[{"name":"q","bindings":["#"],"consumers":1,"prefetch":1,"sink":"buffered","table":"t"}]}]}"##,
         "families[0].queues[0].sink", "buffered"),
        (##"{"exchange":{"name":"e","type":"topic"},"families":[{"name":"a","database":"a","queues":[{"name":"q","bindings":["#"],"consumers":1,"prefetch":1,"sink":"direct","table":"t;drop"}]}]}"##,
         "families[0].queues[0].table", "identifier"),
    ])
    func badFilesNameTheEntryAndTheProblem(json: String, entry: String, problem: String) {
        #expect {
            try Topology.decode(Data(json.utf8), source: "bad.json")
        } throws: { error in
            guard let error = error as? TopologyError else { return false }
            return error.source == "bad.json" && error.entry == entry && error.problem.contains(problem)
        }
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
