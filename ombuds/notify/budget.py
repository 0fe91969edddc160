"""How long a batch of emails or webhooks may go on.

A batch run by `ombuds worker` stops taking new messages once its few seconds are spent (so
that a slow SMTP server or webhook receiver never holds up the other channel for long) or as
soon as the worker was asked to stop (SIGTERM): the message in hand is finished, the others
it had claimed are handed back at once for the next batch, whoever runs it.
"""

from __future__ import annotations

import threading
import time

# Set by the worker when it is asked to stop; only the worker process ever sets it.
stop_requested = threading.Event()


class Budget:
    """Asked before each message: False while the batch may begin another. The first message
    always goes (every batch makes progress), unless the worker is stopping."""

    def __init__(self, seconds: float | None = None) -> None:
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.asked = False

    def spent(self) -> bool:
        if stop_requested.is_set():
            return True
        first, self.asked = not self.asked, True
        return not first and self.deadline is not None and time.monotonic() >= self.deadline
