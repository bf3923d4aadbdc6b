import Testing

@testable import EventCore

@Suite struct EnvironmentHelpTests {
    @Test func alignsNamesDefaultsAndMeaningsInTheOrderRead() {
        let text = EnvironmentHelp.render(
            [
                EnvironmentRead(name: "PORT", defaultValue: "8017"),
                EnvironmentRead(name: "LOG_LEVEL", defaultValue: "info"),
            ],
            meanings: ["PORT": "gRPC port"]
        )
        #expect(text == "  PORT       8017  gRPC port\n  LOG_LEVEL  info  ?")
    }
}
