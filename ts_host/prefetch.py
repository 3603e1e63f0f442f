"""A BTree's buckets asked of the storage together, before a page reads them all.

Iterating a tree loads its buckets one after the other, each a round trip
to the storage when it is not in a cache.  On RelStorage that is a query to
PostgreSQL per bucket: a class book's year of evaluations is some ten
buckets, and at 100 000 pupils, where a family's records are rarely in a
cache, they were a third of the records a family's evening read (9.6 of 28
loads a journey).  ``Connection.prefetch`` hands RelStorage the buckets'
oids, which it loads in one query into its cache, where the iteration then
finds them.  A ZEO client sends the server its requests for them without
waiting for each answer; FileStorage, on the same disk, ignores it.
"""

from __future__ import annotations

from BTrees.Interfaces import IBTree


def _children(node) -> tuple:
    """The children (buckets, or trees one level down) ``node`` points to.

    A tree's state is ``None`` when it is empty, ``((bucket's state,),)``
    when its only bucket is kept inside it, and ``((child, key, child, …),
    first bucket)`` otherwise.
    """
    state = node.__getstate__()
    if state is None or len(state) != 2:
        return ()
    return state[0][::2]


def prefetch_tree(tree) -> None:
    """Have every bucket of ``tree`` loaded, one round trip per level of the tree."""
    jar = tree._p_jar
    if jar is None:
        return
    level = [tree]
    while level:
        children = [child for node in level for child in _children(node)]
        ghosts = [child for child in children if child._p_changed is None]
        if ghosts:
            jar.prefetch(ghosts)
        level = [child for child in children if IBTree.providedBy(child)]
