"""Templates are compiled one at a time.

Chameleon compiles a template the first time it is rendered, by building a
Python AST.  Before 3.11.8, CPython kept the AST constructor's recursion
depth in one place for the whole interpreter: two threads building an AST at
once could fail with ``SystemError: AST constructor recursion depth
mismatch`` (python/cpython#106905, fixed by python/cpython#113035).  Waitress
serves with several threads, and the first requests after a start are the
ones that compile the pages: without this lock some of them answered 500.
Compiling is done once per template, so the lock costs nothing afterwards;
it is kept on the later Pythons too, where it is merely useless.
"""

import threading

from chameleon.template import BaseTemplate

_lock = threading.Lock()
_compile = BaseTemplate._compile


def _compile_alone(self, body, builtins):
    with _lock:
        return _compile(self, body, builtins)


def includeme(config) -> None:
    if BaseTemplate._compile is _compile:
        BaseTemplate._compile = _compile_alone
