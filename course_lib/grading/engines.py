"""Grading at scale: where the grading jobs run, and a gradebook that many of them write at once.

`instructor autograde` turns each submission into one job, `autograding.grade_submission`, and
hands the jobs to a `concurrent.futures.Executor`. This module makes that executor:

- engine "local" (the default): a pool of `--jobs N` threads on this machine; each job grades in
  child processes of its own, so N submissions are graded at the same time;
- engine "dask": the workers of a running Dask distributed cluster (`--scheduler ADDRESS`), on
  as many machines as it has; each worker thread grades one submission at a time.

The gradebook is whatever SQLAlchemy URL `c.CourseDirectory.db_url` in nbgrader_config.py names
(nbgrader's own setting; every command of the course reads it). By default it is SQLite,
`<course>/gradebook.db`, which serves one machine: many processes may write it, but SQLite lets
one write at a time and makes the others wait, and by default a writer gives up after 5 seconds
("database is locked"), and so does one that waits for a long reader. So the course:

- opens every SQLite gradebook with a busy timeout of `SQLITE_BUSY_TIMEOUT` seconds
  (`gradebook_url`, applied where the config is loaded);
- switches the file to write-ahead logging (`prepare_gradebook`, before the jobs start): readers
  (formgrader, export, the report) and the writer no longer block each other;
- creates the gradebook's tables and course once, before the jobs start, so that two jobs never
  race to create them.

For a class on several machines the gradebook must be a database server that all of them reach
(PostgreSQL: `postgresql+psycopg2://user@host/dbname`); SQLite's locks do not work across machines.
See docs/grading_at_scale.md.
"""
from __future__ import annotations

import socket
from collections.abc import Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

ENGINES = ("local", "dask")
SQLITE_BUSY_TIMEOUT = 120.0  # seconds a gradebook write waits for another one before it fails
DASK_CONNECT_TIMEOUT = 30.0  # seconds to reach the scheduler, and for a first worker to be there


class EngineError(RuntimeError):
    """The grading engine cannot be used as asked (a message for the instructor)."""


# -- the gradebook ----------------------------------------------------------------------------

def gradebook_url(configured: str | None, root: Path) -> str:
    """The URL every process of the course opens the gradebook with.

    Parameters
    ----------
    configured : str or None
        `c.CourseDirectory.db_url` from nbgrader_config.py; empty or None for nbgrader's default,
        `sqlite:///<root>/gradebook.db`.
    root : Path
        The course directory.

    Returns
    -------
    str
        The same database; for SQLite with a busy timeout (`?timeout=`) unless one is given.
    """
    url = make_url(configured or f"sqlite:///{Path(root).resolve() / 'gradebook.db'}")
    if url.get_backend_name() == "sqlite" and "timeout" not in url.query:
        url = url.update_query_dict({"timeout": f"{SQLITE_BUSY_TIMEOUT:g}"})
    return url.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def prepare_gradebook(url: str, course_id: str) -> None:
    """Make the gradebook ready for concurrent writers; call it once before the jobs start.

    Creates the tables and the course row (nbgrader creates them on first use, and two jobs
    doing that at once collide); for SQLite, switches the file to write-ahead logging, a setting
    stored in the file itself.
    """
    from nbgrader.api import Gradebook
    from sqlalchemy import text

    with Gradebook(url, course_id) as gradebook:
        if is_sqlite(url):
            mode = gradebook.db.execute(text("PRAGMA journal_mode=WAL")).scalar()
            if mode != "wal":
                raise EngineError(f"gradebook {url}: SQLite refused write-ahead logging "
                                  f"(journal mode stays {mode!r}); is the file on a network "
                                  f"file system? Use a PostgreSQL URL there")


# -- the executor -----------------------------------------------------------------------------

def add_engine_arguments(parser) -> None:
    """The options `--engine` and `--scheduler` (with `--jobs` from the autograde command)."""
    parser.add_argument("--engine", choices=ENGINES, default="local",
                        help="where the grading jobs run: 'local' (--jobs at a time on this "
                             "machine) or 'dask' (the workers of a Dask cluster, see "
                             "--scheduler) (default: %(default)s)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="with --engine dask: the scheduler's address, e.g. "
                             "tcp://127.0.0.1:8786")


@contextmanager
def grading_executor(engine: str = "local", jobs: int = 1, scheduler: str | None = None,
                     root: Path | None = None, db_url: str | None = None
                     ) -> Iterator[Executor]:
    """An Executor for the grading jobs, closed (and waited for) at the end of the block.

    Parameters
    ----------
    engine : {"local", "dask"}
    jobs : int
        "local": how many submissions are graded at once. "dask": must stay 1; the cluster's
        worker threads decide.
    scheduler : str
        "dask": the scheduler's address, e.g. "tcp://127.0.0.1:8786".
    root : Path
        "dask": the course directory, which every worker must see at the same path.
    db_url : str
        "dask": the gradebook URL, which every worker must reach.
    """
    if engine == "local":
        if scheduler:
            raise EngineError(f"--scheduler: only used with --engine dask; got {scheduler!r} "
                              f"with --engine local")
        if jobs < 1:
            raise EngineError(f"--jobs: expected a whole number >= 1, got {jobs}")
        # Threads suffice: each job waits on the child processes that grade.
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="grading") as executor:
            yield executor
    elif engine == "dask":
        with dask_executor(scheduler, jobs, root, db_url) as executor:
            yield executor
    else:
        raise EngineError(f"--engine: expected one of {', '.join(ENGINES)}, got {engine!r}")


@contextmanager
def dask_executor(scheduler: str | None, jobs: int, root: Path | None,
                  db_url: str | None) -> Iterator[Executor]:
    """The workers of the Dask cluster at `scheduler`, as an Executor, once they are checked."""
    if not scheduler:
        raise EngineError("--scheduler: --engine dask needs the scheduler's address, e.g. "
                          "--scheduler tcp://127.0.0.1:8786")
    if jobs != 1:
        raise EngineError(f"--jobs: with --engine dask the cluster's workers decide how many "
                          f"submissions are graded at once; got --jobs {jobs}")
    try:
        from distributed import Client
    except ImportError as error:
        raise EngineError("--engine dask needs Dask distributed: pip install 'course-lib[scale]' "
                          "(or: pip install dask distributed)") from error
    try:
        client = Client(scheduler, timeout=DASK_CONNECT_TIMEOUT)
    except OSError as error:
        raise EngineError(f"--scheduler: no Dask scheduler answered at {scheduler} within "
                          f"{DASK_CONNECT_TIMEOUT:g} s ({error})") from error
    try:
        check_cluster(client, scheduler, root, db_url)
        yield client.get_executor(pure=False)  # pure=False: never reuse an earlier grading
    finally:
        client.close()


def check_cluster(client, scheduler: str, root: Path | None, db_url: str | None) -> None:
    """Check that the cluster's workers can grade this course; print what it offers.

    Each worker must be allowed to start processes (grading starts a child process and a
    kernel), see the course directory at the same path, and, if the gradebook is SQLite, run on
    this machine.
    """
    try:
        client.wait_for_workers(1, timeout=DASK_CONNECT_TIMEOUT)
    except TimeoutError as error:
        raise EngineError(f"--scheduler: the Dask cluster at {scheduler} has no worker") from error
    daemonic = client.run(_worker_is_daemonic)
    if any(daemonic.values()):
        raise EngineError(
            f"Dask workers {', '.join(w for w, d in daemonic.items() if d)} run as daemonic "
            f"processes, which may not start the grading processes; start them with "
            f"DASK_DISTRIBUTED__WORKER__DAEMON=False (see docs/grading_at_scale.md)")
    if root is not None:
        blind = [w for w, seen in client.run(_is_directory, str(root)).items() if not seen]
        if blind:
            raise EngineError(f"Dask workers {', '.join(blind)} do not see the course directory "
                              f"{root}; share it at the same path on every machine")
    if db_url is not None and is_sqlite(db_url):
        here = socket.gethostname()
        elsewhere = [w for w, host in client.run(_hostname).items() if host != here]
        if elsewhere:
            raise EngineError(
                f"Dask workers {', '.join(elsewhere)} run on other machines, and the gradebook "
                f"is SQLite ({db_url}), which only processes on one machine can share; set "
                f"c.CourseDirectory.db_url to a PostgreSQL URL in nbgrader_config.py")
    threads = client.nthreads()
    print(f"grading on the Dask cluster at {scheduler}: {len(threads)} worker(s), "
          f"{sum(threads.values())} submission(s) at a time", flush=True)


@contextmanager
def loopback_cluster(workers: int, daemon: bool = False) -> Iterator[str]:
    """A Dask cluster on this machine, for trying the dask engine; yields the scheduler address.

    `workers` single-threaded worker processes, listening (like the scheduler and its HTTP
    server) on 127.0.0.1 only, at free ports. `daemon=True` is Dask's default, which grading
    cannot use (see check_cluster).
    """
    import dask
    from distributed import LocalCluster
    with dask.config.set({"distributed.worker.daemon": daemon}):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address="127.0.0.1:0") as cluster:
            yield cluster.scheduler_address


def _worker_is_daemonic() -> bool:
    import multiprocessing
    return multiprocessing.current_process().daemon


def _is_directory(path: str) -> bool:
    return Path(path).is_dir()


def _hostname() -> str:
    return socket.gethostname()


@contextmanager
def autograde_executor(course, args) -> Iterator[Executor]:
    """The executor of `instructor autograde`, from its options, with the gradebook prepared.

    `course` is an instructor.Course; `args` holds `engine`, `jobs` and `scheduler`. A problem
    with the engine stops the command with its message.
    """
    url = course.coursedir.db_url
    try:
        prepare_gradebook(url, course.coursedir.course_id)
        with grading_executor(args.engine, args.jobs, args.scheduler, course.root, url) as pool:
            yield pool
    except EngineError as error:
        raise SystemExit(f"error: {error}") from error
