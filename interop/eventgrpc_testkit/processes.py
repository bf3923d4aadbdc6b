"""Gateways and workers of a test's own: IngestGateway and SinkWorker from EVENTGRPC_BIN on free ports, their
output in a log file, stopped with SIGTERM (the exit code is what the tests check).

A process's environment is environment(): os.environ, the stack's RABBIT_PORT and CLICKHOUSE_PORT, then what the
test gives.
"""

import os
import pathlib
import signal
import socket
import subprocess
import tempfile
import time

import grpc

from .config import BIN, CLICKHOUSE_PORT, RABBIT_PORT
from .net import free_port, http
from .protos import event_pb2_grpc


def environment(env: dict) -> dict[str, str]:
    """os.environ, the stack's RABBIT_PORT and CLICKHOUSE_PORT, then `env` (values as strings)."""
    return {**os.environ, "RABBIT_PORT": RABBIT_PORT, "CLICKHOUSE_PORT": CLICKHOUSE_PORT,
            **{key: str(value) for key, value in env.items()}}


class Service:
    """One process of the project, not started until start(); `env` may still be changed before that."""

    def __init__(self, name: str, program: str, arguments: list[str], admin_port: int,
                 log_dir: pathlib.Path | None, env: dict):
        self.name = name
        self.argv = [str(BIN / program), *arguments]
        self.admin_port = admin_port
        self.dir = pathlib.Path(log_dir) if log_dir is not None else pathlib.Path(tempfile.mkdtemp(prefix=f"{name}-"))
        self.log = self.dir / f"{name}.log"
        self.env = {key: str(value) for key, value in env.items()}
        self.process: subprocess.Popen | None = None
        self.stop_requested = False

    def start(self):
        self.stop_requested = False
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.argv, env=environment(self.env), stdout=log, stderr=subprocess.STDOUT)
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, number: int = signal.SIGTERM) -> None:
        if number in (signal.SIGTERM, signal.SIGINT):
            self.stop_requested = True
        self.process.send_signal(number)

    def wait(self, timeout: float = 40) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM if it still runs, then waits for the exit; returns the exit code (0 if never started). After
        `timeout` seconds it is killed and the code is that of the kill (-9)."""
        if self.process is None:
            return 0
        # A second SIGTERM would cut a drain in progress short (the binaries treat it as "stop now"): signal once.
        if self.process.poll() is None and not self.stop_requested:
            self.signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.process.returncode

    def kill(self) -> None:
        """SIGKILL (a crash) and reap it."""
        if self.running():
            self.process.kill()
            self.process.wait(timeout=10)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def log_tail(self, lines: int = 25) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def heartbeat(self, timeout: float = 2) -> tuple[int, str]:
        """(status, body) of GET /heartbeat/ on the admin port; (0, reason) when nothing answers."""
        try:
            return http(f"http://127.0.0.1:{self.admin_port}/heartbeat/", timeout=timeout)
        except OSError as error:
            return 0, str(error)

    def metrics(self) -> dict[str, float]:
        """The samples of GET /metrics by metric name (labels dropped, histogram buckets left out)."""
        status, body = http(f"http://127.0.0.1:{self.admin_port}/metrics", timeout=5)
        assert status == 200, f"{self.name} /metrics answered {status}"
        samples = {}
        for line in body.splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                if "_bucket{" not in name:
                    samples[name.split("{")[0]] = float(value)
        return samples

    def metric(self, name: str) -> float:
        return self.metrics().get(name, 0.0)

    def peak_rss_kib(self) -> int:
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        raise AssertionError("no VmHWM in /proc status")


class Gateway(Service):
    """An IngestGateway on free ports (PORT, ADMIN_PORT), its spool in its log directory unless SPOOL_DIR is given;
    more environment as keyword arguments. start() returns once it accepts connections."""

    def __init__(self, name: str = "gateway", log_dir: pathlib.Path | None = None, **env):
        self.port = free_port()
        super().__init__(name, "IngestGateway", [], free_port(), log_dir, {})
        self.env = {key: str(value) for key, value in
                    {"PORT": self.port, "ADMIN_PORT": self.admin_port, "SPOOL_DIR": self.dir / "spool", **env}.items()}
        self.address = f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> "Gateway":
        super().start()
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                if time.monotonic() >= deadline:
                    self.kill()
                    raise AssertionError(f"{self.name} did not listen on {self.port} within {timeout} s:\n"
                                         f"{self.log_tail()}")
                time.sleep(0.05)

    def stub(self) -> tuple[grpc.Channel, event_pb2_grpc.EventServiceStub]:
        """A new channel of its own and an EventService stub on it; the caller closes the channel."""
        channel = grpc.insecure_channel(self.address)
        return channel, event_pb2_grpc.EventServiceStub(channel)


class Worker(Service):
    """A SinkWorker for one family, its admin port (ADMIN_PORT) free; more environment as keyword arguments."""

    def __init__(self, family: str, name: str | None = None, log_dir: pathlib.Path | None = None, **env):
        admin_port = free_port()
        super().__init__(name or f"worker-{family}", "SinkWorker", ["--family", family], admin_port, log_dir,
                         {"ADMIN_PORT": admin_port, **env})
