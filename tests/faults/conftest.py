"""The fault suite's stack: one for the whole folder, since starting one costs seconds.

Every test leaves it healthy (the supervisor restarts what a test kills, and each test
waits for its tasks to settle), so the next test starts from a working stack; the
``healthy`` check at the start of each test says so if one did not.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.helpers import wait_child, wait_pool
from tests.hostile_pdfs import HOSTILE_MAX_PAGES
from tests.stack import Stack, running_stack

#: Settings of the fault stack (on top of tests.stack.TEST_ENV).
FAULT_ENV = {
    # More processes than cores: demo.script tasks mostly sleep, so 4 keep 20+ in flight.
    "TASKDESK_WORKERS": "4",
    # The hostile corpus is judged against this limit (tests.hostile_pdfs).
    "TASKDESK_MAX_PAGES": str(HOSTILE_MAX_PAGES),
    # Low enough that a bomb behind a filter chain meets it within a second or two;
    # an idle worker process uses about 80 MB, the whole corpus far less than this.
    "TASKDESK_WORKER_MEMORY_MB": "768",
    # The watchdog looks every 2 s (60 s by default), so a lost message costs seconds.
    "TASKDESK_WATCHDOG_SECONDS": "2",
}


@pytest.fixture(scope="package")
def fault_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    home = tmp_path_factory.mktemp("faults") / "home"
    with running_stack(home, **FAULT_ENV) as running:
        yield running


@pytest.fixture
def stack(fault_stack: Stack) -> Stack:
    """The shared fault stack, checked to be whole before the test touches it."""
    for marker in ("redis-server", "backend.store.recorder", "backend.api"):
        wait_child(fault_stack, marker)
    wait_pool(fault_stack, int(FAULT_ENV["TASKDESK_WORKERS"]))
    return fault_stack
