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

    @Test(arguments: [
        ("mobile:s3cret", "mobile"), ("web-app s3cret", "web-app"), ("ci\ts3cret", "ci"),
        ("s3cret", GRPCBearerAuth.fingerprint(Array("s3cret".utf8))),
    ])
    func namedTokensGiveTheirNameOthersAFingerprint(line: String, identity: String) async throws {
        let auth = try GRPCBearerAuth(tokens: [line])
        #expect(try auth.authorize([HTTPField("authorization", "Bearer s3cret")]) == identity)
        #expect(auth.identity([HTTPField("authorization", "Bearer s3cret")]) == identity)
        let handler = auth.protect { _, context in Array(context.client.utf8) }
        #expect(try await handler([], context("Bearer s3cret")) == Array(identity.utf8))
    }

    @Test func aRefusedTokenIsKnownByItsFingerprintNeverItsValue() {
        let identity = auth.identity([HTTPField("authorization", "Bearer guessed-token")])
        #expect(identity == GRPCBearerAuth.fingerprint(Array("guessed-token".utf8)))
        #expect(identity.hasPrefix("token-") && identity.count == 14 && !identity.contains("guessed"))
        #expect(auth.identity([]) == "none")
        #expect(GRPCBearerAuth.fingerprint(Array("a".utf8)) != GRPCBearerAuth.fingerprint(Array("b".utf8)))
    }

    @Test func aNameWithoutATokenIsRefused() {
        #expect(throws: ConfigurationError.self) { try GRPCBearerAuth(tokens: ["mobile:"]) }
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
