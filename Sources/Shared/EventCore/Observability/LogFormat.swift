/// How log lines are written (`LOG_FORMAT`): one JSON object per line for machines (the default), or a human line
/// for a terminal (`make run`).
public enum LogFormat: String, Sendable, CaseIterable {
    /// `{"ts":"...","level":"info","label":"gateway","msg":"...","amqp.port":5672}`
    case json
    /// `2026-01-02T03:04:05.678Z INFO gateway: msg amqp.port=5672 error.message="connection refused"`
    case text
}
