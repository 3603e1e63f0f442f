"""``ts-admin`` in the test's process, on a file copy of a demo base."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import transaction

from ..models import Site
from ..root import appmaker
from ..storage import blob_folder
from .data import app_settings
from .servers import write_ini
from .storages import copy_blobs


@dataclass
class AdminRun:
    """What one ``ts-admin`` command did: its exit status and what it printed."""

    status: int
    out: str
    err: str


def command_tree(parser: argparse.ArgumentParser) -> dict[str, dict]:
    """The names of ``parser``'s commands, each with the tree of its actions.

    argparse offers no public view of its subcommands, hence ``_actions``.
    """
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return {name: command_tree(sub) for name, sub in action.choices.items()}
    return {}


_TREES: dict[tuple[str, ...], dict[str, dict]] = {}


def installed_commands() -> dict[str, dict]:
    """``ts-admin``'s command tree, services' commands included, for the current ``sys.path``.

    Built once per ``sys.path``: building the parser loads every plugin.
    """
    from ..cli.core import command_registry, parser

    key = tuple(sys.path)
    if key not in _TREES:
        _TREES[key] = command_tree(parser(command_registry()))
    return _TREES[key]


def command_length(tree: dict[str, dict], words: list[str]) -> int:
    """How many of ``words`` name a command and its actions (``gdpr export``):
    the ini file comes right after them, ``ts-admin gdpr export INI --pupil …``."""
    length = 0
    while length < len(words) and words[length] in tree:
        tree = tree[words[length]]
        length += 1
    return length


class Admin:
    """``ts-admin`` on a file copy of a demo base, with an ini file of its own."""

    def __init__(self, folder: Path, base: Path, establishments: Path, capsys) -> None:
        folder.mkdir()
        self.database = folder / "Data.fs"
        shutil.copyfile(base, self.database)
        copy_blobs(base, self.database)
        settings = app_settings(folder, establishments, f"file://{self.database}")
        self.ini = write_ini(folder / "teleservices.ini", settings)
        self.capsys = capsys

    def __call__(self, *words) -> AdminRun:
        """Run ``ts-admin COMMAND [ACTION] INI ARGS...`` in this process.

        The leading words naming the command and its action come before the
        ini file, whether apart (``ts_admin("gdpr", "export", "--pupil", id)``)
        or in one string (``ts_admin("gdpr export", ...)``).
        """
        from ..cli import main

        first, *rest = (str(word) for word in words)
        words = [*first.split(), *rest]
        length = command_length(installed_commands(), words)
        self.capsys.readouterr()
        try:
            status = main([*words[:length], str(self.ini), *words[length:]])
        except SystemExit as exc:  # argparse refusing the arguments
            status = exc.code
        captured = self.capsys.readouterr()
        return AdminRun(status, captured.out, captured.err)

    @contextmanager
    def site(self) -> Iterator[Site]:
        """The copy's site root, in one transaction committed at the end."""
        import ZODB
        from ZODB.FileStorage import FileStorage

        db = ZODB.DB(FileStorage(str(self.database), blob_dir=str(blob_folder(self.database))))
        manager = transaction.TransactionManager(explicit=True)
        connection = db.open(transaction_manager=manager)
        try:
            with manager:
                yield appmaker(connection.root())
        finally:
            connection.close()
            db.close()
