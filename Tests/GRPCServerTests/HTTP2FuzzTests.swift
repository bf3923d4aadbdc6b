import EventWire
import Foundation
import Testing

@testable import GRPCServer
@testable import HTTP2Server

/// Deterministic random-input tests: random and mutated HTTP/2 frame sequences into a real `HTTP2Connection`,
/// random gRPC requests into the router, random bytes into the protobuf decoder. Nothing may crash or hang.
///
/// `FUZZ_SECONDS` (used by `make fuzz`) keeps taking new seeds for that long; otherwise a fixed set of seeds runs.
/// A failure names its seed; a crash found this way becomes a regression case in `regressionSeeds`.
@Suite struct HTTP2FuzzTests {
    static let regressionSeeds: [UInt64] = []

    static func seeds(defaultCount: Int) -> AnySequence<UInt64> {
        guard let seconds = ProcessInfo.processInfo.environment["FUZZ_SECONDS"].flatMap(Double.init) else {
            return AnySequence(Array(1...UInt64(defaultCount)) + regressionSeeds)
        }
        let deadline = Date().addingTimeInterval(seconds)
        return AnySequence(sequence(first: UInt64(1)) { seed in Date() < deadline ? seed + 1 : nil })
    }

    @Test func randomFrameSequencesNeverCrashOrHangTheConnection() async throws {
        var count = 0
        for seed in Self.seeds(defaultCount: Int(ProcessInfo.processInfo.environment["FUZZ_FRAMES"] ?? "") ?? 150) {
            var random = SeededRandom(seed: seed)
            let configuration = HTTP2FuzzFrames.configuration(&random)
            let server = try SocketPairServer(
                handler: HTTP2ConnectionTests.router(limit: 2048),
                configuration: configuration
            )
            var input = HTTP2FuzzFrames.sequence(&random)
            HTTP2FuzzFrames.mutate(&input, &random)
            var offset = 0
            while offset < input.count {
                let size = min(input.count - offset, random.next(upTo: 4096) + 1)
                guard server.write(Array(input[offset..<offset + size])) else { break }
                offset += size
                _ = server.read(milliseconds: 0)
            }
            shutdown(server.clientSocket, Int32(SHUT_WR))
            let deadline = ContinuousClock.now + .seconds(20)
            while server.read(milliseconds: 5) != nil && ContinuousClock.now < deadline { await Task.yield() }
            #expect(await server.waitForExit(), "seed \(seed): the connection did not close after the client did")
            count += 1
        }
        print("HTTP/2 fuzz: \(count) frame sequences")
    }

    @Test func randomRequestsAlwaysGetAResponse() async {
        var router = HTTP2ConnectionTests.router(limit: 2048)
        router.register("/event.EventService/dispatch") { message, _ in
            DispatchResponse(status: "SUCCESS", message: "\(try Events(protobuf: message).events.count)")
                .protobufBytes()
        }
        var count = 0
        for seed in Self.seeds(defaultCount: 2000) {
            var random = SeededRandom(seed: seed)
            let request = HTTP2FuzzFrames.request(&random)
            let recorder = ResponseRecorder()
            if random.next(upTo: 2) == 0 || request.path == "/test.Echo/watch" {
                recorder.writer.interrupt(random.next(upTo: 2) == 0 ? .closed : .serverDraining)
            }
            await router.handle(request, response: recorder.writer)
            #expect(recorder.writer.isFinished, "seed \(seed): the router left the request unanswered")
            count += 1
        }
        print("gRPC router fuzz: \(count) requests")
    }

    @Test func protobufDecoderSurvivesMutatedAndRandomInput() throws {
        let full = Events(
            header: Header(sessionId: "s", bbDeviceId: 7, deviceId: "d", appVersion: "1.0", utmCampaign: "c"),
            events: [
                Event(
                    id: "e1",
                    timestamp: "1700000000000",
                    currentURL: "/a",
                    type: "app.open",
                    attributes: [Attribute(key: "k", value: .string("v")), Attribute(key: "n", value: .int(-3))],
                    experimentIds: [1, 2]
                )
            ]
        )
        let golden = [full.protobufBytes(), Events().protobufBytes(), Array("\n\u{5}event".utf8)]
        var count = 0
        var refused = 0
        for seed in Self.seeds(defaultCount: 5000) {
            var random = SeededRandom(seed: seed)
            var input = random.next(upTo: 4) == 0 ? random.bytes(random.next(upTo: 300)) : golden[random.next(upTo: 3)]
            HTTP2FuzzFrames.mutate(&input, &random)
            do {
                _ = try Events(protobuf: input[...]).protobufBytes()
                _ = try HealthCheckRequest(protobuf: input[...])
            } catch {
                refused += 1  // a WireError is the expected answer to most inputs; a crash is the failure
            }
            count += 1
        }
        #expect(refused > 0 && refused < count, "the inputs should mix valid and invalid messages")
        print("protobuf fuzz: \(count) inputs, \(refused) refused with a WireError")
    }
}
