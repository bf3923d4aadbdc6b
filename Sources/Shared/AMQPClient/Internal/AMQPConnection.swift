import CRabbitMQ
import EventCore
import Glibc

/// One AMQP connection with one channel (number 1). Not thread-safe: the thread that opened it owns it.
///
/// `isUsable` turns false once the socket failed or the broker closed the connection or channel; such a
/// connection is only good for `deinit`, which destroys it without a closing handshake.
final class AMQPConnection {
    let state: amqp_connection_state_t
    let channel: amqp_channel_t = 1
    let configuration: AMQPConfiguration
    private(set) var isUsable = true

    private init(state: amqp_connection_state_t, configuration: AMQPConfiguration) {
        self.state = state
        self.configuration = configuration
    }

    deinit {
        amqp_destroy_connection(state)
    }

    /// Connects, logs in, opens channel 1 and applies `declarations`.
    static func open(
        _ configuration: AMQPConfiguration,
        declarations: [AMQPDeclaration]
    ) throws(AMQPError)
        -> AMQPConnection
    {
        let endpoint = "\(configuration.host):\(configuration.port)"
        guard let state = amqp_new_connection() else {
            throw AMQPError(code: .connectionFailed, message: "cannot allocate an AMQP connection (out of memory)")
        }
        let connection = AMQPConnection(state: state, configuration: configuration)
        let socket = try connection.makeSocket(endpoint: endpoint)
        var timeout = configuration.connectTimeout.timeval
        let status = amqp_socket_open_noblock(socket, configuration.host, Int32(configuration.port), &timeout)
        guard status == AMQP_STATUS_OK.rawValue else {
            connection.isUsable = false
            throw connection.openFailure(status: status, endpoint: endpoint)
        }
        connection.limitUnacknowledgedSends()
        amqp_set_handshake_timeout(state, &timeout)
        amqp_set_rpc_timeout(state, &timeout)
        let login = eventgrpc_amqp_login_plain(
            state,
            configuration.vhost,
            0,
            Int32(AMQP_DEFAULT_FRAME_SIZE),
            Int32(configuration.heartbeat.roundedUpSeconds),
            configuration.user,
            configuration.password
        )
        try connection.check(
            login,
            serverCode: .loginFailed,
            libraryCode: .loginFailed,
            "log in to \(endpoint) as \(configuration.user) on vhost \(configuration.vhost) (check the "
                + "credentials and that the user may use the vhost\(connection.plaintextHint))"
        )
        if amqp_channel_open(state, connection.channel) == nil {
            try connection.check(
                amqp_get_rpc_reply(state),
                serverCode: .connectionFailed,
                libraryCode: .connectionFailed,
                "open a channel on \(endpoint)"
            )
        }
        try connection.declare(declarations)
        return connection
    }

    /// Closes the channel and the connection politely when still usable; the object is dead afterwards. Each
    /// closing handshake waits at most `timeout` (default: `connectTimeout`) for the broker's answer, and when
    /// the channel's goes unanswered (a hung broker) the connection's is not attempted.
    func close(timeout: Duration? = nil) {
        guard isUsable else { return }
        isUsable = false
        if let timeout {
            var wait = min(timeout, configuration.connectTimeout).timeval
            amqp_set_rpc_timeout(state, &wait)
        }
        guard amqp_channel_close(state, channel, AMQP_REPLY_SUCCESS).reply_type == AMQP_RESPONSE_NORMAL else { return }
        _ = amqp_connection_close(state, AMQP_REPLY_SUCCESS)
    }

    /// The socket's descriptor (valid until `deinit` destroys the connection).
    var socketDescriptor: Int32 {
        amqp_get_sockfd(state)
    }

    /// Sets TCP_USER_TIMEOUT to twice the heartbeat: data the broker's host leaves unacknowledged that long (a dead
    /// peer, or a hung broker whose receive buffer is full: Linux counts zero-window probes) closes the socket, as
    /// a missed heartbeat would, even while the owning thread is blocked in a send that rabbitmq-c never times
    /// out. Best effort: where the option is refused, heartbeats alone detect a dead peer (while not sending).
    private func limitUnacknowledgedSends() {
        guard configuration.heartbeat > .zero else { return }
        var milliseconds = UInt32(clamping: (configuration.heartbeat * 2).wholeMilliseconds)
        let size = socklen_t(MemoryLayout<UInt32>.size)
        _ = setsockopt(socketDescriptor, Int32(IPPROTO_TCP), TCP_USER_TIMEOUT, &milliseconds, size)
    }

    /// Marks the connection dead (after a socket failure or a close from the broker).
    func markUnusable() {
        isUsable = false
    }

    static func errorText(_ status: Int32) -> String {
        String(cString: amqp_error_string2(status))
    }
}
