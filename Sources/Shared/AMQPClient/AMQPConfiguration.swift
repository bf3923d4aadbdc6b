public import EventCore

/// Where and how to reach the broker. Every field has a default suited to a local RabbitMQ.
public struct AMQPConfiguration: Sendable {
    /// Broker host name or address. Default `127.0.0.1`.
    public var host: String
    /// Broker AMQP port. Default `5672`.
    public var port: Int
    /// User name for PLAIN authentication. Default `guest`.
    public var user: String
    /// Password for PLAIN authentication. Default `guest`. Never logged.
    public var password: String
    /// Virtual host. Default `/`.
    public var vhost: String
    /// Heartbeat interval negotiated with the broker. Default 30 s; zero disables heartbeats.
    public var heartbeat: Duration
    /// Bound on the TCP connect and on the AMQP handshake and each synchronous RPC. Default 5 s.
    public var connectTimeout: Duration
    /// Pause between a lost (or refused) connection and the next attempt. Default 1 s.
    public var reconnectDelay: Duration
    /// AMQPS when set: the broker's certificate is verified against the CA file (the system's bundle when none
    /// is given) and, unless turned off, must name `host`. Default nil: plain AMQP.
    public var tls: TLSClientSettings?

    public init(
        host: String = "127.0.0.1",
        port: Int = 5672,
        user: String = "guest",
        password: String = "guest",
        vhost: String = "/",
        heartbeat: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(5),
        reconnectDelay: Duration = .seconds(1),
        tls: TLSClientSettings? = nil
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.vhost = vhost
        self.heartbeat = heartbeat
        self.connectTimeout = connectTimeout
        self.reconnectDelay = reconnectDelay
        self.tls = tls
    }

    /// The defaults: guest/guest on 127.0.0.1:5672, vhost `/`.
    public static var defaults: AMQPConfiguration { AMQPConfiguration() }

    /// Log metadata naming the broker (never the password).
    var logMetadata: Logger.Metadata {
        [
            "amqp.host": "\(host)", "amqp.port": .int(port), "amqp.vhost": "\(vhost)", "amqp.user": "\(user)",
            "amqp.tls": .bool(tls != nil),
        ]
    }
}
