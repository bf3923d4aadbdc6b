"""HTTP/2 written by hand, for clients that misbehave on purpose (idle after the preface, trickling a frame byte by
byte, a zero flow-control window): the official clients cannot be made to do that. Header blocks use HPACK
literals without indexing or Huffman coding, which every decoder accepts."""

import socket
import struct

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, SETTINGS, WINDOW_UPDATE = 0x0, 0x1, 0x4, 0x8
END_STREAM, END_HEADERS = 0x1, 0x4
SETTINGS_INITIAL_WINDOW_SIZE = 0x4


def frame(kind: int, flags: int, stream: int, payload: bytes = b"") -> bytes:
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def settings(**values: int) -> bytes:
    """A SETTINGS frame; values by id number, e.g. settings(initial_window=0)."""
    payload = b""
    if "initial_window" in values:
        payload += struct.pack(">HI", SETTINGS_INITIAL_WINDOW_SIZE, values["initial_window"])
    return frame(SETTINGS, 0, 0, payload)


def _string(value: bytes) -> bytes:
    assert len(value) < 127, "short strings only"
    return bytes([len(value)]) + value


def header_block(fields: list[tuple[str, str]]) -> bytes:
    return b"".join(b"\x00" + _string(name.encode()) + _string(value.encode()) for name, value in fields)


def grpc_request(stream: int, path: str, message: bytes = b"", authority: str = "localhost") -> bytes:
    """HEADERS and DATA (ending the stream) of a unary gRPC call."""
    fields = [(":method", "POST"), (":scheme", "http"), (":path", path), (":authority", authority),
              ("content-type", "application/grpc"), ("te", "trailers")]
    body = b"\x00" + struct.pack(">I", len(message)) + message
    return frame(HEADERS, END_HEADERS, stream, header_block(fields)) + frame(DATA, END_STREAM, stream, body)


def connect(address: str, timeout: float = 5) -> socket.socket:
    host, port = address.rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=timeout)


def closed_by_peer(sock: socket.socket, timeout: float) -> bool:
    """Reads (and drops) what the server sends until it closes the connection; False if still open at `timeout`."""
    sock.settimeout(timeout)
    try:
        while sock.recv(65536):
            pass
        return True
    except socket.timeout:
        return False
    except OSError:  # a reset is a close too
        return True
