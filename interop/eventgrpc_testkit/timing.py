"""Clocks and polling."""

import time

import pytest


def now_ms() -> int:
    """Wall-clock milliseconds, the unit of an event's timestamp."""
    return time.time_ns() // 1_000_000


def eventually(condition, timeout_s: float, interval_s: float = 0.25):
    """Polls condition() until it returns something truthy or the time is up; returns the last value."""
    deadline = time.monotonic() + timeout_s
    value = condition()
    while not value and time.monotonic() < deadline:
        time.sleep(interval_s)
        value = condition()
    return value


def wait_until(condition, timeout_s: float, what: str) -> None:
    """Polls condition() every 0.25 s; fails the test if it is still false after `timeout_s`."""
    if not eventually(condition, timeout_s):
        pytest.fail(f"timed out after {timeout_s} s waiting until {what}")
