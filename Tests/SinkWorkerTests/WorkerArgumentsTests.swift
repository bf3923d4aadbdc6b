import EventCore
import Testing

@testable import SinkWorker

@Suite struct WorkerArgumentsTests {
    @Test func workerArguments() throws {
        #expect(
            try WorkerArguments.parse(["--family", "logs", "--queue", "logs.post"])
                == WorkerArguments(family: "logs", queues: ["logs.post"])
        )
        #expect(throws: ArgumentError.self) { try WorkerArguments.parse([]) }
        #expect(throws: ArgumentError.self) { try WorkerArguments.parse(["--family"]) }
        #expect(throws: ArgumentError.self) { try WorkerArguments.parse(["--family", "a", "--bogus", "b"]) }
    }

    @Test func workerConfigurationDefaultsToAdminOnLoopbackPort8021() throws {
        let worker = try WorkerConfiguration(environment: Environment([:]))
        #expect(worker.admin == AdminSettings(port: 8021))
        #expect(worker.insertTimeout == .seconds(10))
    }
}
