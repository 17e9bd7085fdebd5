"""Streaming what a writer function writes, chunk by chunk, in bounded memory."""

from __future__ import annotations

import contextlib
import io
import queue
import threading
from collections.abc import Callable, Iterator

CHUNKS_IN_FLIGHT = 16  # the writer waits when the reader falls this far behind


class StreamCancelled(Exception):
    """The reader went away (e.g. the download was cancelled); the writer stops."""


class _QueueWriter(io.RawIOBase):
    """A write-only file whose writes go into a bounded queue."""

    def __init__(self, chunks: queue.Queue[object], cancelled: threading.Event) -> None:
        self._chunks = chunks
        self._cancelled = cancelled

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        while not self._cancelled.is_set():
            try:
                self._chunks.put(bytes(data), timeout=0.5)
                return len(data)
            except queue.Full:
                continue
        raise StreamCancelled()


def stream_writes(write: Callable[[io.RawIOBase], None]) -> Iterator[bytes]:
    """Run `write(file)` in a thread and yield what it writes as it writes it.

    An exception in the writer is raised in the reader, after the bytes before it;
    if the reader stops early, the writer's next write raises StreamCancelled.
    """
    chunks: queue.Queue[object] = queue.Queue(CHUNKS_IN_FLIGHT)
    cancelled = threading.Event()
    done = object()

    def run() -> None:
        try:
            write(_QueueWriter(chunks, cancelled))
        except BaseException as error:  # noqa: BLE001 - handed to the reader to raise
            chunks.put(error)
        else:
            chunks.put(done)

    thread = threading.Thread(target=run, name="stream-writes", daemon=True)
    thread.start()
    try:
        while (item := chunks.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        cancelled.set()
        while thread.is_alive():  # let a blocked writer see the cancellation
            with contextlib.suppress(queue.Empty):
                chunks.get(timeout=0.1)
        thread.join()
