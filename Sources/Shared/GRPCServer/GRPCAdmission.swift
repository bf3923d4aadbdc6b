/// A method's load check on a call's HEADERS (`GRPCRouter.register(_:authentication:admission:_:)`), after
/// authentication: a status from `check` refuses the call at once, before its body is buffered or a task is started
/// for it, and `refused` is told with the call's context (for a log line and a metric); nil lets the body come.
/// Both run on the connection's thread, `check` for every call of the method: they must be quick and not block.
public struct GRPCAdmission: Sendable {
    public let check: @Sendable () -> GRPCStatus?
    public let refused: @Sendable (GRPCStatus, GRPCCallContext) -> Void

    public init(
        check: @escaping @Sendable () -> GRPCStatus?,
        refused: @escaping @Sendable (GRPCStatus, GRPCCallContext) -> Void = { _, _ in }
    ) {
        self.check = check
        self.refused = refused
    }
}
