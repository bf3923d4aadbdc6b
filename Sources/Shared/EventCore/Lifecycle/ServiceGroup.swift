import Synchronization

/// Runs services together and stops them in reverse order.
///
/// Services start in the order given (dependencies first: a publisher before the server that feeds it).
/// SIGTERM/SIGINT, or any service ending on its own, starts a graceful shutdown: services are asked to stop
/// from last to first, each one awaited before the next, all within `drainTimeout`. `run()` throws the first
/// error a service threw, or `ServiceGroupError` when the deadline passed.
public struct ServiceGroup: Sendable {
    public var services: [any Service]
    public var drainTimeout: Duration
    public var logger: Logger

    public init(services: [any Service], drainTimeout: Duration, logger: Logger) {
        self.services = services
        self.drainTimeout = drainTimeout
        self.logger = logger
    }

    /// Runs until a signal or a service ending on its own, then drains; throws the first service error, or
    /// `ServiceGroupError` when a service did not stop before the deadline (its task is then abandoned, and the
    /// process should exit).
    public func run(signals: AsyncStream<Int32> = SignalStream.termination()) async throws {
        let finished = ServiceFinishLine(count: services.count)
        for (index, service) in services.enumerated() {
            Task {
                do {
                    try await service.run()
                    finished.markFinished(index, name: service.name, error: nil)
                } catch {
                    logger.error("service failed", ["service": service.name].merging(.error(error)) { $1 })
                    finished.markFinished(index, name: service.name, error: error)
                }
            }
            logger.info("service started", ["service": service.name])
        }
        Task {
            for await number in signals {
                finished.requestStop(reason: SignalStream.name(of: number))
                return
            }
        }
        let reason = await finished.stopReason()
        logger.notice("shutting down", ["reason": reason])
        try await drain(finished: finished)
        if let failure = finished.firstError {
            throw failure
        }
    }

    private func drain(finished: ServiceFinishLine) async throws {
        let deadline = ContinuousClock.now.advanced(by: drainTimeout)
        for (index, service) in services.enumerated().reversed() {
            service.shutdown()
            let remaining = deadline - ContinuousClock.now
            guard try await finished.waitFinished(index, timeout: remaining) else {
                logger.error("service did not stop before the drain deadline", ["service": service.name])
                throw ServiceGroupError(
                    message: "service \(service.name) did not stop within DRAIN_TIMEOUT (\(drainTimeout))"
                )
            }
            logger.info("service stopped", ["service": service.name])
        }
    }
}

/// A drain that did not finish in time.
public struct ServiceGroupError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
