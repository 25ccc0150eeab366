"""One progress line on standard error for long imports and exports.

On a terminal the line is redrawn in place at most every half second; into a file or a pipe (a log,
CI) a full line is written at most every ten seconds, so a log stays readable.
"""
import sys
import time
from typing import TextIO

TTY_INTERVAL = 0.5
LOG_INTERVAL = 10.0


class Progress:
    def __init__(self, *, label: str, unit: str, stream: TextIO | None = None, total: int | None = None,
                 clock=time.monotonic):
        self.label, self.unit, self.total = label, unit, total
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = TTY_INTERVAL if self.tty else LOG_INTERVAL
        self.clock = clock
        self.started = self.last = clock()
        self.drawn = False

    def update(self, *, done: int, read: int | None = None, force: bool = False) -> None:
        """`done`: the units written so far (comments, lines); `read`: items read from the source, if different."""
        now = self.clock()
        if not force and now - self.last < self.interval:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-9)
        line = f"{self.label}: "
        if read is not None:
            line += f"{read:,} items read, "
        line += f"{done:,} {self.unit} ({done / elapsed:,.0f}/s)"
        if self.total:
            line += f", {min((done if read is None else read) / self.total, 1):.0%}"
        if self.tty:
            self.stream.write(f"\r{line}\x1b[K")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self.drawn = True

    def finish(self, *, done: int, read: int | None = None) -> None:
        self.update(done=done, read=read, force=True)
        if self.tty and self.drawn:
            self.stream.write("\n")
            self.stream.flush()

    @property
    def elapsed(self) -> float:
        return self.clock() - self.started
