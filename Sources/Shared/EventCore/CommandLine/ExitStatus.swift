/// The exit codes both binaries use, whatever the command.
public enum ExitStatus {
    /// Done: the server drained, `--help` or `--version` printed, `check-config` found nothing wrong.
    public static let success: Int32 = 0
    /// A failure at run time: the drain deadline passed, a service failed, the broker or the spool failed.
    public static let failure: Int32 = 1
    /// Bad arguments or bad configuration (environment, topology, token file): nothing was started.
    public static let usage: Int32 = 2
}
