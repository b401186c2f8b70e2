"""`uk xs`: the simulator's xenstore (sim/xenstored), read from its tables.

The listing has xenstore-ls's format (tools/xenstore/xenstore_client.c, as
Debian's xenstore-ls prints to a pipe: 80 columns, long values cut with
\\..., -p padding with ". " to column 60), so the two can be compared.
"""
import struct

import gdb

from .common import cstr, domain, guarded, read, table

MAX_WIDTH = 80
TAG_LEN = len(' = "..."')
PERMS_COLUMN = 60
PERM_CHAR = {0: "n", 1: "r", 2: "w", 3: "b"}


def store():
    return domain()["sim"]["xs"]


def nodes_by_path(s):
    """{path: struct xs_node *} of the committed tree."""
    t = s["nodes"]
    n = int(t["nbuckets"])
    out = {}
    heads = struct.unpack("<%dQ" % n, read(int(t["buckets"]), 8 * n)) if n else ()
    node_ptr = t["buckets"].dereference().type
    for h in heads:
        p = h
        while p:
            node = gdb.Value(p).cast(node_ptr)
            out[cstr(node["path"])] = node
            p = int(node["hnext"])
    return out


def children(node):
    n = int(node["childlen"])
    if n == 0:
        return []
    raw = read(int(node["children"]), n)
    return [c.decode(errors="replace") for c in raw.split(b"\0") if c]


def value(node):
    n = int(node["len"])
    return read(int(node["value"]), n) if n and int(node["value"]) else b""


def sanitise(raw):
    """xenstore-ls's sanitise_value: a backslash doubled, unprintable bytes in octal."""
    out = []
    for c in raw:
        if c == 0x5c:
            out.append("\\\\")
        elif 0x20 <= c < 0x7f:
            out.append(chr(c))
        else:
            out.append("\\%03o" % c)
    return "".join(out)


def perms_text(node):
    p = node["perms"]
    parts = []
    for i in range(int(p["n"])):
        e = p["p"][i]
        parts.append("%s%d" % (PERM_CHAR.get(int(e["perms"]) & 3, "?"), int(e["id"])))
    return ",".join(parts)


def ls_line(depth, name, node, show_perms):
    line = " " * depth + name[:MAX_WIDTH - TAG_LEN - depth]
    raw = value(node)
    val = sanitise(raw)
    if MAX_WIDTH < len(line) + len(raw) + TAG_LEN:
        line += ' = "%s\\..."' % val[:max(MAX_WIDTH - TAG_LEN - len(line), 0)]
    else:
        line += ' = "%s"' % val
        if show_perms:
            line += " "
            width = len(line)
            while width < min(PERMS_COLUMN, MAX_WIDTH):
                line += "." if width & 1 else " "
                width += 1
    if show_perms:
        line += "  (%s)" % perms_text(node)
    return line


def ls(nodes, path, depth, show_perms, out):
    node = nodes.get(path)
    if node is None:
        return
    for name in children(node):
        child = (path.rstrip("/") + "/" + name) if path != "/" else "/" + name
        cnode = nodes.get(child)
        if cnode is None:
            continue
        out.append(ls_line(depth, name, cnode, show_perms))
        ls(nodes, child, depth + 1, show_perms, out)


class UkXs(gdb.Command):
    """List the simulator's xenstore tree, read without running the program.

uk xs [-p] [PATH]    PATH's subtree as xenstore-ls prints it (-p: permissions)
uk xs watches        every connection's watches
uk xs transactions   open transactions"""

    def __init__(self):
        super().__init__("uk xs", gdb.COMMAND_DATA, gdb.COMPLETE_NONE, True)

    @guarded
    def invoke(self, arg, from_tty):
        words = arg.split()
        show_perms = "-p" in words
        words = [w for w in words if w != "-p"]
        path = words[0] if words else "/"
        if len(path) > 1:
            path = path.rstrip("/")
        nodes = nodes_by_path(store())
        if path not in nodes:
            raise gdb.GdbError("drydock: xenstore has no node %s" % path)
        out = []
        ls(nodes, path, 0, show_perms, out)
        gdb.write("".join(line + "\n" for line in out))


def connections(s):
    p = s["conns"]
    while int(p):
        yield p
        p = p["next"]


def conn_name(c):
    return "dom%d%s" % (int(c["domid"]), " (released)" if bool(c["released"]) else "")


class UkXsWatches(gdb.Command):
    """List every xenstore watch: connection (by domain), path, token."""

    def __init__(self):
        super().__init__("uk xs watches", gdb.COMMAND_DATA)

    @guarded
    def invoke(self, arg, from_tty):
        rows = []
        for c in connections(store()):
            w = c["watches"]
            while int(w):
                rows.append([conn_name(c), cstr(w["path"]), cstr(w["token"])])
                w = w["next"]
        table(rows, ["Connection", "Path", "Token"])
        gdb.write("%d watches\n" % len(rows))


class UkXsTransactions(gdb.Command):
    """List open xenstore transactions: id, connection, nodes touched, state."""

    def __init__(self):
        super().__init__("uk xs transactions", gdb.COMMAND_DATA)

    @guarded
    def invoke(self, arg, from_tty):
        rows = []
        for c in connections(store()):
            tx = c["txs"]
            while int(tx):
                rows.append([str(int(tx["id"])), conn_name(c),
                             str(int(tx["overlay"]["count"])),
                             "failed (commit will fail)" if bool(tx["failed"]) else "open"])
                tx = tx["next"]
        table(rows, ["Id", "Connection", "Nodes touched", "State"])
        gdb.write("%d transactions\n" % len(rows))


def register():
    UkXs()
    UkXsWatches()
    UkXsTransactions()
