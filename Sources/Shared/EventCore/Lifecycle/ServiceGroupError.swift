/// A drain that did not finish: its deadline passed, or a second signal asked to stop at once.
public struct ServiceGroupError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
