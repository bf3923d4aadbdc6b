import EventCore

/// The gateway's table of environment variables for `--help`: what each means. Names and defaults come from the
/// parser (`GatewaySettings.environmentReads`); the tests check that this table explains exactly the variables
/// read, no more and no fewer.
enum GatewayEnvironment {
    static let meanings: [String: String] = EnvironmentHelp.sharedMeanings.filter {
        !$0.key.hasPrefix("CLICKHOUSE_")  // the gateway never talks to ClickHouse
    }.merging(own) { _, own in own }

    /// The variables only the gateway reads.
    private static let own: [String: String] = {
        let table: [String: String] = [
            "PORT": "gRPC port",
            "GRPC_HOST": "address the gRPC port binds",
            "ADMIN_PORT": "admin HTTP port: GET /heartbeat/, PUT /heartbeat/?beat=true|false, GET /metrics",
            "TOPOLOGY_FILE": "the topology JSON; unset: the built-in default (config/topology.json)",
            "EVENT_MAX_BATCH_EVENTS": "events per batch; more is INVALID_ARGUMENT",
            "EVENT_BUFFERED_CHANNEL_SIZE": "batches the bounded queue holds before calls wait",
            "EVENT_BUFFERED_MAX_BYTES": "bytes of broker messages the queue holds",
            "EVENT_ENQUEUE_TIMEOUT": "how long a call waits for room before RESOURCE_EXHAUSTED",
            "MAX_CONCURRENT_DISPATCHES": "dispatch calls being decoded and queued at once; as many more may "
                + "wait, then RESOURCE_EXHAUSTED; beyond that, RESOURCE_EXHAUSTED at once, on HEADERS",
            "EVENT_WORKER_POOL_SIZE": "publish rounds in flight at once (each round carries every call queued "
                + "meanwhile: fewer workers, larger messages)",
            "COALESCE_MAX_EVENTS": "events one publish round, and so one broker message, may carry",
            "COALESCE_MAX_BYTES": "bytes one publish round may carry",
            "PUBLISH_ROUND_INTERVAL": "under load, least time between two publish rounds' starts (a round full "
                + "of COALESCE_MAX_*, or a full queue, makes it go sooner; an idle publisher "
                + "sends a call at once); 0: no wait",
            "MAX_MESSAGE_BYTES": "largest request message (also the cap on a gzip message's decompressed size)",
            "MAX_BUFFERED_REQUEST_BYTES": "request bytes all connections together may hold",
            "DRAIN_TIMEOUT": "limit for a graceful shutdown",
            "EVENT_LOOPS": "event-loop threads that drive every gRPC connection (default: one per core)",
            "MAX_CONNECTIONS": "open gRPC connections at most; more are accepted and closed at once",
            "MAX_CONCURRENT_STREAMS": "calls one connection may have open at once (HTTP/2 SETTINGS; a client "
                + "queues the rest)",
            "PREFACE_TIMEOUT": "a client that has not sent the HTTP/2 preface by then (after TCP accept, or after "
                + "the TLS handshake) is disconnected",
            "FRAME_TIMEOUT": "an HTTP/2 frame that started arriving must be complete by then, or the connection "
                + "is cut (a trickling client)",
            "SEND_TIMEOUT": "a client that reads nothing, or leaves a response on a zero flow-control window, "
                + "for this long is disconnected",
            "IDLE_TIMEOUT": "a connection without a stream for this long gets GOAWAY and closes",
            "MAX_CONNECTION_AGE": "a connection gets GOAWAY after this age (+-10 % at random; its calls finish "
                + "within 30 s), so clients reconnect and rebalance",
            "SHUTDOWN_GRACE": "after SIGTERM, keep serving this long while NOT_SERVING, then close the port",
            "TLS_CERT_FILE": "PEM certificate (then its chain) for gRPC over TLS 1.2+ (ALPN h2); unset: h2c; "
                + "reloaded on SIGHUP or when the file changes",
            "TLS_KEY_FILE": "PEM private key of TLS_CERT_FILE (no passphrase); required with it",
            "TLS_CLIENT_CA_FILE": "PEM CA certificates: clients must present a certificate they sign; unset: "
                + "no client certificates",
            "TLS_HANDSHAKE_TIMEOUT": "a TLS client that has not finished its handshake by then is disconnected",
            "AUTH_TOKENS_FILE": "file of bearer tokens for dispatch, one per line, optionally named (name:token or "
                + "name token); unset: no authentication",
            "SPOOL_DIR": "the spool's directory (one gateway per directory)",
            "SPOOL_MAX_BYTES": "the spool's total size; full and broker down: UNAVAILABLE",
            "SPOOL_SEGMENT_BYTES": "a segment file is closed and a new one started beyond this size",
            "PUBLISH_CONFIRM_TIMEOUT": "a batch the broker has not confirmed by then is spooled and answered SUCCESS",
            "PUBLISH_STALL_TIMEOUT": "a broker that owes confirms and sent none for this long (or blocked "
                + "publishing) is stalled: batches go to the spool at once until it confirms again",
        ]
        return table
    }()
}
