#ifndef EVENTGRPC_CRABBITMQ_SHIM_H
#define EVENTGRPC_CRABBITMQ_SHIM_H

// rabbitmq-c 0.11 (Debian 12) installs <amqp.h>; newer releases use <rabbitmq-c/amqp.h>.
#if __has_include(<rabbitmq-c/amqp.h>)
#include <rabbitmq-c/amqp.h>
#include <rabbitmq-c/framing.h>
#include <rabbitmq-c/ssl_socket.h>
#include <rabbitmq-c/tcp_socket.h>
#else
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#endif

#include <sys/time.h>

/// `amqp_login` is variadic; this is its PLAIN-mechanism form. It also advertises the `connection.blocked`
/// capability (merged with the library's own), without which RabbitMQ never tells a client that a memory or disk
/// alarm stopped it from reading what the client publishes.
static inline amqp_rpc_reply_t eventgrpc_amqp_login_plain(amqp_connection_state_t state, const char *vhost,
                                                          int channel_max, int frame_max, int heartbeat,
                                                          const char *user, const char *password) {
    amqp_table_entry_t capability;
    capability.key = amqp_cstring_bytes("connection.blocked");
    capability.value.kind = AMQP_FIELD_KIND_BOOLEAN;
    capability.value.value.boolean = 1;
    amqp_table_entry_t property;
    property.key = amqp_cstring_bytes("capabilities");
    property.value.kind = AMQP_FIELD_KIND_TABLE;
    property.value.value.table.num_entries = 1;
    property.value.value.table.entries = &capability;
    amqp_table_t properties;
    properties.num_entries = 1;
    properties.entries = &property;
    return amqp_login_with_properties(state, vhost, channel_max, frame_max, heartbeat, &properties,
                                      AMQP_SASL_METHOD_PLAIN, user, password);
}

/// `amqp_cstring_bytes` returns a struct pointing into the argument; typed here for Swift.
static inline amqp_bytes_t eventgrpc_amqp_bytes(const void *bytes, size_t len) {
    amqp_bytes_t result;
    result.len = len;
    result.bytes = (void *)bytes;
    return result;
}

/// The empty table (`amqp_empty_table` is a global that Swift imports as mutable state).
static inline amqp_table_t eventgrpc_amqp_empty_table(void) { return amqp_empty_table; }

/// The empty bytes value.
static inline amqp_bytes_t eventgrpc_amqp_empty_bytes(void) { return amqp_empty_bytes; }

#endif
