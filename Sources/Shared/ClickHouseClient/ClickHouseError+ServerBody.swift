import Foundation

extension ClickHouseError {
    /// The error for an HTTP answer other than 200, reading ClickHouse's exception out of the body.
    ///
    /// ClickHouse 18.16 writes `Code: 60, e.displayText() = DB::Exception: ..., e.what() = DB::Exception`;
    /// current releases write `Code: 60. DB::Exception: ... (UNKNOWN_TABLE) (version 23.8.1)`. A body in
    /// neither form (a proxy's page) is kept as the server message with no server code.
    static func server(status: Int, body: [UInt8]) -> ClickHouseError {
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let parsed = ServerException(parsing: text)
        return ClickHouseError(
            code: .serverError,
            message: advice(status: status, serverCode: parsed?.code),
            httpStatus: status,
            serverCode: parsed?.code,
            serverMessage: parsed?.text ?? (text.isEmpty ? nil : text)
        )
    }

    private static func advice(status: Int, serverCode: Int?) -> String {
        switch (status, serverCode) {
        case (401, _), (403, _), (_, 192), (_, 193), (_, 516):
            "ClickHouse refused the credentials: check the configured user and password."
        case (404, _):
            "ClickHouse does not know a name in the statement (table, database, type or setting): create it "
                + "or fix the name."
        case (400, _):
            "ClickHouse could not parse the statement or the rows: fix the statement or the row encoding."
        default:
            "ClickHouse failed the statement (HTTP \(status)): read the server message and the server log."
        }
    }
}

/// ClickHouse's exception code and text, as found in an error body.
struct ServerException: Equatable {
    var code: Int
    var text: String

    init(code: Int, text: String) {
        self.code = code
        self.text = text
    }

    init?(parsing body: String) {
        guard body.hasPrefix("Code: ") else { return nil }
        let afterPrefix = body.dropFirst("Code: ".count)
        let digits = afterPrefix.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let code = Int(digits) else { return nil }
        var rest = afterPrefix.dropFirst(digits.count)
        if rest.hasPrefix(", e.displayText() = ") {
            rest = rest.dropFirst(", e.displayText() = ".count)
            if let what = rest.range(of: ", e.what() = ", options: .backwards) {
                rest = rest[..<what.lowerBound]
            }
        } else if rest.hasPrefix(". ") {
            rest = rest.dropFirst(2)
            if let version = rest.range(of: " (version ", options: .backwards) {
                rest = rest[..<version.lowerBound]
            }
        } else {
            return nil
        }
        self.init(code: code, text: String(rest).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
