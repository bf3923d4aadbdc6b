/// Runs services together and stops them in reverse order.
///
/// Services start in the order given (dependencies first: a publisher before the server that feeds it), each as
/// a child of one task group. SIGTERM/SIGINT, or any service ending on its own, starts a graceful shutdown:
/// services are asked to stop from last to first, each one awaited before the next, all within `drainTimeout`.
/// When the deadline passes, or a second signal arrives, the services still running are cancelled (their waits
/// end on cancellation) and `run()` throws `ServiceGroupError`. Otherwise it throws the first error a service
/// threw, if any.
public struct ServiceGroup: Sendable {
    public var services: [any Service]
    public var drainTimeout: Duration
    public var logger: Logger

    public init(services: [any Service], drainTimeout: Duration, logger: Logger) {
        self.services = services
        self.drainTimeout = drainTimeout
        self.logger = logger
    }

    /// Runs until a signal or a service ending on its own, then drains (see the type's documentation).
    public func run(signals: AsyncStream<Int32> = SignalStream.termination()) async throws {
        let finishLine = ServiceFinishLine(count: services.count)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, service) in services.enumerated() {
                group.addTask { await run(service, index: index, finishLine: finishLine) }
                logger.info("service started", ["service": "\(service.name)"])
            }
            group.addTask {
                var signalsSeen = 0
                for await number in signals {
                    signalsSeen += 1
                    if signalsSeen == 1 {
                        finishLine.requestStop(reason: SignalStream.name(of: number))
                    } else {
                        finishLine.escalate(reason: SignalStream.name(of: number))
                        return
                    }
                }
            }
            let reason = await finishLine.stopReason()
            logger.notice("shutting down", ["reason.text": "\(reason)"])
            try await drain(finishLine)
            // Every service has returned; this ends the signal listener.
            group.cancelAll()
        }
        if let failure = finishLine.firstError {
            throw failure
        }
    }

    private func run(_ service: any Service, index: Int, finishLine: ServiceFinishLine) async {
        do {
            try await service.run()
            finishLine.markFinished(index, name: service.name, error: nil)
        } catch {
            logger.error("service failed", ["service": "\(service.name)"].merging(.error(error)) { $1 })
            finishLine.markFinished(index, name: service.name, error: error)
        }
    }

    /// Stops the services from last to first within `drainTimeout`; throws (and the group then cancels what is
    /// still running) at the deadline or on a second signal.
    private func drain(_ finishLine: ServiceFinishLine) async throws {
        let deadline = ContinuousClock.now.advanced(by: drainTimeout)
        for (index, service) in services.enumerated().reversed() {
            service.shutdown()
            do {
                try await withDeadline(ContinuousClock.now.duration(to: deadline)) {
                    try await finishLine.waitFinished(index)
                }
            } catch is DeadlineExceeded {
                logger.error("service did not stop before the drain deadline", ["service": "\(service.name)"])
                throw ServiceGroupError(
                    message: "service \(service.name) did not stop within DRAIN_TIMEOUT (\(drainTimeout))"
                )
            } catch let error as ServiceGroupError {
                logger.error("drain cut short; cancelling the services", ["reason.text": "\(error.message)"])
                throw error
            }
            logger.info("service stopped", ["service": "\(service.name)"])
        }
    }
}
