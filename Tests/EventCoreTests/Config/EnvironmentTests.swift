import Testing

@testable import EventCore

@Suite struct EnvironmentTests {
    @Test(arguments: [
        ("10s", Duration.seconds(10)), ("250ms", .milliseconds(250)), ("2m", .seconds(120)), ("3", .seconds(3)),
    ])
    func parsesDurations(text: String, expected: Duration) {
        #expect(Environment.parseDuration(text) == expected)
    }
}
