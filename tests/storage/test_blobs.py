"""The blob-store contract, run against both backends."""

import os
import threading
import time

import pytest

from storage.blobs import create_all, map_all
from storage.errors import NotFoundError, StorageError


def test_put_get_overwrite_and_delete(store):
    store.put("a/b/one", b"first")
    store.put("a/b/one", b"second")
    assert store.get("a/b/one") == b"second"
    assert store.exists("a/b/one")
    store.delete("a/b/one")
    assert not store.exists("a/b/one")
    store.delete("a/b/one")  # absent: no error
    with pytest.raises(NotFoundError):
        store.get("a/b/one")


def test_create_is_a_conditional_write(store):
    assert store.create("x/key", b"one") is True
    assert store.create("x/key", b"two") is False
    assert store.get("x/key") == b"one"


def test_list_is_lexical_and_scoped_to_the_prefix(store):
    for key in ("p/2", "p/10", "p/1", "q/1", "pp/1"):
        store.put(key, b"")
    assert list(store.list("p/")) == ["p/1", "p/10", "p/2"]
    assert list(store.list("nothing/")) == []
    assert {"p/1", "q/1", "pp/1"} <= set(store.list())


@pytest.mark.parametrize("key", ["", "/abs", "a/../b"])
def test_bad_keys_are_refused(store, key):
    with pytest.raises(StorageError):
        store.put(key, b"x")


def test_list_takes_a_prefix_that_ends_inside_a_name(store):
    """How an upload is found by its sha256 alone: uploads/<aa>/<sha> names files of both layouts."""
    for key in ("u/ab/abc1.s1.enc", "u/ab/abc1/s2.enc", "u/ab/abc2.s1.enc", "u/ab/abd.s1.enc"):
        store.put(key, b"")
    assert list(store.list("u/ab/abc1")) == ["u/ab/abc1.s1.enc", "u/ab/abc1/s2.enc"]
    assert list(store.list("u/ab/abc")) == ["u/ab/abc1.s1.enc", "u/ab/abc1/s2.enc", "u/ab/abc2.s1.enc"]
    assert list(store.list("u/ab/x")) == []
    assert list(store.list("u/a")) == list(store.list("u/"))


def test_get_view_gives_each_object_whole_however_the_buffer_is_reused(store):
    big, small = os.urandom(300_000), os.urandom(1000)
    store.put("v/big", big)
    store.put("v/small", small)
    assert bytes(store.get_view("v/big")) == big
    assert bytes(store.get_view("v/small")) == small  # the same buffer, a shorter object
    assert bytes(store.get_view("v/big")) == big
    with pytest.raises(NotFoundError):
        store.get_view("v/none")


def test_create_all_prepares_each_item_on_its_writing_thread(store):
    seen = []

    def prepare(key, data):
        seen.append(threading.current_thread().name)
        return memoryview(data.upper())

    items = [(f"c/{n}", f"item {n}".encode()) for n in range(8)]
    assert create_all(store, items, prepare) == [True] * 8
    assert [store.get(key) for key, _ in items] == [data.upper() for _, data in items]
    assert all(name.startswith("onewindow-write") for name in seen)
    assert create_all(store, items[:1], prepare) == [False]  # a conditional write, as alone


def test_map_all_keeps_order_and_waits_for_every_call_before_raising():
    finished = []

    def work(n):
        if n == 3:
            raise ValueError("three")
        time.sleep(0.01 * (8 - n))
        finished.append(n)
        return n * n

    assert map_all(lambda n: n * n, list(range(10))) == [n * n for n in range(10)]
    with pytest.raises(ValueError, match="three"):
        map_all(work, list(range(8)))
    assert sorted(finished) == [0, 1, 2, 4, 5, 6, 7]  # none still running after the raise
