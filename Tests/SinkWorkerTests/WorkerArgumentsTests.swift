import EventCore
import Testing

@testable import SinkWorker

@Suite struct WorkerArgumentsTests {
    @Test(arguments: [
        ["--family", "logs", "--queue", "logs.post"], ["--family=logs", "--queue=logs.post"],
        ["--queue", "logs.post", "--family=logs"],
    ])
    func workerArgumentsInBothSpellings(arguments: [String]) throws {
        #expect(try WorkerArguments.parse(arguments) == WorkerArguments(family: "logs", queues: ["logs.post"]))
    }

    @Test(arguments: [
        [String](), ["--family"], ["--family="], ["--family", "a", "--bogus", "b"], ["--family", "a", "extra"],
        ["--family", "a", "--family", "b"], ["--queue", "q"],
    ])
    func badWorkerArgumentsAreRefused(arguments: [String]) {
        #expect(throws: ArgumentError.self) { try WorkerArguments.parse(arguments) }
    }

    @Test func workerConfigurationDefaultsToAdminOnLoopbackPort8021() throws {
        let worker = try WorkerConfiguration(environment: Environment([:]))
        #expect(worker.admin == AdminSettings(port: 8021))
        #expect(worker.insertTimeout == .seconds(10))
    }
}
