"""The test stack's TLS listeners and certificates, as scripts/stack.sh recorded them in STACK_DIR/stack.env
(RABBIT_TLS_PORT, CLICKHOUSE_HTTPS_PORT, TLS_CERTS_DIR; scripts/test.sh starts the stack with both listeners on).
The certificates are those of scripts/test-certs.sh: ca.pem (the test CA), client.pem/key, other-ca.pem..."""

import pathlib

from .config import STACK_DIR


def stack_settings() -> dict[str, str]:
    path = pathlib.Path(STACK_DIR) / "stack.env"
    assert path.exists(), f"{path} is missing: start the stack with scripts/stack.sh start {STACK_DIR}"
    settings = dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    for name in ("RABBIT_TLS_PORT", "CLICKHOUSE_HTTPS_PORT"):
        assert settings.get(name, "0") != "0", (
            f"the stack in {STACK_DIR} runs without {name}: start it with RABBIT_TLS_PORT and CLICKHOUSE_HTTPS_PORT "
            "set (scripts/test.sh does)")
    return settings


def cert(name: str) -> str:
    """The path of `name` (ca.pem, client.key, ...) among the stack's test certificates."""
    path = pathlib.Path(stack_settings()["TLS_CERTS_DIR"]) / name
    assert path.exists(), f"{path} is missing (scripts/test-certs.sh makes it)"
    return str(path)


def rabbit_env(ca: str = "ca.pem", client_certificate: bool = False) -> dict[str, str]:
    """The environment for AMQPS to the stack's TLS listener, trusting `ca`. The broker is reached as localhost:
    rabbitmq-c 0.11 matches the host against the certificate's DNS names only, not its IP addresses."""
    env = {"RABBIT_TLS": "1", "RABBIT_HOST": "localhost", "RABBIT_PORT": stack_settings()["RABBIT_TLS_PORT"],
           "RABBIT_CA_FILE": cert(ca)}
    if client_certificate:
        env |= {"RABBIT_CERT_FILE": cert("client.pem"), "RABBIT_KEY_FILE": cert("client.key")}
    return env


def clickhouse_env(ca: str = "ca.pem") -> dict[str, str]:
    """The environment for HTTPS to the stack's ClickHouse, trusting `ca`."""
    return {"CLICKHOUSE_SECURE": "1", "CLICKHOUSE_PORT": stack_settings()["CLICKHOUSE_HTTPS_PORT"],
            "CLICKHOUSE_CA_FILE": cert(ca)}
