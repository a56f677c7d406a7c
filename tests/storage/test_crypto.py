import os

import pytest

from storage.crypto import Keyring, seal, seal_in_scratch, sealed_scope, unseal
from storage.scratch import SCRATCH_LIMIT
from storage.errors import CorruptedError, KeyUnavailableError


def test_sealed_objects_open_only_under_their_key_and_untouched():
    dek = os.urandom(32)
    blob = seal(dek, "scope1", "uploads/aa/x", b"secret bytes")
    assert b"secret" not in blob
    assert sealed_scope(blob, "uploads/aa/x") == "scope1"
    assert unseal(dek, "uploads/aa/x", blob) == b"secret bytes"
    with pytest.raises(CorruptedError):
        unseal(dek, "uploads/aa/y", blob)  # moved to another key
    with pytest.raises(CorruptedError):
        unseal(dek, "uploads/aa/x", blob[:-1] + bytes([blob[-1] ^ 1]))
    with pytest.raises(CorruptedError):
        sealed_scope(b"plain text", "k")


def test_citizen_key_is_a_keyed_hash_of_the_normalized_id():
    ring = Keyring({"a": os.urandom(32)}, "a", b"secret-1")
    other = Keyring({"a": os.urandom(32)}, "a", b"secret-2")
    key = ring.citizen_key("13063419620307001x")
    assert key == ring.citizen_key(" 13063419620307001X ")
    assert key != other.citizen_key("13063419620307001X")
    assert len(key) == 64 and "130634" not in key


def test_data_keys_unwrap_with_any_configured_master_key():
    old, new = os.urandom(32), os.urandom(32)
    wrapped = Keyring({"old": old}, "old", b"s").wrap("scope", "d1", b"k" * 32)
    assert Keyring({"old": old, "new": new}, "new", b"s").unwrap("scope", "d1", wrapped) == b"k" * 32
    with pytest.raises(KeyUnavailableError):
        Keyring({"new": new}, "new", b"s").unwrap("scope", "d1", wrapped)


def test_sealing_in_a_reused_buffer_gives_objects_that_open_like_any_other():
    dek = os.urandom(32)
    first = bytes(seal_in_scratch(dek, "scope1", "uploads/aa/x", b"a longer first secret"))
    second = bytes(seal_in_scratch(dek, "scope1", "uploads/aa/y", b"short"))  # same buffer, shorter
    assert unseal(dek, "uploads/aa/x", first) == b"a longer first secret"
    assert unseal(dek, "uploads/aa/y", memoryview(second)) == b"short"
    assert sealed_scope(memoryview(first), "uploads/aa/x") == "scope1"
    assert first[:4] == seal(dek, "scope1", "uploads/aa/x", b"a longer first secret")[:4]
    big = os.urandom(SCRATCH_LIMIT + 1)  # too big to keep: a buffer of its own
    assert unseal(dek, "k", bytes(seal_in_scratch(dek, "s", "k", big))) == big
