public import EventCore

/// Consumes one queue over its own connection on its own thread, calling its `DeliveryProcessor` synchronously
/// on that thread for each delivery and applying the returned `Disposition` right after (or later, for deliveries
/// the processor holds).
///
/// The processor is built by `makeProcessor` on the consumer's thread when `run()` starts it, and used only
/// there: it may own what must not cross threads (a ClickHouse connection). What other threads need to know
/// (`isConnected`, `isPaused`) the consumer publishes itself.
///
/// While the processor says `isPaused`, the consumer settles what the processor holds, closes its connection and
/// takes nothing until the pause ends; then it subscribes again.
///
/// With `prefetch` 1 a slow handler holds back only this consumer. On any connection or channel failure the
/// consumer logs, waits `reconnectDelay`, reconnects, redeclares, sets the prefetch and subscribes again by
/// itself. Heartbeats are not serviced while the handler runs: a handler slower than twice the heartbeat
/// interval makes the broker drop the connection (the delivery is then redelivered).
public final class AMQPConsumer: Sendable {
    let configuration: AMQPConfiguration
    let queue: String
    let prefetch: UInt16
    let declarations: [AMQPDeclaration]
    let logger: Logger
    let makeProcessor: @Sendable () throws -> any DeliveryProcessor
    let owner = ThreadOwner(ConsumerShared())

    /// - Parameter makeProcessor: called once, on the consumer's thread, when `run()` starts it; an error it
    ///   throws stops the consumer before it connects, and `run()` throws it.
    public init(
        configuration: AMQPConfiguration,
        queue: String,
        prefetch: UInt16,
        declarations: [AMQPDeclaration],
        logger: Logger,
        makeProcessor: @escaping @Sendable () throws -> any DeliveryProcessor
    ) {
        self.configuration = configuration
        self.queue = queue
        self.prefetch = prefetch
        self.declarations = declarations
        self.logger = logger.with(configuration.logMetadata).with(["amqp.queue": "\(queue)"])
        self.makeProcessor = makeProcessor
    }

    /// True while the consumer is subscribed on an open connection.
    public var isConnected: Bool {
        owner.withLock { $0.isConnected }
    }

    /// True while the consumer holds off on purpose because its processor is paused (no connection then).
    public var isPaused: Bool {
        owner.withLock { $0.isPaused }
    }

    /// Starts the consumer thread and returns when it has stopped (after `stop()` or task cancellation).
    /// Throws what `makeProcessor` threw. Calling `run` a second time is a programming error.
    public func run() async throws {
        await withTaskCancellationHandler {
            let first = owner.withLock { state -> Bool in
                defer { state.hasRun = true }
                return !state.hasRun
            }
            precondition(first, "AMQPConsumer.run() called twice")
            owner.start(name: "amqp-consume") { [self] in
                serve()
            }
            await owner.waitUntilStopped()
        } onCancel: {
            stop()
        }
        if let failure = owner.withLock({ $0.processorFailure }) {
            throw failure
        }
    }

    /// Asks the consumer to stop once the delivery in hand (if any) is settled; `run()` then returns.
    public func stop() {
        owner.requestStop()
    }

    /// The thread's body: builds the processor here, so that it never leaves this thread, then consumes.
    private func serve() {
        let processor: any DeliveryProcessor
        do {
            processor = try makeProcessor()
        } catch {
            logger.error("cannot create the delivery processor; the consumer stops", .error(error))
            owner.withLock { $0.processorFailure = error }
            return
        }
        ConsumerLoop(consumer: self, processor: processor).run()
    }
}

/// What callers and the consumer thread share, under the consumer's `ThreadOwner` (whose phase says whether a
/// stop was requested).
struct ConsumerShared: Sendable {
    var hasRun = false
    var isConnected = false
    var isPaused = false
    /// What `makeProcessor` threw; `run()` throws it.
    var processorFailure: (any Error)?
}
