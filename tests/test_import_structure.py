"""The host's modules import one another without a circle, and none of them
imports the plugins' face, ``ts_host.api``, which only re-exports.

The graph is grimp's (the imports a module's code holds, those inside
functions and under ``TYPE_CHECKING`` included): an import inside a function
still ties two modules together, it only delays the failure.
"""

from __future__ import annotations

import grimp


def import_cycles(package: str) -> list[tuple[str, ...]]:
    """One shortest circle through each direct import that lies on one."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=False, cache_dir=None)
    cycles = {}
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                cycle = (importer, *back)
                cycles.setdefault(frozenset(cycle), cycle)
    return list(cycles.values())


def test_the_host_has_no_import_circle():
    assert import_cycles("ts_host") == []


def test_no_host_module_imports_the_public_api():
    graph = grimp.build_graph("ts_host", exclude_type_checking_imports=False, cache_dir=None)
    assert graph.find_modules_that_directly_import("ts_host.api") == set()


def test_the_check_finds_a_circle_even_through_a_function(tmp_path, monkeypatch):
    package = tmp_path / "circular"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("def later():\n    from .c import x\n")
    (package / "c.py").write_text("from .a import b\nx = 1\n")
    (package / "d.py").write_text("from . import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("circular") == [("circular.a", "circular.b", "circular.c", "circular.a")]
