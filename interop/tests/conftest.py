"""Fixtures shared by the interop tests: a channel and a stub to the gateway scripts/test.sh started."""

import grpc
import pytest

from eventgrpc_testkit.config import GATEWAY_ADDR
from eventgrpc_testkit.protos import event_pb2_grpc  # fails here, with a hint, if the stubs were not generated

CONNECT_TIMEOUT_S = 10


@pytest.fixture(scope="module")
def channel():
    """One channel per test module to GATEWAY_ADDR, connected before the first test uses it."""
    with grpc.insecure_channel(GATEWAY_ADDR) as opened:
        grpc.channel_ready_future(opened).result(timeout=CONNECT_TIMEOUT_S)
        yield opened


@pytest.fixture(scope="module")
def stub(channel) -> event_pb2_grpc.EventServiceStub:
    return event_pb2_grpc.EventServiceStub(channel)
