"""The private RabbitMQ and ClickHouse of scripts/test.sh, driven through scripts/stack.sh on STACK_DIR."""

import os
import pathlib
import subprocess

from .config import ROOT, STACK_DIR


def stack(command: str, *arguments: str, timeout: float = 180, **run_options) -> subprocess.CompletedProcess:
    """`scripts/stack.sh COMMAND STACK_DIR ARGUMENTS...` (kill-rabbit, start-rabbit, stop-clickhouse, rabbitmqctl...);
    raises if it fails. `run_options` go to subprocess.run (stdout=subprocess.DEVNULL, capture_output=True...)."""
    return subprocess.run([str(ROOT / "scripts" / "stack.sh"), command, STACK_DIR, *arguments], check=True,
                          timeout=timeout, **run_options)


def broker_pid() -> int:
    """The stack's beam.smp (for SIGSTOP/SIGCONT: a hung broker), checked the way scripts/stack.sh checks before
    signalling it: the process is beam.smp and was started for this STACK_DIR."""
    pid = int(pathlib.Path(STACK_DIR, "rabbitmq", "beam.pid").read_text().strip())
    assert pathlib.Path(f"/proc/{pid}/comm").read_text().strip() == "beam.smp"
    environ = pathlib.Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert f"EVENTGRPC_STACK_DIR={os.path.realpath(STACK_DIR)}".encode() in environ
    return pid
