#!/usr/bin/env python3
"""Checks a liuhen archive package (a BagIt bag) with Python's standard library and the OpenSSL
command line alone — no liuhen code, no server.

    python3 data/check.py [BAG_DIR [LOG_PUB]]   (BAG_DIR: the bag's folder, default the one above;
                                                 LOG_PUB: the log's keys as the checker holds them)

In order, it checks: the manifests (every payload file's SHA-256 and SHA-512, no file missing
or extra) and the tag manifests; the checkpoint's Ed25519 signature by the log's key in
keys/log.pub; each log entry's leaf hash and its RFC 6962 inclusion proof up to the checkpoint's
root; the checkpoint of the filing and the consistency proof from it to the package's; each
sealed document's electronic seal (verify-seal.sh, OpenSSL). It prints 核验通过 and
exits 0 when all of it holds, or names the first thing that fails and exits 1.
"""

import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile


def fail(what):
    print("核验未通过 / FAILED: " + what)
    sys.exit(1)


def manifest(bag, name, algo):
    listed = {}
    with open(os.path.join(bag, name), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            digest, path = line.split(None, 1)
            path = path.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
            listed[path] = digest
    for path, digest in listed.items():
        full = os.path.join(bag, path)
        if not os.path.isfile(full):
            fail(name + ": missing " + path)
        h = hashlib.new(algo)
        with open(full, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        if h.hexdigest() != digest:
            fail(name + ": " + path + " has changed")
    return listed


def leaf_hash(entry):
    return hashlib.sha256(b"\x00" + entry).digest()


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_proof(index, size, leaf, path):
    """RFC 9162 section 2.1.3.2: the root an inclusion proof leads to."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn % 2 == 1 or fn == sn:
            r = node(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def consistent(old, new, old_root, new_root, path):
    """RFC 9162 section 2.1.4.2: whether a consistency proof shows the tree of `old` entries
    to be a prefix of the tree of `new`."""
    if old > new:
        return False
    if old == new:
        return not path and old_root == new_root
    if old == 0:
        return not path
    if old & (old - 1) == 0:
        path = [old_root] + path
    if not path:
        return False
    fn, sn = old - 1, new - 1
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
            while fn & 1 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


def openssl(*args):
    return subprocess.run(["openssl", *args], capture_output=True).returncode == 0


def verify_note(note, keys_text, origin):
    """Whether signed note `note` (bytes) carries a valid Ed25519 signature by `origin`'s key in
    `keys_text` (log.pub lines name+keyid+base64); returns the note's text or None."""
    text, _, sigs = note.partition(b"\n\n")
    text += b"\n"
    for vkey in keys_text.split():
        name, keyid, kb64 = vkey.split("+", 2)
        typed = base64.b64decode(kb64)
        if name != origin or typed[:1] != b"\x01":
            continue
        if hashlib.sha256(name.encode() + b"\n" + typed).hexdigest()[:8] != keyid:
            fail("log.pub: the key ID does not match its key")
        for line in sigs.decode().splitlines():
            parts = line.split(" ")
            if len(parts) != 3 or parts[0] != "\u2014" or parts[1] != origin:
                continue
            sig = base64.b64decode(parts[2])
            if sig[:4].hex() != keyid:
                continue
            with tempfile.TemporaryDirectory() as t:
                der = bytes.fromhex("302a300506032b6570032100") + typed[1:]
                for fname, content in (("k.der", der), ("m", text), ("s", sig[4:])):
                    with open(os.path.join(t, fname), "wb") as out:
                        out.write(content)
                if openssl("pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey",
                           os.path.join(t, "k.der"), "-rawin", "-in", os.path.join(t, "m"),
                           "-sigfile", os.path.join(t, "s")):
                    return text.decode()
    return None


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    bag = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(here)
    data = os.path.join(bag, "data")
    # 1. The manifests: every payload file, and nothing else under data/.
    payload = manifest(bag, "manifest-sha256.txt", "sha256")
    if set(manifest(bag, "manifest-sha512.txt", "sha512")) != set(payload):
        fail("the two manifests list different files")
    for root, _, names in os.walk(data):
        for n in names:
            rel = os.path.relpath(os.path.join(root, n), bag).replace(os.sep, "/")
            if rel not in payload:
                fail("a file no manifest lists: " + rel)
    tags = manifest(bag, "tagmanifest-sha256.txt", "sha256")
    if set(manifest(bag, "tagmanifest-sha512.txt", "sha512")) != set(tags):
        fail("the two tag manifests list different files")
    for n in os.listdir(bag):
        if os.path.isfile(os.path.join(bag, n)) and n not in tags and not n.startswith("tagmanifest-"):
            fail("a tag file no tag manifest lists: " + n)
    print("清单：%d 个文件的 SHA-256、SHA-512 摘要相符" % len(payload))
    # 2. The checkpoint: signed by the log's Ed25519 key — the pinned one if given (the
    # supervisor's or court's copy of log.pub), else the one the package carries.
    pinned = sys.argv[2] if len(sys.argv) > 2 else None
    with open(pinned or os.path.join(data, "keys", "log.pub"), encoding="utf-8") as f:
        keys_text = f.read()
    if not pinned:
        print("注意：使用信息包自带的日志公钥；应以监督部门或法院持有的 log.pub 核验：python3 data/check.py 本目录 log.pub")
    with open(os.path.join(data, "log", "checkpoint.txt"), "rb") as f:
        note = f.read()
    lines = note.decode().split("\n")
    origin = lines[0]
    text = verify_note(note, keys_text, origin)
    if text is None:
        fail("the checkpoint's Ed25519 signature (no valid signature by a key of log.pub)")
    size, root = int(lines[1]), base64.b64decode(lines[2])
    print("检查点：日志 %s 大小 %d，Ed25519 签名有效" % (origin, size))
    # 2b. The package's statement, signed with the same key: the SHA-256 of every tag file but
    # the tag manifests — the payload manifests among them, so every payload byte is covered.
    try:
        with open(os.path.join(bag, "bag-signature.txt"), "rb") as f:
            signed = f.read()
    except OSError:
        fail("no bag-signature.txt: the package is not signed")
    text = verify_note(signed, keys_text, origin)
    if text is None:
        fail("bag-signature.txt: no valid signature by the log's key")
    st = text.rstrip("\n").split("\n")
    if st[0] != "liuhen-bag/v1" or st[1] != origin:
        fail("bag-signature.txt is not a statement of this log")
    covered = {}
    for line in st[4:]:
        digest, name = line.split(" ", 1)
        covered[name] = digest
    info = open(os.path.join(bag, "bag-info.txt"), encoding="utf-8").read()
    if "Bag-Group-Identifier: %s\n" % st[2] not in info or "Bag-Count: %s\n" % st[3] not in info:
        fail("bag-info.txt names another 档号 or disc than the signed statement")
    present = [n for n in os.listdir(bag) if os.path.isfile(os.path.join(bag, n))
               and not n.startswith("tagmanifest-") and n != "bag-signature.txt"]
    for n in present:
        if n not in covered:
            fail("a tag file the signed statement does not cover: " + n)
        with open(os.path.join(bag, n), "rb") as f:
            if hashlib.sha256(f.read()).hexdigest() != covered[n]:
                fail(n + " differs from what the signed statement covers")
    for n in covered:
        if n not in present:
            fail("a file the signed statement covers is missing: " + n)
    print("签名：档号 %s（%s）的清单与信息包声明相符，声明由日志密钥签名" % (st[2], st[3]))
    # 3. Every entry: its leaf, and its proof up to the checkpoint's root.
    proofs = os.path.join(data, "log", "proofs")
    n = 0
    for name in sorted(os.listdir(proofs)):
        with open(os.path.join(proofs, name), encoding="utf-8") as f:
            p = json.load(f)
        with open(os.path.join(data, "log", "entries", name), "rb") as f:
            entry = f.read()
        leaf = leaf_hash(entry)
        if leaf.hex() != p["leaf_hash"]:
            fail("log entry %s: its bytes do not hash to its leaf" % name)
        if p["tree_size"] != size:
            fail("log entry %s: proved against another tree size" % name)
        got = root_from_proof(p["index"], size, leaf, [bytes.fromhex(h) for h in p["path"]])
        if got != root:
            fail("log entry %s: its inclusion proof does not lead to the checkpoint's root" % name)
        n += 1
    print("日志：%d 个条目均包含在检查点的根哈希中" % n)
    # 3b. The checkpoint the filing was first sealed under, signed with the same key, and the
    # consistency proof from it to the package's: the log the file was filed in is a prefix of
    # the log it was exported from.
    try:
        with open(os.path.join(data, "log", "checkpoint-filed.txt"), "rb") as f:
            filed = f.read()
        with open(os.path.join(data, "log", "consistency.json"), encoding="utf-8") as f:
            proof = json.load(f)
    except OSError:
        fail("no checkpoint of the filing (log/checkpoint-filed.txt) or no consistency proof")
    if verify_note(filed, keys_text, origin) is None:
        fail("the filing's checkpoint: no valid signature by the log's key")
    flines = filed.decode().split("\n")
    old, old_root = int(flines[1]), base64.b64decode(flines[2])
    if proof["old_size"] != old or proof["new_size"] != size:
        fail("the consistency proof is between other sizes than the two checkpoints")
    if not consistent(old, size, old_root, root, [bytes.fromhex(h) for h in proof["path"]]):
        fail("the consistency proof: the log at filing is not a prefix of the log at export")
    print("一致性：归档时的日志（大小 %d）是导出时日志（大小 %d）的前缀" % (old, size))
    # 4. Each sealed document's seal, with OpenSSL (verify-seal.sh).
    docs = os.path.join(data, "documents")
    keys = os.path.join(data, "keys")
    seals = 0
    for name in sorted(os.listdir(docs)) if os.path.isdir(docs) else []:
        if not name.endswith(".seal.der"):
            continue
        stem = os.path.join(docs, name[: -len(".seal.der")])
        args = ["sh", os.path.join(data, "verify-seal.sh"), stem + ".pdf", stem + ".seal.der",
                os.path.join(keys, "seal-sm2.pem")]
        if os.path.exists(stem + ".ed25519.sig"):
            args += [os.path.join(keys, "seal-ed25519.pem"), stem + ".ed25519.sig"]
        if subprocess.run(args, capture_output=True).returncode != 0:
            fail("the seal of " + os.path.basename(stem) + ".pdf")
        seals += 1
    print("印章：%d 份盖章文书的电子签章有效" % seals)
    print("核验通过")


if __name__ == "__main__":
    main()
