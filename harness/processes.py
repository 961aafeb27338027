"""Processes started in their own process group with a log file, and bounded waits on them."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence

from mfr.settings import ROOT


@dataclass
class Proc:
    """One process started here, in its own process group, logging to a file."""

    name: str
    popen: subprocess.Popen
    log: Path

    @property
    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.popen.poll() is None

    def signal(self, sig: int) -> None:
        """Sends `sig` to the process group (no-op once it exited)."""
        if self.alive:
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                pass

    def tail(self, lines: int = 40) -> str:
        """The last lines of its log."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def spawn(name: str, cmd: Sequence[str], log: Path, env: Optional[Dict[str, str]] = None,
          cwd: Path = ROOT) -> Proc:
    """Starts `cmd` in a new session (own process group), output appended to `log`."""
    with open(log, "ab") as out:
        os.chmod(log, 0o600)
        popen = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
    return Proc(name, popen, log)


def wait_for(what: str, check: Callable[[], bool], timeout: float, procs: Sequence[Proc] = (),
             interval: float = 0.5) -> float:
    """Polls `check` until it is true (bounded in time and count); fails early if a process died."""
    start = time.monotonic()
    for _ in range(int(timeout / interval) + 1):
        for p in procs:
            if not p.alive:
                raise RuntimeError(f"{p.name} exited with {p.popen.returncode} while waiting for {what}:\n{p.tail()}")
        try:
            if check():
                return time.monotonic() - start
        except Exception:  # not up yet
            pass
        if time.monotonic() - start > timeout:
            break
        time.sleep(interval)
    raise TimeoutError(f"{what} not ready after {timeout:.0f} s")
