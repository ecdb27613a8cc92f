"""Two clicks at the same moment, for tests on PostgreSQL: one action in several threads, each
with its own connection and transaction, released together by a barrier."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def together(action: Callable[[], Any], times: int = 2, *, refusals: tuple[type[Exception], ...] = ()) -> list[Any]:
    """Run `action` in `times` threads at once; each result, or the refusal it raised (one of
    `refusals`), in thread order. Any other exception fails the test through the missing result."""
    results: list[Any] = [None] * times
    start = threading.Barrier(times, timeout=10)

    def run(index: int) -> None:
        try:
            start.wait()
            results[index] = action()
        except refusals as refusal:
            results[index] = refusal
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results
