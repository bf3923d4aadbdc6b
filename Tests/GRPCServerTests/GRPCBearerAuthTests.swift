import EventCore
import Foundation
import Testing

@testable import GRPCServer
@testable import HTTP2Server

@Suite struct GRPCBearerAuthTests {
    let auth: GRPCBearerAuth

    init() throws {
        auth = try GRPCBearerAuth(tokens: ["s3cret-one", "  second-token  "])
    }

    func context(_ authorization: String?) -> GRPCCallContext {
        GRPCCallContext(
            path: "/event.EventService/dispatch",
            headers: authorization.map { [HTTPField("authorization", $0)] } ?? []
        )
    }

    @Test(arguments: ["Bearer s3cret-one", "bearer second-token", "BEARER s3cret-one"])
    func configuredTokensPass(header: String) async throws {
        let handler = auth.protect { message, _ in Array(message) }
        #expect(try await handler([1, 2], context(header)) == [1, 2])
    }

    @Test(
        arguments: [
            nil, "", "Bearer", "Bearer ", "Basic s3cret-one", "Bearer s3cret-on", "Bearer s3cret-one2", "s3cret-one",
            "Bearer S3CRET-ONE", "Bearer  s3cret-one",
        ] as [String?]
    )
    func anythingElseIsUnauthenticatedAndTheHandlerDoesNotRun(header: String?) async {
        let handler = auth.protect { _, _ in
            Issue.record("the handler ran without a valid token")
            return []
        }
        do {
            _ = try await handler([], context(header))
            Issue.record("no error thrown")
        } catch let status as GRPCStatus {
            #expect(status.code == .unauthenticated)
            #expect(!status.message.contains("s3cret"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func constantTimeEqualityComparesWholeContents() {
        #expect(GRPCBearerAuth.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!GRPCBearerAuth.constantTimeEqual(Array("abc".utf8), Array("abd".utf8)))
        #expect(!GRPCBearerAuth.constantTimeEqual(Array("abc".utf8), Array("ab".utf8)))
        #expect(!GRPCBearerAuth.constantTimeEqual(Array("ab".utf8), Array("ab\0".utf8)))
        #expect(!GRPCBearerAuth.constantTimeEqual(Array("abc".utf8), []))
    }

    @Test func fileWithOneTokenPerLineSkipsBlanksAndComments() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)").path
        try "# clients\n\ntoken-a\r\ntoken-b\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { removeFile(path) }
        let fromFile = try GRPCBearerAuth(contentsOfFile: path)
        try fromFile.authorize([HTTPField("authorization", "Bearer token-b")])
        #expect(throws: GRPCStatus.self) { try fromFile.authorize([HTTPField("authorization", "Bearer # clients")]) }
    }

    @Test func missingOrEmptyFileStopsStartUp() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)").path
        #expect(throws: ConfigurationError.self) { try GRPCBearerAuth(contentsOfFile: path) }
        try "\n# nothing\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { removeFile(path) }
        #expect(throws: ConfigurationError.self) { try GRPCBearerAuth(contentsOfFile: path) }
    }
}

private func removeFile(_ path: String) {
    do {
        try FileManager.default.removeItem(atPath: path)
    } catch {
        Issue.record("cannot remove \(path): \(error)")
    }
}
