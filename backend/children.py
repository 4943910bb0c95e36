"""One supervised child process: how the supervisor starts, stops and reaps it.

The supervisor (:mod:`backend.supervisor`) blocks the signals it waits for
(:data:`WATCHED_SIGNALS`) and takes them with ``sigtimedwait``; what here waits does the
same, so a stop signal is answered at once, even in the middle of starting a child.
A child runs in a process group of its own with the default signal mask, so whatever a
dead child leaves behind (a worker's pool processes) can be killed before it starts again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

from backend.logsink import LogSink

log = logging.getLogger("taskdesk.supervisor")

#: How often a wait for a starting child to become ready looks again, and for a stop.
READY_POLL_SECONDS = 0.05

#: Signals that stop the supervisor.
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
#: Signals the supervisor handles synchronously; its children must not inherit the block.
#: SIGHUP reopens the log file.
WATCHED_SIGNALS = {signal.SIGCHLD, signal.SIGHUP, *STOP_SIGNALS}


class Stopping(Exception):
    """A stop signal arrived: whatever the supervisor was doing, it stops the stack now."""

    def __init__(self, signo: int) -> None:
        super().__init__(signal.Signals(signo).name)
        self.signo = signo


def wait_until(ready: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``ready`` until it holds; a stop signal meanwhile raises :class:`Stopping`.

    The stop signals must be blocked (they are while the supervisor runs): the wait
    between two looks takes them, instead of a sleep that would let them wait.
    """
    deadline = time.monotonic() + timeout
    while not ready():
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"{what} did not answer in time")
        info = signal.sigtimedwait(STOP_SIGNALS, min(READY_POLL_SECONDS, left))
        if info is not None:
            raise Stopping(info.si_signo)


def spawn(
    command: list[str], env: dict[str, str], stdout: int, stderr: int
) -> subprocess.Popen[bytes]:
    """Start a child in a process group of its own, with the default signal mask.

    Ours blocks what sigwaitinfo takes. The group lets us kill what a dead child leaves
    behind (a worker's pool processes) before starting it again.
    """
    return subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        process_group=0,
        preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_UNBLOCK, WATCHED_SIGNALS),
    )


@dataclass
class Child:
    """One supervised process and how to (re)start it."""

    name: str
    command: Callable[[], list[str]]
    env: dict[str, str]
    #: Seconds to wait for it to exit after SIGTERM before SIGKILL.
    stop_timeout: float = 10.0
    #: Children stop phase by phase, those of one phase together (:meth:`Supervisor._stop_all`).
    stop_phase: int = 0
    before_start: Callable[[], None] | None = None
    after_start: Callable[[subprocess.Popen[bytes]], None] | None = None
    #: Asks it to stop in a way of its own instead of SIGTERM (which stays the fallback).
    stop: Callable[[], None] | None = None
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_delay: float = 0.0
    #: When (monotonic) it is due to start again; None while it runs.
    restart_at: float | None = None

    def launch(self, logs: LogSink) -> None:
        if self.before_start is not None:
            self.before_start()
        command = self.command()
        self.process = logs.start_child(
            self.name, lambda stdout, stderr: spawn(command, self.env, stdout, stderr)
        )
        self.started_at = time.monotonic()
        log.info("started %s (pid %s)", self.name, self.process.pid)
        if self.after_start is not None:
            self.after_start(self.process)

    def exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def kill_leftovers(self) -> None:
        """Kill whatever the child's process group still holds (orphaned pool workers)."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)

    def terminate(self) -> None:
        """Ask it to stop (its :attr:`stop` hook, else SIGTERM); :meth:`reap` then
        tells when it has."""
        if self.process is None or self.process.poll() is not None:
            return
        if self.stop is not None:
            try:
                self.stop()
                return
            except Exception as exc:
                log.warning("could not ask %s to stop (%s); sending SIGTERM", self.name, exc)
        self.process.send_signal(signal.SIGTERM)

    def reap(self, asked_at: float) -> bool:
        """Whether it has exited since :meth:`terminate` at ``asked_at``; one that
        outstays :attr:`stop_timeout` is killed (and then has)."""
        if self.process is None:
            return True
        if self.process.poll() is not None:
            log.info("stopped %s in %.2f s", self.name, time.monotonic() - asked_at)
        elif time.monotonic() < asked_at + self.stop_timeout:
            return False
        else:
            log.warning("%s did not stop in %.0f s; killing it", self.name, self.stop_timeout)
            self.process.kill()
            self.process.wait()
        self.kill_leftovers()
        return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
