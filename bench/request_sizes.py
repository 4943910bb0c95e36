"""How the window's upload request sizes move the per-task overhead.

The server creates a request's tasks only once its whole body is in, so the workers
wait for the first request; every request costs a round trip and a transaction whatever
it holds. This times 1,000 trivial tasks, as :mod:`bench.overhead` does, uploaded in
requests of a few shapes (the window's, :func:`bench.overhead.window_requests`, among
them), taking turns with bare Celery in one stack and one run, each shape first in turn,
so the machine's noise falls on all of them alike. Prints each shape's median against
bare Celery's. Run: ``python -m bench.request_sizes``.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from bench.disk import wait_until_settled
from bench.overhead import BareCelery, redis_cpu, taskdesk_seconds, window_requests
from tests.stack import Stack, stack_env

COUNT = 1000
ROUNDS = 6
SHAPES = {
    "the window's": window_requests(COUNT),
    "50 + 500 + 450": [50, 500, 450],
    "500 + 500": [500, 500],
    "ten of 100": [100] * 10,
}


def main() -> None:
    seconds: dict[str, list[float]] = {name: [] for name in [*SHAPES, "bare Celery"]}
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        stack = Stack(home, stack_env(home, TASKDESK_PLUGINS="bench.plugins")).start()
        try:
            taskdesk_seconds(stack, 20)  # warm the pool and the API
            disk = wait_until_settled(home / "files")
            broker = stack.runtime["redis_url"].rsplit("/", 1)[0] + "/1"
            bare = BareCelery(broker, stack.settings.workers)
            try:
                names = list(SHAPES)
                for turn in range(ROUNDS):
                    shift = turn % len(names)
                    for name in names[shift:] + names[:shift]:
                        seconds[name].append(taskdesk_seconds(stack, COUNT, SHAPES[name]).seconds)
                    bare_turn = bare.seconds(COUNT, lambda: redis_cpu(stack))
                    seconds["bare Celery"].append(bare_turn.seconds)
            finally:
                bare.stop()
        finally:
            stack.stop()
    baseline = statistics.median(seconds["bare Celery"])
    print(f"request sizes: {COUNT} tasks, median of {ROUNDS} turns; before them {disk}")
    for name, values in seconds.items():  # bare Celery's line gives its own turns
        median = statistics.median(values)
        shape = f" ({' + '.join(map(str, SHAPES[name]))})" if name == "the window's" else ""
        print(
            f"  {name}{shape}: {median:.2f} s ({median / baseline:.2f}× bare Celery); "
            f"turns {', '.join(f'{v:.2f}' for v in values)}"
        )


if __name__ == "__main__":
    main()
