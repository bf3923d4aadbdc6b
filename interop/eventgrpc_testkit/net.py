"""Ports and plain HTTP."""

import socket
import urllib.error
import urllib.request


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http(url: str, data: bytes | None = None, method: str = "GET", timeout: float = 5,
         headers: dict | None = None) -> tuple[int, str]:
    """(status, body) of one request; an HTTP error status is returned, not raised (a refused connection raises)."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
