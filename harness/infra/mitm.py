"""mitmproxy, in-process, in reverse mode, on its own event-loop thread.

mitmproxy keeps one master per process (``ctx.master`` is global), so a worker
runs exactly one :class:`MitmProxy`. The master is built inside its own loop
thread; the bound port is read from the ``proxyserver`` addon; on stop the
servers are updated to none first, because mitmproxy 11 otherwise leaves the
listener bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

from harness.infra.errors import InfrastructureError
from harness.infra.ports import LOOPBACK

START_TIMEOUT_S = 15.0


class MitmProxy:
    """A running mitmproxy master with the given addons."""

    def __init__(self, mode: str, addons: Sequence[Any], extra_options: dict[str, Any] | None = None) -> None:
        self.mode = mode
        self.addons = list(addons)
        self.extra_options = extra_options or {}
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._master: Any = None
        self._thread: threading.Thread | None = None
        self._started: Future[int] = Future()

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> MitmProxy:
        """Start the master and block until it listens."""
        self._thread = threading.Thread(target=self._thread_main, name="mitmproxy", daemon=True)
        self._thread.start()
        try:
            self.port = self._started.result(timeout=START_TIMEOUT_S)
        except TimeoutError as exc:
            self.stop()
            raise InfrastructureError("mitmproxy", f"not listening after {START_TIMEOUT_S:.0f}s") from exc
        except InfrastructureError:
            self.stop()
            raise
        return self

    def _thread_main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # noqa: BLE001 - surfaced through the start future
            if not self._started.done():
                self._started.set_exception(InfrastructureError("mitmproxy", f"failed to start: {exc!r}"))
        finally:
            # Connection tasks still pending at shutdown would be destroyed with
            # the loop (and warned about): cancel them and let them finish first.
            with contextlib.suppress(Exception):
                pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
                for task in pending:
                    task.cancel()
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _serve(self) -> None:
        from mitmproxy import options
        from mitmproxy.tools.dump import DumpMaster

        # mitmproxy logs every client disconnect at INFO; a fault harness causes many.
        logging.getLogger("mitmproxy").setLevel(logging.WARNING)
        opts = options.Options(mode=[self.mode], listen_host=LOOPBACK, listen_port=0)
        master: Any = DumpMaster(opts, with_termlog=False, with_dumper=False)
        if self.extra_options:
            master.options.update(**self.extra_options)
        master.addons.add(*self.addons)
        self._master = master
        run = asyncio.ensure_future(master.run())
        proxyserver = master.addons.get("proxyserver")
        for _ in range(int(START_TIMEOUT_S / 0.01)):
            if run.done():
                break
            addrs = proxyserver.listen_addrs()
            if addrs:
                self._started.set_result(int(addrs[0][1]))
                break
            await asyncio.sleep(0.01)
        if not self._started.done():
            problem = "exited before listening" if run.done() else "never reported a listening address"
            self._started.set_exception(InfrastructureError("mitmproxy", problem))
            master.shutdown()
        await run

    def call(self, fn: Any, *args: Any) -> Any:
        """Run ``fn(*args)`` on the proxy's loop and return its result (thread-safe)."""
        loop = self._loop
        if loop is None or not loop.is_running():
            raise InfrastructureError("mitmproxy", "is not running")

        async def invoke() -> Any:
            result = fn(*args)
            if asyncio.iscoroutine(result):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(invoke(), loop).result(timeout=10)

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        """Close the listener, stop the master and join its thread."""
        loop, master = self._loop, self._master
        if loop is not None and master is not None and loop.is_running():

            async def close() -> None:
                proxyserver: Any = master.addons.get("proxyserver")
                with contextlib.suppress(Exception):
                    await proxyserver.servers.update([])
                master.shutdown()

            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(close(), loop).result(timeout=10)
        if self._thread is not None:
            self._thread.join(timeout=10)
