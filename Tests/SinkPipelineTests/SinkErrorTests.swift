import ClickHouseClient
import Testing

@testable import SinkPipeline

@Suite struct SinkErrorTests {
    static let table = try! QualifiedTable(parsing: "analytics.events")

    @Test func aServerAnswerIsARefusalThatTakesTheRetryPath() {
        let refusal = ClickHouseError(
            code: .serverError,
            message: "HTTP 404",
            httpStatus: 404,
            serverCode: 60,
            serverMessage: "Table analytics.events doesn't exist"
        )
        let error = SinkError(inserting: Self.table, refusal)
        #expect(error.code == .insertRefused)
        #expect(error.failure == .insert)
        #expect(
            error.message
                == "insert into analytics.events failed: HTTP 404, code 60: Table analytics.events doesn't exist"
        )
    }

    @Test func noAnswerIsAnOutageThatIsNeverDeadLettered() {
        let error = SinkError(
            inserting: Self.table,
            ClickHouseError(code: .connectionFailed, message: "connection refused")
        )
        #expect(error.code == .unreachable)
        #expect(error.failure == nil)
    }
}
