"""The private RabbitMQ and ClickHouse of scripts/test.sh, driven through scripts/stack.sh on STACK_DIR."""

import subprocess

from .config import ROOT, STACK_DIR


def stack(command: str, *arguments: str, timeout: float = 180, **run_options) -> subprocess.CompletedProcess:
    """`scripts/stack.sh COMMAND STACK_DIR ARGUMENTS...` (kill-rabbit, start-rabbit, stop-clickhouse, rabbitmqctl...);
    raises if it fails. `run_options` go to subprocess.run (stdout=subprocess.DEVNULL, capture_output=True...)."""
    return subprocess.run([str(ROOT / "scripts" / "stack.sh"), command, STACK_DIR, *arguments], check=True,
                          timeout=timeout, **run_options)
