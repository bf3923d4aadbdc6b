public import EventCore
import Foundation
public import HTTP2Server

/// Optional bearer-token authentication for chosen methods: the call must carry `authorization: Bearer <token>`
/// with one of the configured tokens, otherwise it is answered UNAUTHENTICATED before the handler runs.
///
/// Tokens are compared in constant time (no early exit on the first differing byte) and never logged or echoed.
public struct GRPCBearerAuth: Sendable {
    private let tokens: [[UInt8]]

    /// At least one token; empty ones are not allowed (they would match an empty header).
    public init(tokens: [String]) throws(ConfigurationError) {
        let usable = tokens.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !usable.isEmpty else {
            throw ConfigurationError(variable: "AUTH_TOKENS_FILE", value: "", expected: "at least one token")
        }
        self.tokens = usable.map { Array($0.utf8) }
    }

    /// Reads one token per line; blank lines and lines starting with `#` are skipped.
    public init(contentsOfFile path: String) throws(ConfigurationError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(
                variable: "AUTH_TOKENS_FILE",
                value: path,
                expected: "a readable UTF-8 file with one token per line"
            )
        }
        let lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.hasPrefix("#") }
        do {
            try self.init(tokens: lines)
        } catch {
            throw ConfigurationError(variable: "AUTH_TOKENS_FILE", value: path, expected: "at least one token")
        }
    }

    /// Throws UNAUTHENTICATED unless `headers` carry a configured bearer token.
    public func authorize(_ headers: [HTTPField]) throws(GRPCStatus) {
        guard let value = headers.first(where: { $0.name == "authorization" })?.value else {
            throw GRPCStatus(.unauthenticated, "this method needs metadata authorization: Bearer <token>")
        }
        let prefix = "bearer "
        guard value.count > prefix.count, value.prefix(prefix.count).lowercased() == prefix else {
            throw GRPCStatus(.unauthenticated, "the authorization metadata must be Bearer <token>")
        }
        let presented = Array(value.utf8.dropFirst(prefix.utf8.count))
        var matched = false
        for token in tokens where Self.constantTimeEqual(token, presented) {
            matched = true
        }
        guard matched else {
            throw GRPCStatus(.unauthenticated, "the bearer token is not valid for this server")
        }
    }

    /// `handler` behind the token check.
    public func protect(_ handler: @escaping GRPCUnaryHandler) -> GRPCUnaryHandler {
        { message, context in
            try authorize(context.headers)
            return try await handler(message, context)
        }
    }

    /// Equal contents, in time that depends only on the lengths.
    static func constantTimeEqual(_ expected: [UInt8], _ presented: [UInt8]) -> Bool {
        var difference = UInt8(expected.count == presented.count ? 0 : 1)
        for index in expected.indices {
            difference |= expected[index] ^ (index < presented.count ? presented[index] : 0)
        }
        return difference == 0
    }
}
