import CRabbitMQ
import EventCore

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

    /// Closes the channel and the connection politely when still usable; the object is dead afterwards.
    func close() {
        guard isUsable else { return }
        isUsable = false
        _ = amqp_channel_close(state, channel, AMQP_REPLY_SUCCESS)
        _ = amqp_connection_close(state, AMQP_REPLY_SUCCESS)
    }

    /// Marks the connection dead (after a socket failure or a close from the broker).
    func markUnusable() {
        isUsable = false
    }

    static func errorText(_ status: Int32) -> String {
        String(cString: amqp_error_string2(status))
    }
}
