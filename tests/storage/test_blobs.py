"""The blob-store contract, run against both backends."""

import pytest

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
