"""A BTree-backed mapping with a constant-time length."""

from collections.abc import Iterator

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from persistent import Persistent


class Container(Persistent):
    """A mapping of keys to persistent objects that may grow without bound.

    ``len(OOBTree)`` walks every bucket, so the count is kept in a
    ``BTrees.Length`` whose conflict resolution lets concurrent additions
    commit together.
    """

    def __init__(self) -> None:
        self.data = OOBTree()
        self.count = Length()

    def __len__(self) -> int:
        return self.count()

    def __contains__(self, key) -> bool:
        return key in self.data

    def __getitem__(self, key):
        return self.data[key]

    def __iter__(self) -> Iterator:
        return iter(self.data)

    def get(self, key, default=None):
        return self.data.get(key, default)

    def keys(self, min=None, max=None):
        return self.data.keys(min, max)

    def values(self, min=None, max=None):
        return self.data.values(min, max)

    def items(self, min=None, max=None):
        return self.data.items(min, max)

    def add(self, key, value) -> None:
        """Add ``value`` under ``key``; a key is never silently replaced."""
        if key in self.data:
            raise KeyError(f"{key!r} already present")
        self.data[key] = value
        self.count.change(1)

    def set(self, key, value) -> None:
        """Add or replace ``value`` under ``key``."""
        if key not in self.data:
            self.count.change(1)
        self.data[key] = value

    def pop(self, key, default=None):
        if key not in self.data:
            return default
        self.count.change(-1)
        return self.data.pop(key)
