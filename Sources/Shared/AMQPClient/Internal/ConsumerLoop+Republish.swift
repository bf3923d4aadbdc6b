import EventCore

extension ConsumerLoop {
    /// Publishes a handler's copy and waits for its confirm; true when the broker owns it.
    ///
    /// A channel that sat idle may have died unnoticed (a broker restart), so a failure on a reused channel is
    /// tried once more on a fresh one. The copy may then exist twice; consumers deduplicate by event id.
    func republish(_ message: OutgoingMessage) -> Bool {
        owner.assertOnOwnerThread()
        let timeout = consumer.configuration.connectTimeout
        for attempt in 1...2 {
            let reused = publishChannel != nil
            do {
                let channel = try publishChannel ?? ConfirmingPublishChannel(configuration: consumer.configuration)
                publishChannel = channel
                try channel.publish(message, timeout: timeout)
                return true
            } catch {
                if publishChannel?.isUsable == false { publishChannel = nil }
                if attempt == 1 && reused { continue }
                logger.warning(
                    "could not republish; the delivery is requeued",
                    Logger.Metadata.error(error).merging(
                        ["amqp.routing_key": "\(message.routingKey)", "amqp.message_id": "\(message.messageID)"]) { $1 }
                )
                return false
            }
        }
        return false
    }
}
