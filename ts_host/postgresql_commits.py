"""RelStorage's commits on PostgreSQL, planned for the few objects a request stores.

In a history-free database RelStorage commits through a function of its own,
``lock_and_choose_tid_and_move``, which deletes the blob chunks of every
object the transaction stores, blobs or not: ``DELETE FROM blob_chunk WHERE
zoid IN (SELECT zoid FROM temp_store)``. ``temp_store`` is a temporary
table, which autovacuum never analyses: PostgreSQL guesses it holds some
four hundred rows and reads the whole of ``blob_chunk`` for a hash join,
where a request stores a handful of objects. With a document per pupil in
the dossier scolaire, at 100 000 pupils that read was 10 to 16 ms of every
commit, with the commit lock held, which serialises the commits of every
process (bench/RESULTS.md, sixth pass). Without hash and merge joins, set on
that function only, the delete looks each stored object up by the index.

RelStorage installs its functions again when their version changes, and a
function installed again loses its settings: they are checked at each start.
"""

from __future__ import annotations

import logging

import psycopg2
from pyramid.events import ApplicationCreated
from relstorage.adapters.postgresql import PostgreSQLAdapter

from .storage import get_database

log = logging.getLogger(__name__)

#: RelStorage's commit function in a history-free database.
COMMIT_FUNCTION = "lock_and_choose_tid_and_move(bigint, boolean)"
#: What its statements are planned with.
PLANNER_SETTINGS = {"enable_hashjoin": "off", "enable_mergejoin": "off"}


def missing_settings(cursor) -> dict[str, str]:
    """The planner settings the commit function does not have yet."""
    cursor.execute("SELECT proconfig FROM pg_proc WHERE oid = %s::regprocedure", (COMMIT_FUNCTION,))
    (config,) = cursor.fetchone()
    present = set(config or ())
    return {
        name: value for name, value in PLANNER_SETTINGS.items() if f"{name}={value}" not in present
    }


def set_commit_settings(_connection, cursor) -> None:
    """``open_and_call``'s callback: the settings given where missing."""
    missing = missing_settings(cursor)
    if missing:
        # Names and values are this module's constants, not input.
        clauses = " ".join(f"SET {name} = {value}" for name, value in missing.items())
        cursor.execute(f"ALTER FUNCTION {COMMIT_FUNCTION} {clauses}")


def plan_commits_for_few_objects(event) -> None:
    """At start-up, on RelStorage/PostgreSQL without history: the commit
    function planned for a few objects.

    A role that may not alter the function (it is not its owner) gets a
    warning, and the application starts: its commits are only slower.
    """
    storage = get_database(event.app.registry).storage
    adapter = getattr(storage, "_adapter", None)
    if not isinstance(adapter, PostgreSQLAdapter) or adapter.keep_history:
        return
    try:
        adapter.connmanager.open_and_call(set_commit_settings)
    except psycopg2.Error as error:
        log.warning(
            "RelStorage's %s keeps its default plans, and each commit reads the whole "
            "blob_chunk table (%s): the application's role should own the function",
            COMMIT_FUNCTION,
            error,
        )


def includeme(config) -> None:
    config.add_subscriber(plan_commits_for_few_objects, ApplicationCreated)
