"""An RFC 9162 (Certificate Transparency v2) log verifier and a C2SP signed-note checker,
written from the RFC and the spec for the tests: it shares no code with Vigil."""

import base64
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def leaf_data(entry):
    """What the tree hashes for an entry (docs/ledger.md): a version-3 entry (first byte 3) is
    committed to by 0x03 || SHA-256(entry); older entries are hashed as they are."""
    if entry[:1] == b"\x03":
        return b"\x03" + hashlib.sha256(entry).digest()
    return entry


def leaf(entry):
    return hashlib.sha256(b"\x00" + leaf_data(entry)).digest()


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(leaf_hash, index, size, path, root):
    """RFC 9162 section 2.1.3.2, written from the RFC for this test."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def open_checkpoint(note, vkey):
    """C2SP signed note + tlog-checkpoint, checked with python3-cryptography's Ed25519."""
    name, key_id, key_b64 = vkey.strip().split("+", 2)
    key = base64.b64decode(key_b64)
    assert key[0] == 1
    body, sigs = note.rsplit("\n\n", 1)
    body += "\n"
    for line in sigs.strip().split("\n"):
        dash, signer, blob = line.split(" ")
        blob = base64.b64decode(blob)
        if signer == name and blob[:4].hex() == key_id:
            Ed25519PublicKey.from_public_bytes(key[1:]).verify(blob[4:], body.encode())
            origin, size, root = body.split("\n")[:3]
            # C2SP tlog-checkpoint: the key is named after the log's origin, so that a verifier
            # built from the origin and the public key alone accepts it.
            assert origin == name, (origin, name)
            return int(size), base64.b64decode(root)
    raise AssertionError("no signature by the hub's key")


def root_from_leaves(leaves):
    """MTH (RFC 9162 section 2.1.1) of the leaf hashes, iteratively: pair up, carry the odd one."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = list(leaves)
    while len(level) > 1:
        nxt = [node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def verify_consistency(old_size, new_size, old_root, new_root, path):
    """RFC 9162 section 2.1.4.2."""
    if old_size == new_size:
        return not path and old_root == new_root
    if old_size == 0 or old_size > new_size or not path:
        return False
    if old_size & (old_size - 1) == 0:  # a power of two: the old root starts the path
        path = [old_root] + list(path)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node(c, fr)
            sr = node(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


def verify_cosignature(note, witness_vkey):
    """C2SP tlog-cosignature v1 (Ed25519), from the spec: finds the witness's line in `note`
    and checks it over "cosignature/v1\\ntime <t>\\n" + the checkpoint body; returns t."""
    name, key_id, key_b64 = witness_vkey.strip().split("+", 2)
    key = base64.b64decode(key_b64)
    assert key[0] == 4, "not a cosignature/v1 key"
    body, sigs = note.rsplit("\n\n", 1)
    body += "\n"
    expected_id = hashlib.sha256(name.encode() + b"\n\x04" + key[1:]).digest()[:4]
    assert expected_id.hex() == key_id
    for line in sigs.strip().split("\n"):
        dash, signer, blob = line.split(" ")
        blob = base64.b64decode(blob)
        if signer != name or blob[:4] != expected_id:
            continue
        timestamp = int.from_bytes(blob[4:12], "big")
        message = f"cosignature/v1\ntime {timestamp}\n{body}".encode()
        Ed25519PublicKey.from_public_bytes(key[1:]).verify(blob[12:], message)
        return timestamp
    raise AssertionError("no cosignature by " + name)
