import EventCore
import HTTP2Server

/// SIGHUP reloads the gRPC port's certificate, key and client CAs (`TLSAcceptor.reload`); without TLS it is
/// logged and ignored. Either way SIGHUP never ends the gateway. Stops when the group shuts down.
struct CertificateReloadService: Service {
    let name = "certificate-reload"
    let tls: TLSAcceptor?
    let logger: Logger
    private let hangups: AsyncStream<Int32>
    private let stopRequested = Latch()

    /// Takes SIGHUP over at once (before the services start), so an early SIGHUP is not fatal.
    init(tls: TLSAcceptor?, logger: Logger) {
        self.tls = tls
        self.logger = logger
        self.hangups = SignalStream.hangup()
    }

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in hangups {
                    guard let tls else {
                        logger.notice("SIGHUP: nothing to reload (TLS is off)")
                        continue
                    }
                    tls.reload()
                }
            }
            group.addTask { await stopRequested.wait() }
            await group.next()
            group.cancelAll()
        }
    }

    func shutdown() {
        stopRequested.open()
    }
}
