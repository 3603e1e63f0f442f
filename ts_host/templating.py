"""How page templates are compiled: one at a time, and without their indentation.

Chameleon compiles a template the first time it is rendered, by building a
Python AST.  Before 3.11.8, CPython kept the AST constructor's recursion
depth in one place for the whole interpreter: two threads building an AST at
once could fail with ``SystemError: AST constructor recursion depth
mismatch`` (python/cpython#106905, fixed by python/cpython#113035).  Waitress
serves with several threads, and the first requests after a start are the
ones that compile the pages: without this lock some of them answered 500.
Compiling is done once per template, so the lock costs nothing afterwards;
it is kept on the later Pythons too, where it is merely useless.

An HTML template's indentation is for its reader, not the browser's: the
spaces and tabs that begin a line are left out of what it draws (the line
breaks stay, so no two words are joined and error messages keep their line
numbers).  Chameleon has no such option; its ``trim_attribute_space`` only
trims between attributes.  That is 2 KB of a notes page's 40; nothing a
browser shows changes, as no template writes a ``<pre>`` or a
``<textarea>``'s text itself (a browser keeps their spaces), and Chameleon
normalises the spaces of a message id before it is translated.  Text
templates (the mails' plain text) keep theirs.
"""

import re
import threading

from chameleon.template import BaseTemplate
from chameleon.zpt.template import PageTextTemplate

_lock = threading.Lock()
_compile = BaseTemplate._compile
#: A line's indentation.
_INDENTATION = re.compile(r"^[ \t]+", re.MULTILINE)


def unindented(template: BaseTemplate, body: str) -> str:
    """``body`` without its lines' indentation, unless ``template`` writes text."""
    if isinstance(template, PageTextTemplate):
        return body
    return _INDENTATION.sub("", body)


def _compile_alone(self, body, builtins):
    with _lock:
        return _compile(self, unindented(self, body), builtins)


def includeme(config) -> None:
    if BaseTemplate._compile is _compile:
        BaseTemplate._compile = _compile_alone
