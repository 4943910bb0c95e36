"""``taskdesk-backend``: runs and watches the bundled stack.

It starts, in order, the Redis server (unless ``REDIS_URL`` names one), the recorder,
the Celery worker, the API and the watchdog; restarts any of them that dies (the API on
the same port, so clients reconnect to the same URL); writes ``runtime.json`` once the
API answers; and on SIGTERM stops them in the order that loses nothing: the watchdog and
the API, then the worker (running tasks get a grace period, then go back to the queue),
then the recorder (after it has written every event), then Redis. An idle worker stops
at once: the grace period runs only while tasks do.

Every child's output comes to the supervisor through pipes, and it alone writes the log
(:mod:`backend.logsink`): SIGHUP reopens the log file, as logrotate expects, and does
not stop the stack.

It sleeps in ``sigtimedwait`` between events, until the next restart falls due: an idle
backend costs no CPU here, and a stop is answered at once, even while a child
crash-loops (its restarts are deadlines in that wait, not sleeps) or is starting (a
readiness wait looks for a stop signal every
:data:`~backend.children.READY_POLL_SECONDS`).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import IO, NoReturn

import httpx

from backend import __version__, logs
from backend.auth import load_or_create_token
from backend.children import STOP_SIGNALS, WATCHED_SIGNALS, Child, Stopping, free_port, wait_until
from backend.config import Settings
from backend.launch import EXIT_ALREADY_RUNNING, module_command
from backend.logsink import LogSink
from backend.private_files import write_private
from backend.redis_server import EmbeddedRedis
from backend.settings_help import settings_help

log = logging.getLogger("taskdesk.supervisor")

#: A child that dies sooner than this after starting is crash-looping: back off.
STABLE_AFTER_SECONDS = 5.0
MAX_RESTART_DELAY = 10.0

#: Longest sleep between two looks at the children being stopped (a SIGCHLD ends it sooner).
STOP_POLL_SECONDS = 0.1


class Supervisor:
    def __init__(self, settings: Settings, logs: LogSink) -> None:
        settings.ensure_home()
        self.settings = settings
        self.logs = logs
        self.token = load_or_create_token(settings)
        self.api_port = settings.port or free_port(settings.host)
        self.redis: EmbeddedRedis | None = None
        if not settings.redis_url:
            self.redis = EmbeddedRedis(settings, free_port())
            settings = settings.model_copy(update={"redis_url": self.redis.url})
        #: The settings every child sees, with the Redis URL filled in.
        self.stack_settings = settings
        self.env = self._child_env()
        self.children = self._children()
        self._lock: IO[str] | None = None
        self._redis_started_at = 0.0

    @property
    def api_url(self) -> str:
        host = self.settings.host
        shown = f"[{host}]" if ":" in host else host
        scheme = "https" if self.settings.tls_cert else "http"
        return f"{scheme}://{shown}:{self.api_port}"

    # -- the children ------------------------------------------------------------------

    def _child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["TASKDESK_HOME"] = str(self.settings.home)
        env["TASKDESK_PORT"] = str(self.api_port)
        env["TASKDESK_WORKERS"] = str(self.settings.workers)
        env["REDIS_URL"] = str(self.stack_settings.redis_url)
        return env

    def _python(self, module: str, *args: str) -> Callable[[], list[str]]:
        """``python -m module args``, or its equivalent in a frozen bundle."""
        return lambda: module_command(module, *args)

    def _children(self) -> list[Child]:
        children = []
        if self.redis is not None:
            redis = self.redis
            children.append(
                Child(
                    "redis",
                    redis.command,
                    self.env,
                    stop_timeout=30,
                    stop_phase=2,  # last: everyone else uses it
                    stop=redis.shutdown,
                    before_start=self._note_redis_start,
                    after_start=self._redis_ready,
                )
            )
        children.append(
            Child(
                "recorder",
                self._python("backend.store.recorder"),
                self.env,
                # After the worker, so it writes the worker's last events.
                stop_phase=1,
                # Before the first of the processes that use the database starts.
                before_start=self._prepare_database,
            )
        )
        children.append(
            Child(
                "watchdog",
                self._python("backend.watchdog"),
                self.env,
                # A sweep cut short loses nothing (backend/watchdog/__main__.py).
                stop_timeout=2,
            )
        )
        children.append(
            Child(
                "worker",
                self._python(
                    "celery",
                    "-A",
                    "backend.worker",
                    "--quiet",  # no banner: the log says what the stack runs
                    "worker",
                    "--pool",
                    "prefork",
                    "--concurrency",
                    str(self.settings.workers),
                    "--hostname",
                    f"taskdesk-{os.getpid()}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel",
                    self.settings.log_level,
                ),
                # SIGTERM alone makes Celery wait for running tasks to end, however long
                # they take (up to the time limit); as SIGQUIT it waits the soft-shutdown
                # timeout (the grace period), then stops them and gives their messages back.
                {**self.env, "REMAP_SIGTERM": "SIGQUIT"},
                # The grace period, then unfinished tasks go back to Redis.
                stop_timeout=self.settings.shutdown_grace_seconds + 30,
                # A worker that died held messages no one else will ever ack.
                before_start=self._requeue_held_messages if self.redis else None,
            )
        )
        children.append(
            Child("api", self._python("backend.api"), self.env, after_start=self._wait_api)
        )
        return children

    def _wait_api(self, process: subprocess.Popen[bytes]) -> None:
        def answers() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"the API exited with {process.returncode} at start")
            try:
                # Our own child on this machine, asked for nothing secret: its certificate
                # may be one no client here trusts (self-signed, pinned by the desktops).
                reply = httpx.get(f"{self.api_url}/api/health", timeout=0.5, verify=False)
                return reply.status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(answers, timeout=30.0, what="the API")

    # -- life cycle --------------------------------------------------------------------

    def run(self) -> int:
        self._take_lock()
        signal.pthread_sigmask(signal.SIG_BLOCK, WATCHED_SIGNALS)
        try:
            self._start_all()
            self._write_runtime_file()
            log.info("Taskdesk backend %s ready at %s", __version__, self.api_url)
            self._supervise()
        except Stopping as stop:
            log.info("received %s; stopping", stop)
            return 0
        finally:
            started = time.monotonic()
            self._stop_all()
            self.settings.runtime_file.unlink(missing_ok=True)
            log.info("stopped in %.1f s", time.monotonic() - started)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, WATCHED_SIGNALS)

    def _supervise(self) -> NoReturn:
        """Restart what exits, each when its backoff ends, until a stop signal."""
        while True:
            self._schedule_restarts()
            self._restart_due()
            due = [c.restart_at for c in self.children if c.restart_at is not None]
            if due:
                info = signal.sigtimedwait(WATCHED_SIGNALS, max(0.0, min(due) - time.monotonic()))
            else:
                info = signal.sigwaitinfo(WATCHED_SIGNALS)
            if info is not None and info.si_signo in STOP_SIGNALS:
                raise Stopping(info.si_signo)
            if info is not None and info.si_signo == signal.SIGHUP:
                self.logs.reopen()
                log.info("received SIGHUP; log file reopened")

    def _start_all(self) -> None:
        for child in self.children:
            child.launch(self.logs)

    def _prepare_database(self) -> None:
        """Create the tables here, once, before the recorder and the API start.

        Left to them, both would find the tables missing in a new data folder and both
        would create them, and the slower one would die of "table already exists".
        A database that does not answer now is left to them: they meet the same error and
        report it.
        """
        from backend.store import make_engine

        try:
            make_engine(self.stack_settings.effective_database_url).dispose()
        except Exception as exc:
            log.warning("could not prepare the database: %s", exc)

    def _requeue_held_messages(self, delivered_before: float | None = None) -> None:
        """With the embedded Redis, every unacked message belongs to our one worker, and
        that worker is not running now: give them back instead of waiting out the
        visibility timeout."""
        from backend.watchdog.broker import restore_unacked
        from backend.worker import make_app

        try:
            restored = restore_unacked(make_app(self.stack_settings), delivered_before)
        except Exception as exc:  # the watchdog or the visibility timeout will do it
            log.warning("could not requeue held messages: %s", exc)
            return
        if restored:
            log.info("requeued %d message(s) a stopped worker still held", restored)

    def _note_redis_start(self) -> None:
        self._redis_started_at = time.time()

    def _redis_ready(self, process: subprocess.Popen[bytes]) -> None:
        """Wait for Redis; after a restart, give back what the worker held before it.

        A worker that loses Redis stops its running tasks and drops the messages it had
        taken, but cannot give them back while Redis is down, so they would wait out the
        visibility timeout. Every message delivered before this start is such an orphan
        (the worker's connection broke); those it takes once reconnected are left alone.
        """
        redis = self.redis
        assert redis is not None

        def answers() -> bool:
            try:
                redis.wait_ready(process, timeout=0)  # one look
            except TimeoutError:
                return False
            return True

        # Replaying a large AOF takes a while; 15 s is what wait_ready gives it.
        wait_until(answers, timeout=15.0, what="redis-server")
        self._requeue_held_messages(delivered_before=self._redis_started_at)

    def _schedule_restarts(self) -> None:
        """Give each child that exited a time to start again: at once, unless it is
        crash-looping, then after a backoff that doubles up to :data:`MAX_RESTART_DELAY`."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None or not child.exited():
                continue
            assert child.process is not None
            log.warning("%s exited with %s; restarting", child.name, child.process.returncode)
            child.kill_leftovers()
            quick = now - child.started_at < STABLE_AFTER_SECONDS
            child.restart_delay = (
                min(max(child.restart_delay * 2, 0.5), MAX_RESTART_DELAY) if quick else 0.0
            )
            child.restart_at = now + child.restart_delay

    def _restart_due(self) -> None:
        for child in self.children:
            if child.restart_at is None or child.restart_at > time.monotonic():
                continue
            child.restart_at = None
            try:
                child.launch(self.logs)
            except (RuntimeError, TimeoutError) as exc:
                log.error("%s failed to restart: %s", child.name, exc)

    def _stop_all(self) -> None:
        """Stop in the order that loses nothing, and no slower than it needs: the API,
        the watchdog and the worker together (the worker's grace period, if tasks run,
        is the longest wait), then the recorder, once every event is written, then Redis.

        Each phase ends the moment its last child exits: the wait wakes on SIGCHLD
        (blocked, like every signal the supervisor takes), not child after child.
        """
        for phase in sorted({child.stop_phase for child in self.children}):
            waiting = [child for child in self.children if child.stop_phase == phase]
            asked_at = time.monotonic()
            for child in waiting:
                child.terminate()
            while waiting := [child for child in waiting if not child.reap(asked_at)]:
                overdue = min(asked_at + child.stop_timeout for child in waiting)
                # Capped: a SIGCHLD the caller did not block would never wake the wait.
                wait = min(overdue - time.monotonic(), STOP_POLL_SECONDS)
                signal.sigtimedwait({signal.SIGCHLD}, max(0.0, wait))

    def _write_runtime_file(self) -> None:
        # redis_url lets tools on this machine (and the tests) watch the live stream;
        # the file is owner-only, like the password it carries.
        runtime = {
            "url": self.api_url,
            "token": self.token,
            "pid": os.getpid(),
            "redis_url": self.stack_settings.redis_url,
        }
        if self.settings.tls_cert is not None:
            # The desktop on this machine trusts the certificate its own backend serves.
            runtime["certificate"] = self.settings.tls_cert.read_text()
        write_private(self.settings.runtime_file, json.dumps(runtime))

    def _take_lock(self) -> None:
        """One supervisor per data folder: a second one would fight over the port and AOF."""
        self._lock = open(self.settings.home / "supervisor.lock", "w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.error("another taskdesk-backend is running on %s", self.settings.home)
            raise SystemExit(EXIT_ALREADY_RUNNING) from None


def main(argv: list[str] | None = None) -> int:
    """Run until SIGTERM; exits :data:`~backend.launch.EXIT_ALREADY_RUNNING` when another
    supervisor holds the data folder."""
    parser = argparse.ArgumentParser(
        prog="taskdesk-backend",
        description="Run the Taskdesk backend: Redis, the task recorder, a Celery worker "
        "and the HTTP API, supervised. SIGTERM stops it; SIGHUP reopens the log file.",
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=__version__)
    parser.parse_args(argv)
    # Everything the stack creates (database, AOF, inputs, results, logs) is the user's
    # alone, whatever the folder around it allows; the children inherit the mask.
    os.umask(0o077)
    settings = Settings()
    sink = LogSink(settings)
    logs.configure("supervisor", settings.log_level, sink.handler("supervisor"))
    try:
        code = Supervisor(settings, sink).run()
    except Exception:
        log.exception("taskdesk-backend stopped on an error")
        raise
    finally:
        sink.close()
    # The stack is down and its log written: skip tearing down every module the
    # supervisor imported, a third of a second of CPU (more on a busy machine) that
    # whoever waits for the stop would wait for too.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
