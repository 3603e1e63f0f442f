"""The public-API-only check: a plugin imports nothing of the host but its public face.

A plugin may import ``ts_host`` and ``ts_host.api`` (and ``ts_host.testing``
in its tests), and of each only the names of ``__all__``: anything else is
the host's inside, which changes without notice.  A third party calls
:func:`assert_public_api_only` from its own tests::

    import ts_meteo
    from ts_host.testing import assert_public_api_only

    def test_the_service_uses_the_public_api_only():
        assert_public_api_only(ts_meteo)
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType

#: The host's faces: what a plugin may import, and what its tests may import too.
PUBLIC_MODULES = ("ts_host", "ts_host.api")
TEST_MODULES = ("ts_host.testing",)


def exported_names(modules) -> dict[str, set[str]]:
    """Module -> the names of its ``__all__``.

    The modules are read by name, as data to check against, like a linter
    reads them: the kit does not depend on the public face it inspects (no
    import of ``ts_host.api`` in the host, no circle through this package).
    """
    return {name: set(importlib.import_module(name).__all__) for name in modules}


def public_names() -> dict[str, set[str]]:
    """What a plugin may import from the host: module -> the names of its ``__all__``."""
    return exported_names(PUBLIC_MODULES)


def public_names_in_tests() -> dict[str, set[str]]:
    """What a plugin's tests may import: the public API and the test kit."""
    return exported_names(PUBLIC_MODULES + TEST_MODULES)


def non_public_imports(package: ModuleType | Path) -> list[str]:
    """The imports of the host's inside in ``package`` (a package or its folder).

    Each is ``path:line: problem`` (in French, as the host's messages are);
    a file under a ``tests`` folder may import the test kit too.
    """
    if isinstance(package, ModuleType):
        package = Path(package.__file__).parent
    public, in_tests = public_names(), public_names_in_tests()
    problems = []
    for path in sorted(package.rglob("*.py")):
        allowed = in_tests if "tests" in path.relative_to(package).parts else public
        where = path.relative_to(package.parent)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                imported = [(alias.name, None) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported = [(node.module, alias.name) for alias in node.names]
            else:
                continue
            for module, name in imported:
                if module.split(".")[0] != "ts_host":
                    continue
                if module not in allowed:
                    problems.append(f"{where}:{node.lineno}: module non public {module}")
                elif name is not None and name not in allowed[module]:
                    problems.append(f"{where}:{node.lineno}: {module}.{name} n'est pas public")
    return problems


def assert_public_api_only(package: ModuleType | Path) -> None:
    """Fail, listing each one, when ``package`` imports anything of the host but
    its public API (``ts_host``, ``ts_host.api``; ``ts_host.testing`` in tests)."""
    problems = non_public_imports(package)
    assert not problems, "imports hors de l'API publique de l'hôte :\n" + "\n".join(problems)
