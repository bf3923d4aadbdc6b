import Glibc

/// `errno` rendered as text, for error messages.
public struct SystemErrno: CustomStringConvertible, Sendable {
    public let code: Int32
    public init(code: Int32) { self.code = code }
    public static var current: SystemErrno { SystemErrno(code: errno) }
    public var description: String { String(cString: strerror(code)) + " (errno \(code))" }
}
