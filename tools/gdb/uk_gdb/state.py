"""`uk timers`, `uk heap`, `uk net`, `uk vif`: the runtime's timers and allocator,
the stack's interfaces and sockets, and the simulator's vifs."""
import gdb

from .common import (Missing, cstr, domain, fmt_ip4, fmt_mac, fmt_ns, guarded, guest_now_ns,
                     lookup_type, need_process, static, symbol_at, table)

PAGE_SIZE = 4096


def deadline_text(deadline, now):
    return "%s (%s%s)" % (fmt_ns(deadline), "in " if deadline >= now else "",
                          fmt_ns(abs(deadline - now)) + ("" if deadline >= now else " ago"))


class UkTimers(gdb.Command):
    """List the armed timers: the guest's, Xen's and the simulator's.

The guest's (runtime/timer.c) earliest first, with their callback and what
they belong to; the Xen single-shot timer; the simulator's own timers."""

    def __init__(self):
        super().__init__("uk timers", gdb.COMMAND_DATA)

    @guarded
    def invoke(self, arg, from_tty):
        need_process()
        h = static("H", "runtime/timer.c")
        now = guest_now_ns()
        timers = [h["slot"][i] for i in range(int(h["n"]))]
        timers.sort(key=lambda t: (int(t["deadline_ns"]), int(t["seq"])))
        thread_type = lookup_type("struct uk_thread").pointer()
        rows = []
        for t in timers:
            fn = int(t["fn"])
            what = symbol_at(fn)
            owner = symbol_at(int(t["arg"])) if int(t["arg"]) else "-"
            if what == "wait_timed_out":
                th = t["arg"].cast(thread_type)
                owner = "thread %d (%s)" % (int(th["id"]), th["name"].string())
                what = "wait_timed_out (a thread's deadline)"
            rows.append([deadline_text(int(t["deadline_ns"]), now),
                         fmt_ns(int(t["period_ns"])) if int(t["period_ns"]) else "-",
                         what, owner, symbol_at(int(t))])
        table(rows, ["Deadline", "Period", "Callback", "Argument", "Timer"])
        gdb.write("%d guest timers armed; guest time %s (last read)\n" % (len(rows), fmt_ns(now)))
        try:
            d = domain()
        except gdb.GdbError:
            return
        xen = int(d["timer_deadline"])
        gdb.write("Xen single-shot timer (set_timer_op): %s\n" % (
            deadline_text(xen, now) if xen else "off"))
        p = d["sim"]["timers"]
        while int(p):
            gdb.write("simulator timer: %s -> %s\n" % (deadline_text(int(p["deadline"]), now),
                                                      symbol_at(int(p["fn"]))))
            p = p["next"]


def free_list_len(head):
    n = 0
    p = head["next"]
    while int(p) and int(p) != int(head.address) and n < 1 << 20:
        n += 1
        p = p["next"]
    return n


def fresh_order(pfn, end, orders):
    """The order of the next block runtime/page.c's carve_next cuts at pfn
    (fit_order there): the largest aligned block that fits before end."""
    o = orders - 1
    while o > 0 and (pfn & ((1 << o) - 1) or pfn + (1 << o) > end):
        o -= 1
    return o


class UkHeap(gdb.Command):
    """Show the guest allocator's state.

Pages (runtime/page.c) free per order, those never handed out yet, the
largest free block, and
uk_malloc's use (runtime/malloc.c): bytes and blocks live, slabs per class."""

    def __init__(self):
        super().__init__("uk heap", gdb.COMMAND_DATA)

    @guarded
    def invoke(self, arg, from_tty):
        need_process()
        total = int(static("pages_total", "runtime/page.c"))
        free = int(static("pages_free", "runtime/page.c"))
        lists = static("free_lists", "runtime/page.c")
        orders = lists.type.range()[1] + 1
        gdb.write("pages: %d total, %d free (%d KiB free)\n" % (total, free, free * 4))
        largest = -1
        parts = []
        for o in range(orders):
            n = free_list_len(lists[o])
            if n:
                largest = o
                parts.append("order %d: %d" % (o, n))
        gdb.write("free blocks by order: %s\n" % (", ".join(parts) or "none"))
        # Pages never handed out yet are free too, but not on any list: the
        # allocator carves them off each region's frontier when the lists run dry.
        regions = static("regions", "runtime/page.c")
        fresh = 0
        for i in range(int(static("nr_regions", "runtime/page.c"))):
            r = regions[i]
            end, frontier = int(r["end_pfn"]), int(r["frontier"])
            fresh += end - frontier
            if end > frontier:
                o = fresh_order(frontier, end, orders)
                largest = max(largest, o)
        gdb.write("never handed out: %d pages\n" % fresh)
        if largest >= 0:
            gdb.write("largest free block: order %d, %d KiB\n" % (largest,
                                                                 (PAGE_SIZE << largest) // 1024))
        else:
            gdb.write("largest free block: none (out of pages)\n")
        used = int(static("heap_bytes_used", "runtime/malloc.c"))
        blocks = int(static("heap_blocks", "runtime/malloc.c"))
        gdb.write("uk_malloc: %d bytes in %d live blocks\n" % (used, blocks))
        partial = static("partial", "runtime/malloc.c")
        sizes = static("class_size", "runtime/malloc.c")
        rows = []
        for c in range(partial.type.range()[1] + 1):
            s = partial[c]
            slabs = nfree = 0
            while int(s) and slabs < 1 << 16:
                slabs += 1
                nfree += int(s["nfree"])
                s = s["next"]
            if slabs:
                rows.append([str(int(sizes[c])), str(slabs), str(nfree)])
        if rows:
            table(rows, ["Class (bytes)", "Partial slabs", "Free slots"])


def sockets():
    """(protocol, struct net_socket *) of every bound socket the stack keeps."""
    out = []
    try:
        p = static("udp_bound", "net/udp.c")
    except Missing:
        return out
    while int(p):
        out.append(("udp", p))
        p = p["next"]
    return out


ARP_STATES = {0: "free", 1: "resolving", 2: "reachable", 3: "failed"}


class UkNet(gdb.Command):
    """Show the guest's network stack.

Interfaces (MAC, MTU, addresses), their ARP caches, the sockets with their
state, and each interface's counters (those not zero)."""

    def __init__(self):
        super().__init__("uk net", gdb.COMMAND_DATA)

    @guarded
    def invoke(self, arg, from_tty):
        need_process()
        ifs = static("ifs", "net/netif.c")
        now = guest_now_ns()
        p = ifs["head"]
        if not int(p):
            gdb.write("no interfaces\n")
        while int(p):
            self.interface(p, now)
            p = p["next"]
        rows = []
        for proto, s in sockets():
            state = "closed" if bool(s["closed"]) else "bound"
            if int(s["error"]):
                state += ", error %d pending" % int(s["error"])
            q = s["dgram"]
            rows.append([proto, "%s:%d" % (fmt_ip4(s["local_addr"]), int(s["local_port"])),
                         state, "%d (%d bytes)" % (int(q["count"]), int(q["bytes"])),
                         str(int(q["dropped"])), str(int(s["users"]))])
        gdb.write("sockets:\n")
        table(rows, ["Proto", "Local", "State", "Queued", "Dropped", "Blocked"])

    def interface(self, nif, now):
        cfg = nif["cfg"]
        gdb.write("if%d: mac %s mtu %d%s\n" % (
            int(nif["index"]), fmt_mac(nif["link"]["mac"]), int(nif["link"]["mtu"]),
            ", vif%d" % int(nif["nf"].cast(lookup_type("struct netfront").pointer())["index"])
            if int(nif["nf"]) else ""))
        if bool(nif["configured"]):
            gdb.write("  inet %s netmask %s gateway %s\n" % (
                fmt_ip4(cfg["addr"]), fmt_ip4(cfg["netmask"]), fmt_ip4(cfg["gateway"])))
        else:
            gdb.write("  no address yet\n")
        arp = nif["arp"].cast(lookup_type("struct arp_cache").pointer())
        rows = []
        if int(arp):
            entries = arp["e"]
            for i in range(entries.type.range()[1] + 1):
                e = entries[i]
                st = int(e["state"])
                if st == 0:
                    continue
                rows.append([fmt_ip4(e["ip"]), fmt_mac(e["mac"]) if st == 2 else "-",
                             ARP_STATES.get(st, str(st)), str(int(e["tries"])),
                             deadline_text(int(e["deadline"]), now), str(int(e["queued"]))])
        gdb.write("  ARP cache:\n")
        if rows:
            table([["  " + r[0]] + r[1:] for r in rows],
                  ["  Address", "MAC", "State", "Requests", "Until", "Queued bytes"])
        st = nif["stats"]
        counters = ["%s %d" % (f.name, int(st[f.name])) for f in st.type.strip_typedefs().fields()
                    if int(st[f.name])]
        gdb.write("  counters: %s\n" % (", ".join(counters) or "all zero"))


class UkVif(gdb.Command):
    """Show the simulator's vifs: backend, MAC, MTU, connection, statistics."""

    def __init__(self):
        super().__init__("uk vif", gdb.COMMAND_DATA)

    @guarded
    def invoke(self, arg, from_tty):
        d = domain()
        for i in range(int(d["nr_vifs"])):
            v = d["vifs"][i]
            cfg = v["cfg"]
            nb = v["netback"]
            connected = False
            if int(nb):
                connected = bool(nb.cast(lookup_type("struct netback").pointer())["connected"])
            arg_ = cstr(cfg["arg"])
            gdb.write("vif%d: %s%s, mac %s, mtu %d, %s%s\n" % (
                int(v["index"]), cstr(cfg["backend"]), "=" + arg_ if arg_ else "",
                fmt_mac(cfg["mac"]), int(cfg["mtu"]),
                "connected" if connected else "not connected",
                ", capture " + cstr(cfg["capture"]) if int(cfg["capture"]) else ""))
            gdb.write("  %s\n" % ", ".join(stat_fields(v["stats"])))
        if int(d["nr_vifs"]) == 0:
            gdb.write("no vifs (give the unikernel --vif ...)\n")


def stat_fields(st, prefix=""):
    """'name value' for every counter of a stats struct, nested ones (the
    impairment counters of struct vif_stats) as outer.inner."""
    out = []
    for f in st.type.strip_typedefs().fields():
        v = st[f.name]
        if v.type.strip_typedefs().code == gdb.TYPE_CODE_STRUCT:
            out += stat_fields(v, prefix + f.name + ".")
        else:
            out.append("%s%s %d" % (prefix, f.name, int(v)))
    return out


def register():
    UkTimers()
    UkHeap()
    UkNet()
    UkVif()
