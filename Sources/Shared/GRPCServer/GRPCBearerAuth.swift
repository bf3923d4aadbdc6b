public import EventCore
import Foundation
public import HTTP2Server

/// Optional bearer-token authentication for chosen methods: the call must carry `authorization: Bearer <token>`
/// with one of the configured tokens, otherwise it is answered UNAUTHENTICATED before the handler runs.
///
/// Tokens are compared in constant time (no early exit on the first differing byte) and never logged or echoed.
/// Each token may carry a client name (`name:token` or `name token`), which log lines use to say who called;
/// a token without a name is known by a short fingerprint (`token-` and 8 hex digits of a hash), which cannot be
/// turned back into the token.
public struct GRPCBearerAuth: Sendable {
    private let tokens: [(name: String, bytes: [UInt8])]

    /// At least one token; empty ones are not allowed (they would match an empty header). Each entry is a token,
    /// `name:token` or `name token` (a name is 1 to 64 letters, digits, `.`, `_` or `-`).
    public init(tokens: [String]) throws(ConfigurationError) {
        let usable = tokens.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map(Self.entry)
        guard !usable.isEmpty, usable.allSatisfy({ !$0.bytes.isEmpty }) else {
            throw ConfigurationError(variable: "AUTH_TOKENS_FILE", value: "", expected: "at least one token")
        }
        self.tokens = usable
    }

    /// Splits `name:token` or `name token`; anything else is a token alone, named by its fingerprint.
    static func entry(_ line: String) -> (name: String, bytes: [UInt8]) {
        let separator = line.firstIndex { $0 == " " || $0 == "\t" } ?? line.firstIndex(of: ":")
        if let separator {
            let name = String(line[..<separator])
            let token = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            if isClientName(name) { return (name, Array(token.utf8)) }
        }
        return (fingerprint(Array(line.utf8)), Array(line.utf8))
    }

    static func isClientName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x2E
                    || byte == 0x5F || byte == 0x2D
            }
    }

    /// `token-` and the first 8 hex digits of the token's 64-bit FNV-1a hash: tells tokens apart in logs; 32 bits
    /// of a hash leave every token length with countless preimages, so the token cannot be read back from it.
    public static func fingerprint(_ token: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in token {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let hex = String(hash >> 32, radix: 16)
        return "token-" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// Reads one token per line (`token`, `name:token` or `name token`); blank lines and lines starting with `#`
    /// are skipped.
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

    /// The client name of the bearer token `headers` carry; throws UNAUTHENTICATED unless it is configured.
    @discardableResult
    public func authorize(_ headers: [HTTPField]) throws(GRPCStatus) -> String {
        guard let value = headers.first(where: { $0.name == "authorization" })?.value else {
            throw GRPCStatus(.unauthenticated, "this method needs metadata authorization: Bearer <token>")
        }
        let prefix = "bearer "
        guard value.count > prefix.count, value.prefix(prefix.count).lowercased() == prefix else {
            throw GRPCStatus(.unauthenticated, "the authorization metadata must be Bearer <token>")
        }
        let presented = Array(value.utf8.dropFirst(prefix.utf8.count))
        var matched: String?
        for token in tokens where Self.constantTimeEqual(token.bytes, presented) {
            matched = token.name
        }
        guard let matched else {
            throw GRPCStatus(.unauthenticated, "the bearer token is not valid for this server")
        }
        return matched
    }

    /// Who presented `headers`, for a log line about a refused call: the configured name of a valid token, else
    /// the fingerprint of the bearer value presented (never the value), else `none`.
    public func identity(_ headers: [HTTPField]) -> String {
        if let name = try? authorize(headers) { return name }
        guard let value = headers.first(where: { $0.name == "authorization" })?.value else { return "none" }
        let bearer = value.lowercased().hasPrefix("bearer ") ? Array(value.utf8.dropFirst(7)) : Array(value.utf8)
        return Self.fingerprint(bearer)
    }

    /// `handler` behind the token check.
    public func protect(_ handler: @escaping GRPCUnaryHandler) -> GRPCUnaryHandler {
        { message, context in
            var context = context
            context.client = try authorize(context.headers)
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
