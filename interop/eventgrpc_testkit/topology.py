"""Private topologies: a test's own exchange, queue and database, so tests never share a queue."""

import dataclasses
import json
import os
import pathlib
import tempfile
import uuid

from . import rabbitmq


@dataclasses.dataclass(frozen=True)
class PrivateTopology:
    path: pathlib.Path  # the topology file, for TOPOLOGY_FILE
    exchange: str
    queue: str
    family: str
    database: str

    @property
    def table(self) -> str:
        return f"{self.database}.events"

    def delete(self) -> None:
        """Deletes the queue, its dead-letter queue and the exchange (RabbitMQ only; the database stays)."""
        rabbitmq.delete_queue(self.queue)
        rabbitmq.delete_exchange(self.exchange)


def private_topology(name: str, directory: pathlib.Path | None = None, *, binding: str = "#", consumers: int = 1,
                     family: str = "it", retry_delays_ms: list[int] | None = None) -> PrivateTopology:
    """A topology file (in `directory`, else a temporary file) with its own topic exchange and one direct queue
    bound with `binding`, writing to DATABASE.events of family `family`."""
    suffix = uuid.uuid4().hex[:8]
    exchange, queue, database = f"it.{name}.{suffix}", f"it.{name}.{suffix}", f"it_{name}_{suffix}"
    spec = {"name": queue, "bindings": [binding], "consumers": consumers, "prefetch": 1, "sink": "direct",
            "table": "events"}
    if retry_delays_ms is not None:
        spec["retry"] = {"delays_ms": retry_delays_ms}
    text = json.dumps({"exchange": {"name": exchange, "type": "topic"},
                       "families": [{"name": family, "database": database, "queues": [spec]}]})
    if directory is None:
        handle, name_of_file = tempfile.mkstemp(prefix=f"topology-{name}-", suffix=".json")
        with os.fdopen(handle, "w") as f:
            f.write(text)
        path = pathlib.Path(name_of_file)
    else:
        path = pathlib.Path(directory) / f"topology-{name}-{suffix}.json"
        path.write_text(text)
    return PrivateTopology(path, exchange, queue, family, database)
