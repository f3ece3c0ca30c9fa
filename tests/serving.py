"""The test's app served by a real uvicorn in a thread: for a browser, and for concurrent
requests from several clients, as TestClient (one request at a time) cannot make."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from bench.load import free_port


@contextmanager
def serving(app, **options: object) -> Iterator[str]:
    """Serve `app` on a free port until the block ends; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "server stopped"
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(10)


def together(calls: list, timeout: float = 30) -> list[httpx.Response]:
    """Run the calls (each a function of no argument making one request) at once."""
    start = threading.Barrier(len(calls))
    results: list[httpx.Response | BaseException | None] = [None] * len(calls)

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = calls[index]()
        except BaseException as exc:  # noqa: BLE001 (reported by the caller)
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    for result in results:
        if not isinstance(result, httpx.Response):
            raise AssertionError(f"a request did not answer: {result!r}")
    return results  # type: ignore[return-value]
