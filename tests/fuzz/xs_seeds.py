#!/usr/bin/env python3
"""Writes the seed corpora of the xenstore fuzzers (the input formats are
described at the top of tests/fuzz/xs_socket_fuzz.c and xs_ring_fuzz.c):
    tests/fuzz/xs_seeds.py [CORPUS_DIR]     (default: tests/corpus/xenstore)
Each seed is a short session a real client or guest could have: reads and
writes, watches fired by the toolstack, transactions, permissions, and a
few misbehaviours (split messages, oversized lengths, broken ring indexes
followed by a reconnect). The files are committed; rerun this after
changing a format."""
import os
import struct
import sys

XS = dict(CONTROL=0, DIRECTORY=1, READ=2, GET_PERMS=3, WATCH=4, UNWATCH=5,
          TRANSACTION_START=6, TRANSACTION_END=7, INTRODUCE=8, RELEASE=9,
          GET_DOMAIN_PATH=10, WRITE=11, MKDIR=12, RM=13, SET_PERMS=14,
          IS_DOMAIN_INTRODUCED=17, RESUME=18, SET_TARGET=19, RESET_WATCHES=21,
          DIRECTORY_PART=22)


def msg(kind, payload=b"", req_id=1, tx=0, length=None):
    return struct.pack("<IIII", XS[kind], req_id, tx,
                       len(payload) if length is None else length) + payload


def z(*parts):
    return b"".join(p.encode() + b"\0" for p in parts)


# --- socket: records of (client | op << 2) ---
def send(client, data, chunk=255):
    out = b""
    for i in range(0, len(data), chunk):
        piece = data[i:i + chunk]
        out += bytes([client, len(piece)]) + piece
    return out


def hang_up(client):
    return bytes([client | 2 << 2])


def toolstack(op):
    return bytes([3 << 2, op])


def socket_seeds():
    s = {}
    s["dom0_basics"] = send(0, msg("WRITE", z("/local/domain/1/data/a") + b"hello") +
                            msg("READ", z("/local/domain/1/data/a"), 2) +
                            msg("DIRECTORY", z("/local/domain/1"), 3) +
                            msg("GET_PERMS", z("/local/domain/1/data/a"), 4) +
                            msg("SET_PERMS", z("/local/domain/1/data/a", "b1", "r2"), 5) +
                            msg("MKDIR", z("/local/domain/1/data/b/c"), 6) +
                            msg("RM", z("/local/domain/1/data"), 7))
    s["dom0_watch_toolstack"] = (send(0, msg("WATCH", z("/local/domain/1", "tok"))) +
                                 toolstack(0) + toolstack(1) + toolstack(4) + toolstack(3) +
                                 toolstack(2) +
                                 send(0, msg("UNWATCH", z("/local/domain/1", "tok"), 2)))
    s["special_watches"] = (send(0, msg("WATCH", z("@introduceDomain", "i")) +
                                 msg("WATCH", z("@releaseDomain", "r"), 2)) +
                            send(2, msg("WATCH", z("@releaseDomain", "r"))) +
                            toolstack(3) + toolstack(2) + toolstack(0x83) + toolstack(0x82))
    s["transaction_commit"] = send(0, msg("TRANSACTION_START", z(""), 1) +
                                   msg("WRITE", z("/local/domain/1/t/x") + b"1", 2, tx=1) +
                                   msg("MKDIR", z("/local/domain/1/t/y"), 3, tx=1) +
                                   msg("RM", z("/local/domain/1/t"), 4, tx=1) +
                                   msg("WRITE", z("/local/domain/1/t/z") + b"2", 5, tx=1) +
                                   msg("DIRECTORY", z("/local/domain/1/t"), 6, tx=1) +
                                   msg("TRANSACTION_END", z("T"), 7, tx=1))
    s["transaction_conflict"] = (send(0, msg("TRANSACTION_START", z(""))) +
                                 send(2, msg("TRANSACTION_START", z(""))) +
                                 send(0, msg("READ", z("/local/domain/1/name"), 2, tx=1)) +
                                 send(2, msg("WRITE", z("name") + b"x", 2, tx=1) +
                                      msg("TRANSACTION_END", z("T"), 3, tx=1)) +
                                 send(0, msg("WRITE", z("/local/domain/1/name") + b"y", 3, tx=1) +
                                      msg("TRANSACTION_END", z("T"), 4, tx=1)))
    s["guest_relative"] = send(2, msg("READ", z("name")) +
                               msg("WRITE", z("data/x") + b"v", 2) +
                               msg("WATCH", z("data", "rel"), 3) +
                               msg("GET_DOMAIN_PATH", z("1"), 4) +
                               msg("MKDIR", z("data/y"), 5) +
                               msg("DIRECTORY_PART", z("data", "0"), 6) +
                               msg("RESET_WATCHES", b"", 7) +
                               msg("INTRODUCE", z("3", "100", "5"), 8) +
                               msg("READ", z("/local/domain/2/name"), 9))
    s["guest_quota"] = send(3, b"".join(msg("WATCH", z("w%d" % i, "t"), i) for i in range(140)) +
                            b"".join(msg("TRANSACTION_START", z(""), i) for i in range(12)))
    s["dom0_privileged"] = send(1, msg("IS_DOMAIN_INTRODUCED", z("1")) +
                                msg("SET_TARGET", z("2", "1"), 2) +
                                msg("RESUME", z("1"), 3) +
                                msg("RELEASE", z("2"), 4) +
                                msg("INTRODUCE", z("2", "200", "6"), 5) +
                                msg("CONTROL", z("print", "x"), 6))
    whole = msg("WRITE", z("/local/domain/1/split") + b"v" * 3000)
    s["split_byte_by_byte"] = send(0, msg("READ", z("/local/domain/1/name")), 1) + \
        send(0, whole, 7)
    s["oversized_then_more"] = (send(0, msg("READ", b"", length=4097)) +
                                send(0, msg("READ", z("/local/domain/1/name"))))
    s["hang_up_mid_message"] = (send(0, msg("WATCH", z("/", "all"))) +
                                send(2, msg("WRITE", z("data/q") + b"v")[:20]) + hang_up(2) +
                                send(2, msg("WRITE", z("data/q") + b"w")) + hang_up(0) +
                                toolstack(0))
    s["garbage"] = send(1, bytes(range(256)) * 2)
    return s


# --- ring: ops by c & 7 ---
def put(data):
    out = b""
    for i in range(0, len(data), 255):
        piece = data[i:i + 255]
        out += bytes([0, len(piece)]) + piece
    return out


NOTIFY, READ, POLL, RECONNECT = b"\1", b"\2", b"\7", b"\5"


def request(data):
    """A guest's write of one message: what fits, notify, read, repeat."""
    out = b""
    for i in range(0, len(data), 1000):
        out += put(data[i:i + 1000]) + NOTIFY + READ
    return out


def ring_seeds():
    s = {}
    s["read_name"] = request(msg("READ", z("name")))
    s["write_read_dir"] = (request(msg("WRITE", z("data/a") + b"v")) +
                           request(msg("READ", z("data/a"), 2)) +
                           request(msg("DIRECTORY", z("data"), 3)) +
                           request(msg("GET_PERMS", z("data/a"), 4)))
    s["watch_and_toolstack"] = (request(msg("WATCH", z("data", "t"))) +
                                b"\6\0" + READ + b"\6\4" + READ + b"\6\1" + READ +
                                request(msg("UNWATCH", z("data", "t"), 2)))
    s["big_write_big_read"] = (request(msg("WRITE", z("data/big") + b"b" * 4000)) +
                               put(msg("READ", z("data/big"), 2)) + NOTIFY +
                               (READ + NOTIFY) * 6)
    s["transaction"] = (request(msg("TRANSACTION_START", z(""))) +
                        request(msg("WRITE", z("data/t") + b"1", 2, tx=1)) +
                        request(msg("RM", z("data"), 3, tx=1)) +
                        request(msg("TRANSACTION_END", z("T"), 4, tx=1)))
    s["many_unread_replies"] = (request(msg("WRITE", z("data/a") + b"v" * 1000)) +
                                put(msg("READ", z("data/a"), 2) + msg("READ", z("data/a"), 3)) +
                                NOTIFY + POLL + READ + NOTIFY + READ + NOTIFY + READ)
    s["oversized_then_reconnect"] = (put(msg("READ", b"", length=5000)) + NOTIFY + READ +
                                     RECONNECT + request(msg("READ", z("name"))))
    s["bad_rsp_cons_then_reconnect"] = (request(msg("WATCH", z("data", "t"))) +
                                        b"\3\x50" + b"\6\0" + POLL + RECONNECT +
                                        request(msg("READ", z("name"))))
    s["bad_req_prod_then_reconnect"] = (b"\4\x41" + POLL + RECONNECT +
                                        request(msg("READ", z("name"))))
    s["reconnect_mid_message"] = (put(msg("WRITE", z("data/x") + b"x")[:10]) + NOTIFY +
                                  RECONNECT + request(msg("READ", z("name"))))
    s["release_and_reintroduce"] = (request(msg("WATCH", z("@releaseDomain", "r"))) +
                                    b"\6\3" + READ + b"\6\2" + request(msg("READ", z("name"))))
    return s


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "corpus", "xenstore")
    for name, seeds in (("socket", socket_seeds()), ("ring", ring_seeds())):
        os.makedirs(os.path.join(top, name), exist_ok=True)
        for seed, data in seeds.items():
            with open(os.path.join(top, name, seed), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
