"""A tree's buckets asked of the storage at once (ts_host/prefetch.py)."""

import pytest
import transaction
import ZODB
from BTrees.Interfaces import IBTree
from BTrees.IOBTree import IOBTree

from ts_host.api import prefetch_tree


@pytest.fixture
def db():
    database = ZODB.DB(None)
    yield database
    database.close()


def stored_tree(db, keys: int) -> None:
    connection = db.open()
    tree = IOBTree()
    for key in range(keys):
        tree[key] = key
    connection.root()["tree"] = tree
    transaction.commit()
    connection.close()


def nodes_below(tree) -> list:
    """Every node below ``tree``, level by level: its inner trees are loaded
    on the way, its buckets are not."""
    found, level = [], [tree]
    while level:
        children = [c for node in level for c in (node.__getstate__() or ((),))[0][::2]]
        found += children
        level = [c for c in children if IBTree.providedBy(c)]
    return found


@pytest.fixture
def fresh(db):
    """Opens the stored tree from a connection that has loaded nothing: the
    tree, and the oids each ``prefetch`` call of that connection asks for."""
    opened = []

    def open_tree():
        connection = db.open()
        connection.cacheMinimize()  # the pool's connection that stored the tree
        opened.append(connection)
        calls = []
        connection.prefetch = lambda objects: calls.append({o._p_oid for o in objects})
        return connection.root()["tree"], calls

    yield open_tree
    transaction.abort()
    for connection in opened:
        connection.close()


def test_a_deep_tree_is_asked_for_once_per_level(db, fresh):
    stored_tree(db, 40_000)
    tree, calls = fresh()
    prefetch_tree(tree)
    nodes = nodes_below(tree)
    assert len(calls) == 2
    assert calls[0] | calls[1] == {node._p_oid for node in nodes}
    assert calls[0] == {node._p_oid for node in nodes if IBTree.providedBy(node)}
    assert len(calls[1]) > 100
    assert list(tree.values()) == list(range(40_000))


def test_a_class_book_sized_tree_is_one_call_for_its_buckets(db, fresh):
    stored_tree(db, 300)
    tree, calls = fresh()
    prefetch_tree(tree)
    assert [len(oids) for oids in calls] == [len(nodes_below(tree))]
    assert len(calls[0]) > 1


def test_buckets_already_loaded_are_not_asked_for_again(db, fresh):
    stored_tree(db, 300)
    tree, calls = fresh()
    list(tree.values())
    prefetch_tree(tree)
    assert calls == []


@pytest.mark.parametrize("keys", [0, 10])
def test_an_empty_tree_or_one_holding_its_only_bucket_asks_for_nothing(db, fresh, keys):
    stored_tree(db, keys)
    tree, calls = fresh()
    prefetch_tree(tree)
    assert calls == []


def test_a_tree_outside_any_database_is_left_alone():
    tree = IOBTree({key: key for key in range(300)})
    prefetch_tree(tree)
    assert len(tree) == 300
