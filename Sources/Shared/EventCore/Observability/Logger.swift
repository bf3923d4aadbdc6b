/// A structured logger: one line per event on standard error (JSON by default, `LogFormat`), written whole under a
/// lock.
///
/// Every line has `ts`, `level`, `msg` and the logger's `label`, then dot-keyed metadata (`amqp.host`,
/// `error.message`, ...) with typed values (`LogValue`). A key is never also the prefix of another key
/// (`reason.text` next to `reason.class`, not `reason`). Messages are autoclosures: a disabled level costs nothing.
public struct Logger: Sendable {
    /// Severity, in increasing order.
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        /// Parses `trace`, `debug`, `info`, `notice`, `warning` (or `warn`), `error` or `critical`, in any case.
        public init?(name: String) {
            let lowercased = name.lowercased() == "warn" ? "warning" : name.lowercased()
            guard let level = Level.allCases.first(where: { "\($0)" == lowercased }) else { return nil }
            self = level
        }
    }

    /// Metadata: dot-separated keys (`queue.name`) and typed values.
    public typealias Metadata = [String: LogValue]

    public let label: String
    public var minimumLevel: Level
    public var format: LogFormat
    public var metadata: Metadata
    private let sink: LogSink

    public init(label: String, minimumLevel: Level = .info, format: LogFormat = .json, metadata: Metadata = [:]) {
        self.init(label: label, minimumLevel: minimumLevel, format: format, metadata: metadata, sink: .standardError)
    }

    init(label: String, minimumLevel: Level, format: LogFormat = .json, metadata: Metadata, sink: LogSink) {
        self.label = label
        self.minimumLevel = minimumLevel
        self.format = format
        self.metadata = metadata
        self.sink = sink
    }

    /// A logger for a sub-component that keeps this logger's metadata and adds `extra`.
    public func with(_ extra: Metadata) -> Logger {
        var copy = self
        copy.metadata.merge(extra) { _, new in new }
        return copy
    }

    public func log(_ level: Level, _ message: @autoclosure () -> String, _ extra: @autoclosure () -> Metadata = [:]) {
        guard level >= minimumLevel else { return }
        var fields = metadata
        fields.merge(extra()) { _, new in new }
        sink.write(LogLine.render(level: level, label: label, message: message(), metadata: fields, format: format))
    }

    public func trace(_ message: @autoclosure () -> String, _ extra: @autoclosure () -> Metadata = [:]) {
        log(.trace, message(), extra())
    }
    public func debug(_ message: @autoclosure () -> String, _ extra: @autoclosure () -> Metadata = [:]) {
        log(.debug, message(), extra())
    }
    public func info(_ message: @autoclosure () -> String, _ extra: @autoclosure () -> Metadata = [:]) {
        log(.info, message(), extra())
    }
    public func notice(_ message: @autoclosure () -> String, _ extra: @autoclosure () -> Metadata = [:]) {
        log(.notice, message(), extra())
    }
    public func warning(_ message: @autoclosure () -> String, _ extra: @autoclosure () -> Metadata = [:]) {
        log(.warning, message(), extra())
    }
    public func error(_ message: @autoclosure () -> String, _ extra: @autoclosure () -> Metadata = [:]) {
        log(.error, message(), extra())
    }
    public func critical(_ message: @autoclosure () -> String, _ extra: @autoclosure () -> Metadata = [:]) {
        log(.critical, message(), extra())
    }
}

extension Logger.Metadata {
    /// `error.type` and `error.message` for an error, as every log line about a failure carries them.
    public static func error(_ error: any Error) -> Logger.Metadata {
        ["error.type": "\(type(of: error))", "error.message": "\(error)"]
    }
}

extension Logger {
    /// Lines the standard-error logger could not write (a full disk, a closed pipe): dropped and counted here,
    /// exported as `eventgrpc_log_lines_dropped_total`.
    public static var droppedLines: Int { LogSink.standardError.droppedLines }
}
