"""A TCP proxy to a local server that shows each client's requests to a hook before forwarding them."""

import socket
import threading


class InspectingProxy:
    """Forwards TCP from a port of its own to 127.0.0.1:`target_port`, a thread per direction and connection. Every
    chunk a client sends goes to `on_request(window)` first (`window`: the chunk with the previous chunk's last
    `len(marker)` bytes, so a marker split between reads is still seen); the hook may wait, and returns False to
    stop forwarding that connection's requests (they never reach the server). Answers flow freely."""

    def __init__(self, target_port: int, marker: bytes):
        self.target_port, self.marker = target_port, marker
        self.closing = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self.accept, daemon=True).start()

    def on_request(self, window: bytes) -> bool:
        return True

    def accept(self) -> None:
        while not self.closing.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets += [client, upstream]
            threading.Thread(target=self.pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self.pump, args=(upstream, client, False), daemon=True).start()

    def pump(self, source: socket.socket, sink: socket.socket, requests: bool) -> None:
        tail = b""
        try:
            while data := source.recv(65536):
                if requests and not self.on_request(tail + data):
                    return
                tail = (tail + data)[-len(self.marker):]
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.closing.set()
        self.listener.close()
        for sock in self.sockets:
            sock.close()
