import Testing

@testable import ClickHouseClient

@Suite struct ClickHouseErrorTests {
    @Test func parsesTheBodyOfClickHouse18() {
        let body = "Code: 60, e.displayText() = DB::Exception: Table x doesn't exist., e.what() = DB::Exception\n"
        let error = ClickHouseError.server(status: 404, body: Array(body.utf8))
        #expect(error.code == .serverError)
        #expect(error.httpStatus == 404)
        #expect(error.serverCode == 60)
        #expect(error.serverMessage == "DB::Exception: Table x doesn't exist.")
        #expect(error.message.contains("create it or fix the name"))
    }

    @Test func parsesTheBodyOfCurrentReleases() {
        let body =
            "Code: 62. DB::Exception: Syntax error: failed at position 1 ('SELEC'). (SYNTAX_ERROR) "
            + "(version 23.8.2.7 (official build))\n"
        let error = ClickHouseError.server(status: 400, body: Array(body.utf8))
        #expect(error.serverCode == 62)
        #expect(error.serverMessage == "DB::Exception: Syntax error: failed at position 1 ('SELEC'). (SYNTAX_ERROR)")
    }

    @Test func keepsABodyThatIsNotClickHouses() {
        let error = ClickHouseError.server(status: 502, body: Array("<html>Bad Gateway</html>".utf8))
        #expect(error.httpStatus == 502)
        #expect(error.serverCode == nil)
        #expect(error.serverMessage == "<html>Bad Gateway</html>")
    }

    @Test(arguments: ["Code: , e.displayText() = x", "Code: 12x", "Code 60, e.displayText() = x", ""])
    func findsNoServerCodeInMalformedBodies(body: String) {
        #expect(ServerException(parsing: body) == nil)
    }

    @Test func boundsTheServerMessage() {
        let body = "Code: 27, e.displayText() = " + String(repeating: "z", count: 5000) + ", e.what() = DB::Exception"
        let error = ClickHouseError.server(status: 500, body: Array(body.utf8))
        #expect(error.serverMessage?.count == ClickHouseError.maximumServerMessageLength)
        #expect(error.serverCode == 27)
    }

    @Test(arguments: [(401, 516), (500, 193)])
    func adviceForCredentials(status: Int, code: Int) {
        let body = "Code: \(code), e.displayText() = DB::Exception: Wrong password, e.what() = DB::Exception"
        let error = ClickHouseError.server(status: status, body: Array(body.utf8))
        #expect(error.message.contains("user and password"))
    }

    @Test func descriptionNamesCodeStatusAndServerText() {
        let error = ClickHouseError(
            code: .serverError,
            message: "Fix it.",
            httpStatus: 404,
            serverCode: 60,
            serverMessage: "no table"
        )
        #expect(
            error.description
                == "ClickHouseError(serverError): Fix it. [HTTP 404] [server code 60] server said: no table"
        )
    }
}
