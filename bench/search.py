"""Search speed: what indexing adds to processing, and how fast a query over 100,000 pages is.

**Indexing.** 100 tasks of 100 text pages each (10 generated PDFs, each submitted ten
times) run through the whole path: upload, worker (``pdf.extract``), recorder, index.
There is no switch that turns indexing off, so the run's events are then recorded again,
in this process, into new databases, in the bursts the recorder gathered them in (rebuilt
from when each event arrived): without the pages, which is what recording the events
alone costs, and with each completed task's pages read from its result and indexed, as
the recorder does, in turns. Indexing costs the recorder's CPU in the run less the first:
measured on the run's own recorder, which shared the cores with the workers (where CPU
time stretches), it counts the stream reads against indexing too. Processing costs the
run's CPU less indexing. PostgreSQL, where its server is installed, records the same
bursts both ways, its server's CPU counted with ours.

The pages are also indexed a transaction a task, the way the recorder would if every
completion arrived alone (each makes FTS5 a segment to merge, the dearer shape), with the
reading of the results (:func:`~backend.store.indexing.completed_pages`) timed on its own.

**Queries.** Pages of prose-like text (words drawn from a vocabulary with a Zipf
distribution, a few rare words planted on known pages) go into a SQLite index through
its own write path (:meth:`SearchIndex.add`, a transaction a task, so FTS5 holds as many
segments as the recorder's index would), 10,000 pages first and then up to 100,000.
A mix of queries (a common word, a rare word, a phrase, a prefix, two words) runs through
what ``GET /api/search`` calls (:func:`backend.search.query.parse`, then
:meth:`TaskRepository.search` for the first page of 20 hits), each several times; the
median and 95th percentile are printed at 10,000 pages (the baseline) and at 100,000,
beside a plain ``LIKE`` scan of the same 100,000 pages.

Run: ``python -m bench.search [pages]`` (default 100000).
"""

from __future__ import annotations

import itertools
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import psutil
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from backend.filestore import FileStore
from backend.rows import new_task_row
from backend.search.index import SearchIndex
from backend.search.query import parse
from backend.states import TaskStatus
from backend.store import TaskRepository, make_engine
from backend.store.indexing import PagesByTask, completed_pages, completes
from backend.store.recorder import GATHER_SECONDS, INDEX_GATHER_SECONDS
from backend.stream import Kind, StreamEvent, StreamReader, id_tuple, latest_id, parse_entry
from bench.cpu import cpu_by_role, spent_since
from tests.pdfgen import make_pdf
from tests.postgres import postgres_server
from tests.stack import Stack, stack_env, stream_entries

#: Words of the generated vocabulary, and of a generated page.
VOCABULARY = 30_000
WORDS_PER_LINE = 12
#: About 250 words a page.
LINES_PER_PAGE = 21
#: Lines drawn for the pool pages are made of.
POOL_LINES = 50_000
#: Planted words: each on this many pages of every 10,000.
RARE = {"zephyrquartz": 3, "glimmerwick": 10}
PAGES_PER_TASK = 100
#: How often each query runs at each size.
REPEATS = 15
#: How often the run's events are recorded again, each way, for the indexing figure.
TURNS = 3

QUERIES = {
    "common word": "the",
    "rare word": "zephyrquartz",
    "phrase": '"of the"',
    "prefix": "glim*",
    "two words": "government glimmerwick",
}

#: Real words at the head of the distribution, so the commonest read like prose.
_HEAD = (
    "the of and to a in is that for it as was with be by on not he this are or his from at "
    "which but have an they you were their one all we can her has there been if more when "
    "will would who so no she other its may these about than into some could them only "
    "time new people after two also our year government"
).split()


class Prose:
    """Pages of words drawn with Zipf frequencies (rank r has weight 1/r).

    Drawing every word of 100,000 pages would take longer than indexing them, so lines
    are drawn once, into a pool, and a page is :data:`LINES_PER_PAGE` lines picked from
    it at random: each page still reads as its own mix of common and rare words.
    """

    def __init__(self, seed: int = 13) -> None:
        self._random = random.Random(seed)
        letters = "abcdefghijklmnopqrstuvwxyz"
        invented = (
            {
                "".join(self._random.choices(letters, k=self._random.randint(3, 10)))
                for _ in range(VOCABULARY * 2)
            }
            - set(_HEAD)
            - set(RARE)
        )
        words = [*_HEAD, *sorted(invented)[: VOCABULARY - len(_HEAD)]]
        weights = list(itertools.accumulate(1 / rank for rank in range(1, len(words) + 1)))
        self._lines = [
            " ".join(self._random.choices(words, cum_weights=weights, k=WORDS_PER_LINE))
            for _ in range(POOL_LINES)
        ]

    def page(self, number: int) -> str:
        lines = self._random.choices(self._lines, k=LINES_PER_PAGE)
        for word, per_10k in RARE.items():
            if number % (10_000 // per_10k) == 0:
                lines[0] = f"{lines[0]} {word}"
        return "\n".join(line.capitalize() + "." for line in lines)


# -- indexing against processing -------------------------------------------------------


@dataclass
class Spent:
    """Wall and CPU seconds of one piece of work."""

    wall: float
    cpu: float


@dataclass
class Run:
    """What the stack did with the bench's 100 tasks, kept to record them again."""

    pages: int
    #: Submit to recorded, and the CPU the stack's processes spent meanwhile.
    spent: Spent
    #: The recorder's CPU in that run: its indexing and its writing of the events.
    recorder: float
    #: The run's events, in stream order.
    events: list[StreamEvent]
    files: FileStore


def processing_run(folder: Path, prose: Prose) -> Run:
    """100 tasks of 100 pages through the whole stack, and what the run cost."""
    pdfs = [make_pdf(folder / f"doc{n}.pdf", PAGES_PER_TASK, prose.page) for n in range(10)]
    home = folder / "home"
    stack = Stack(home, stack_env(home)).start()
    try:
        stack.wait_until([r["id"] for r in stack.submit(pdfs[:1])], timeout=120)  # warm up
        assert stack.process is not None
        root = psutil.Process(stack.process.pid)
        after = latest_id(stack.redis)
        before = cpu_by_role(root)
        started = time.perf_counter()
        rows = stack.submit(pdfs * 10)
        done = stack.wait_until([r["id"] for r in rows], timeout=900)
        stack.wait_recorded(timeout=300)
        spent = spent_since(before, cpu_by_role(root))
        wall = time.perf_counter() - started
        if {row["status"] for row in done.values()} != {TaskStatus.COMPLETED.value}:
            raise RuntimeError("not every task completed")
        events = [parse_entry(*entry) for entry in stream_entries(stack.redis, after)]
        files = FileStore(stack.settings)
    finally:
        stack.stop()
    pages = sum(len(p) for p in completed_pages(files, events).values())
    return Run(pages, Spent(wall, sum(spent.values())), spent["recorder"], events, files)


def arrival_ms(event: StreamEvent) -> int:
    """When Redis took the event in: a stream id starts with its milliseconds."""
    return id_tuple(event.event_id)[0]


def gathered(events: Sequence[StreamEvent], pages: PagesByTask) -> list[list[StreamEvent]]:
    """The bursts the recorder gathered ``events`` in, rebuilt from when each arrived.

    As :meth:`Recorder._gather <backend.store.recorder.Recorder._gather>` does: a burst
    takes what arrives within :data:`GATHER_SECONDS` of its first event, and, when that
    completes a task with text, what arrives within :data:`INDEX_GATHER_SECONDS` more;
    each read takes at most a reader's batch. The time the recorder spends reading and
    writing is left out, so these bursts are a little shorter than its own.
    """
    batch = StreamReader.batch_size
    has_text = partial(_completes_with_text, pages)
    bursts, start = [], 0
    while start < len(events):
        first = arrival_ms(events[start])
        end = _arrived_by(events, start, first + GATHER_SECONDS * 1000, batch)
        if any(map(has_text, events[start:end])):
            deadline = first + (GATHER_SECONDS + INDEX_GATHER_SECONDS) * 1000
            end = _arrived_by(events, end, deadline, batch)
        bursts.append(list(events[start:end]))
        start = end
    return bursts


def _completes_with_text(pages: PagesByTask, event: StreamEvent) -> bool:
    return completes(event) and bool(pages.get(event.row["id"]))


def _arrived_by(events: Sequence[StreamEvent], start: int, deadline: float, limit: int) -> int:
    """The end of the events from ``start`` on that arrived by ``deadline`` (ms), at most
    ``limit`` of them and at least one."""
    end = start + 1
    while end < len(events) and end - start < limit and arrival_ms(events[end]) <= deadline:
        end += 1
    return end


def record_again(
    url: str,
    bursts: Sequence[Sequence[StreamEvent]],
    files: FileStore | None,
    server: psutil.Process | None = None,
) -> Spent:
    """Apply ``bursts`` to a new database at ``url`` as the recorder does: with their
    pages read and indexed when ``files`` is given, without them when it is None.
    ``server``'s CPU counts."""
    engine = make_engine(url)
    repository = TaskRepository(engine)
    with engine.connect() as connection:  # connect first: that is no part of recording
        connection.execute(text("SELECT 1"))
    before = cpu_by_role(server) if server is not None else {}
    with measured() as spent:
        for burst in bursts:
            repository.apply(burst, completed_pages(files, burst) if files is not None else None)
    if server is not None:
        spent.cpu += sum(spent_since(before, cpu_by_role(server)).values())
    engine.dispose()
    return spent


@dataclass
class Indexing:
    """What indexing cost, recorded again with and without the pages (medians)."""

    with_pages: Spent
    without: Spent

    @property
    def cost(self) -> Spent:
        return Spent(
            self.with_pages.wall - self.without.wall, self.with_pages.cpu - self.without.cpu
        )


def indexing(
    new_database: Callable[[], str],
    bursts: Sequence[Sequence[StreamEvent]],
    files: FileStore,
    server: psutil.Process | None = None,
) -> Indexing:
    """Record the run again :data:`TURNS` times each way, in turns, into new databases."""
    turns: dict[bool, list[Spent]] = {True: [], False: []}
    for _ in range(TURNS):
        for with_pages in (True, False):
            files_or_none = files if with_pages else None
            turns[with_pages].append(record_again(new_database(), bursts, files_or_none, server))
    return Indexing(median_spent(turns[True]), median_spent(turns[False]))


def median_spent(turns: Sequence[Spent]) -> Spent:
    return Spent(statistics.median(t.wall for t in turns), statistics.median(t.cpu for t in turns))


@contextmanager
def measured() -> Iterator[Spent]:
    """The wall and CPU seconds of this process the block took, once it is left."""
    spent = Spent(0.0, 0.0)
    started, started_cpu = time.perf_counter(), time.process_time()
    yield spent
    spent.wall, spent.cpu = time.perf_counter() - started, time.process_time() - started_cpu


def reindex(engine: Engine, pages: PagesByTask, server: psutil.Process | None = None) -> Spent:
    """Index ``pages`` a transaction a task, as the recorder does when completions arrive
    alone; ``server``'s CPU counts."""
    index = SearchIndex.for_dialect(engine.dialect.name)
    assert index is not None
    with Session(engine) as session:  # connect first: that is no part of indexing
        session.execute(text("SELECT 1"))
        session.commit()
        before = cpu_by_role(server) if server is not None else {}
        with measured() as spent:
            for task_id, task_pages in pages.items():
                with session.begin():
                    index.add(session, task_id, task_pages)
        if server is not None:
            spent.cpu += sum(spent_since(before, cpu_by_role(server)).values())
    engine.dispose()
    return spent


# -- queries over many pages -----------------------------------------------------------


def build(
    engine: Engine,
    repository: TaskRepository,
    index: SearchIndex,
    prose: Prose,
    first: int,
    last: int,
) -> None:
    """Tasks of :data:`PAGES_PER_TASK` pages holding pages ``first`` to ``last - 1``."""
    for start in range(first, last, PAGES_PER_TASK * 10):
        tasks = []
        for task_start in range(start, min(start + PAGES_PER_TASK * 10, last), PAGES_PER_TASK):
            row = new_task_row(
                batch_id="bench",
                filename=f"task {task_start // PAGES_PER_TASK}.pdf",
                processor="pdf.extract",
                max_retries=0,
                soft_time_limit=270.0,
                time_limit=300.0,
            )
            row.update(version=1, status=TaskStatus.COMPLETED.value)
            tasks.append(row)
        repository.apply(
            [StreamEvent(f"{start + n + 1}-0", Kind.CREATE, None, r) for n, r in enumerate(tasks)]
        )
        for n, row in enumerate(tasks):  # a transaction a task, as the recorder's
            base = start + n * PAGES_PER_TASK
            pages = [(i + 1, prose.page(base + i)) for i in range(PAGES_PER_TASK)]
            with Session(engine) as session, session.begin():
                index.add(session, row["id"], pages)


def timings(run: Callable[[], object]) -> list[float]:
    run()  # the first call warms the page cache and the statement cache
    seconds = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return seconds


def query_times(repository: TaskRepository) -> Iterator[tuple[str, list[float], int]]:
    for name, query in QUERIES.items():
        terms = parse(query)
        total = repository.search(terms, limit=20).total
        yield name, timings(partial(repository.search, terms, limit=20)), total


def like_times(engine: Engine, word: str) -> list[float]:
    statement = text("SELECT count(*) FROM page_index WHERE text LIKE :pattern")
    with Session(engine) as session:
        return timings(lambda: session.execute(statement, {"pattern": f"%{word}%"}).scalar_one())


def share(indexing: Spent, bare: Spent) -> str:
    return (
        f"+{indexing.cpu / bare.cpu:.1%} CPU ({indexing.cpu:.2f} s of {bare.cpu:.2f} s), "
        f"+{indexing.wall / bare.wall:.1%} wall at most "
        f"({indexing.wall:.2f} s of {bare.wall:.2f} s)"
    )


def ms(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def main(pages: int = 100_000) -> None:
    prose = Prose()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        run = processing_run(folder, prose)
        with measured() as reading:
            pages_of_run = completed_pages(run.files, run.events)
        bursts = gathered(run.events, pages_of_run)
        databases = (f"sqlite:///{folder / f'again{n}.db'}" for n in itertools.count())
        on_sqlite = indexing(partial(next, databases), bursts, run.files)
        # The run's recorder shared the cores with the workers, where CPU time stretches;
        # the events alone are cheap, so less of the figure is measured apart from it.
        cost = run.recorder - on_sqlite.without.cpu
        bare = Spent(run.spent.wall, run.spent.cpu - cost)
        print(
            f"search indexing: +{cost / bare.cpu:.1%} CPU ({cost:.2f} s of {bare.cpu:.2f} s) on "
            f"processing {run.pages} pages in {run.spent.wall:.2f} s: the recorder's CPU in the "
            f"run ({run.recorder:.2f} s) less what recording its {len(run.events)} events costs "
            f"without the pages ({on_sqlite.without.cpu:.2f} s)"
        )
        print(
            f"  the events recorded again in the recorder's {len(bursts)} bursts, into new "
            f"databases, median of {TURNS}: {on_sqlite.with_pages.cpu:.2f} s with the pages "
            f"read and indexed, alone on the machine"
        )
        sqlite = reindex(make_engine(f"sqlite:///{folder / 'reindex.db'}"), pages_of_run)
        alone = Spent(reading.wall + sqlite.wall, reading.cpu + sqlite.cpu)
        print(f"  a transaction a task, as completions that arrive alone: {share(alone, bare)}")
        print(f"    reading the results {reading.cpu:.2f} s CPU, SQLite {sqlite.cpu:.2f} s")
        try:
            with postgres_server() as server:
                postmaster = psutil.Process(
                    int((server.data / "postmaster.pid").read_text().split()[0])
                )
                on_postgres = indexing(server.create_database, bursts, run.files, postmaster)
            print(
                f"  on PostgreSQL, in the same bursts with and without the pages (its "
                f"server's CPU counted): {share(on_postgres.cost, bare)}"
            )
        except pytest.skip.Exception as skipped:
            print(f"  on PostgreSQL: not measured ({skipped})")
        engine = make_engine(f"sqlite:///{folder / 'search.db'}")
        repository = TaskRepository(engine)
        index = SearchIndex.for_dialect(engine.dialect.name)
        assert index is not None
        baseline_pages = min(10_000, pages)
        started = time.perf_counter()
        build(engine, repository, index, prose, 0, baseline_pages)
        baseline = {name: (t, total) for name, t, total in query_times(repository)}
        build(engine, repository, index, prose, baseline_pages, pages)
        built = time.perf_counter() - started
        full = list(query_times(repository))
        mix = [s for _, t, _ in full for s in t]
        base_mix = [s for t, _ in baseline.values() for s in t]
        print(
            f"search query over {pages} pages: {ms(mix)} (mix of {len(QUERIES)}); "
            f"over {baseline_pages}: {ms(base_mix)}"
        )
        for name, seconds, total in full:
            base, base_total = baseline[name]
            print(
                f"  {name} {QUERIES[name]!r}: {ms(seconds)}, {total} hits; at "
                f"{baseline_pages} pages {ms(base)}, {base_total} hits"
            )
        like = ms(like_times(engine, "zephyrquartz"))
        print(f"  LIKE scan for 'zephyrquartz' over {pages} pages: {like}")
        size = (folder / "search.db").stat().st_size / (1 << 20)
        print(
            f"  index built in {built:.1f} s ({pages / built:.0f} pages/s), database {size:.0f} MB"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
