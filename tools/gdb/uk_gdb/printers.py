"""Pretty-printers for the types a user meets: IPv4 addresses (ip4_addr_t), grant
references (grant_ref_t: the entry it names), MACs (in struct net_link and
struct vif_config), threads, sockets and interfaces."""
import gdb
import gdb.printing

from .common import Missing, fmt_ip4, fmt_mac, static


class Ip4Printer:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        return fmt_ip4(self.val)


class GrantRefPrinter:
    """The reference and, when the guest's table has it, the entry it names."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        ref = int(self.val) & 0xffffffff
        try:
            gt = static("gt", "runtime/gnttab.c")
            if bool(gt["ready"]) and ref < int(gt["nr_entries"]):
                e = gt["table"][ref]
                return "gref %d (dom%d, frame %#x, flags %#x)" % (
                    ref, int(e["domid"]), int(e["frame"]), int(e["flags"]))
        except (Missing, gdb.error):
            pass
        return "gref %d" % ref


class MacFieldsPrinter:
    """A struct whose field `mac` (uint8_t[6]) is shown as xx:xx:xx:xx:xx:xx."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        return None

    def children(self):
        for f in self.val.type.strip_typedefs().fields():
            if f.name == "mac":
                yield f.name, fmt_mac(self.val[f.name])
            else:
                yield f.name, self.val[f.name]


class ThreadPrinter:
    STATES = {0: "runnable", 1: "blocked", 2: "exited"}

    def __init__(self, val):
        self.val = val

    def to_string(self):
        v = self.val
        return "thread %d '%s' %s, rsp %#x" % (int(v["id"]), v["name"].string(),
                                              self.STATES.get(int(v["state"]), "?"),
                                              int(v["rsp"]))


class SocketPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        v = self.val
        q = v["dgram"]
        return "udp %s:%d%s, %d queued" % (fmt_ip4(v["local_addr"]), int(v["local_port"]),
                                            " closed" if bool(v["closed"]) else "",
                                            int(q["count"]))


def lookup(val):
    t = val.type
    name = t.name
    if name == "ip4_addr_t":
        return Ip4Printer(val)
    if name == "grant_ref_t":
        return GrantRefPrinter(val)
    t = t.strip_typedefs()
    if t.code != gdb.TYPE_CODE_STRUCT:
        return None
    tag = t.tag
    if tag in ("net_link", "vif_config", "arp_entry"):
        return MacFieldsPrinter(val)
    if tag == "uk_thread":
        return ThreadPrinter(val)
    if tag == "net_socket":
        return SocketPrinter(val)
    return None


def register(objfile):
    gdb.printing.register_pretty_printer(objfile, lookup, replace=True)
