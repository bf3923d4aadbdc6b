"""Helpers shared by the interop tests (interop/tests), each defined once:

config      where the servers and binaries are (the environment scripts/test.sh sets)
protos      the generated event_pb2 / health_pb2 stubs (scripts/interop-venv.sh writes them to interop/generated)
net         free_port(), plain HTTP
timing      now_ms(), eventually(), wait_until()
clickhouse  queries over HTTP, row counts, waiting for rows to land, dropping a database
rabbitmq    the management API: queue depth, publish to a queue, take messages, delete queues and exchanges
topology    a private topology file (its own exchange, queue and database)
processes   Gateway and Worker processes of a test's own (start, heartbeat, metrics, SIGTERM and exit code)
stack       scripts/stack.sh on STACK_DIR (kill or stop a server, rabbitmqctl)
"""
