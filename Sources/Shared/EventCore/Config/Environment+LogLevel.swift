extension Environment {
    /// `LOG_LEVEL`, default `info`.
    public func logLevel() throws -> Logger.Level {
        let raw = string("LOG_LEVEL", default: "info")
        guard let level = Logger.Level(name: raw) else {
            throw ConfigurationError(
                variable: "LOG_LEVEL",
                value: raw,
                expected: "trace, debug, info, notice, warning, error or critical"
            )
        }
        return level
    }
}
