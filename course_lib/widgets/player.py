"""Play: a background thread of the kernel that shows one frame after another until stopped.

The kernel's main thread keeps handling messages from the browser meanwhile, so Pause (or any
other control) is heard while the frames play.
"""
from __future__ import annotations

import threading
from collections.abc import Callable


class Player:
    """Calls `frame()` every `interval` seconds in a daemon thread while it returns True.

    Parameters
    ----------
    name : str
        The thread's name, as shown in a debugger.
    """

    def __init__(self, name: str):
        self.name = name
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def playing(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, frame: Callable[[], bool], interval: float,
              on_end: Callable[[], None]) -> None:
        """Play `frame` until it returns False or `stop` is called; then `on_end()`, unless a
        newer start has replaced this one. Does nothing while already playing.
        """
        if self.playing:
            return
        stop = self._stop = threading.Event()

        def loop() -> None:
            while not stop.is_set() and frame():
                stop.wait(interval)
            if self._stop is stop:
                on_end()
        self._thread = threading.Thread(target=loop, name=self.name, daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        """Stop after the current frame, without waiting (safe from inside a frame)."""
        self._stop.set()

    def stop(self) -> None:
        """Stop and wait for the current frame to finish (unless called from the frame itself)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
