"""Xen state, both ends: `uk evtchn`, `uk grants`, `uk rings`.

The guest's side is read from the runtime's statics (runtime/events.c,
gnttab.c, console.c, xenbus_ring.c) and netfront (through the stack's
interfaces, net/netif.c); the other side from the simulator's objects
(struct sim_domain, its vifs' netback), reached through the hypercall
shim's current domain. The block devices' part is blk.py's.
"""
import gdb

from . import blk
from .common import (Missing, cstr, domain, function_at, guarded, lookup_type, need_process,
                     static, symbol_at, table)

EVTCHNSTAT = {0: "closed", 1: "unbound", 2: "interdomain", 3: "pirq", 4: "virq", 5: "ipi"}
VIRQ = {0: "TIMER", 1: "DEBUG", 2: "CONSOLE", 3: "DOM_EXC", 4: "TBUF", 6: "DEBUGGER",
        7: "XENOPROF", 8: "CON_RING", 9: "PCPU_STATE", 11: "MEM_EVENT", 12: "ARGO",
        13: "ENOMEM", 14: "XENPMU"}
WORD_BITS = 64
HVM_PARAM_CONSOLE_PFN = 17
PAGE_SIZE = 4096


def bit(words, port):
    return (int(words[port // WORD_BITS]) >> (port % WORD_BITS)) & 1


def guest_shared_info():
    return static("shinfo", "runtime/events.c")


def dom0_end(d, ch):
    """The simulator's end of an interdomain channel: dom0's port and its handler."""
    sim = d["sim"]
    dom0 = sim["dom0"]
    rdom, rport = int(ch["remote_dom"]), int(ch["remote_port"])
    if rdom != 0 or int(dom0) == 0:
        return "dom%d port %d" % (rdom, rport)
    table0 = dom0["evtchn"]
    if rport >= int(table0["nr_ports"]):
        return "dom0 port %d (invalid)" % rport
    h = table0["ports"][rport]["handler"]
    return "dom0 port %d -> %s" % (rport, symbol_at(int(h)) if int(h) else "no handler")


class UkEvtchn(gdb.Command):
    """List the event channels, both ends.

Each open port: its kind (interdomain with the peer's domain and port, VIRQ,
unbound), pending and masked bits, the guest's handler, and the simulator's
end (dom0's port and the backend function it calls)."""

    def __init__(self):
        super().__init__("uk evtchn", gdb.COMMAND_DATA)

    @guarded
    def invoke(self, arg, from_tty):
        d = domain()
        tab = d["evtchn"]
        si = d["shared_info"]
        handlers = static("handlers", "runtime/events.c")
        nr_handlers = handlers.type.range()[1] + 1
        rows = []
        for port in range(1, int(tab["nr_ports"])):
            ch = tab["ports"][port]
            state = int(ch["state"])
            fn = int(handlers[port]["fn"]) if port < nr_handlers else 0
            if state == 0 and not fn:
                continue
            kind = EVTCHNSTAT.get(state, str(state))
            peer = "-"
            sim_end = "-"
            if state == 2:
                peer = "dom%d:%d" % (int(ch["remote_dom"]), int(ch["remote_port"]))
                sim_end = dom0_end(d, ch)
            elif state == 1:
                peer = "dom%d may bind" % int(ch["remote_dom"])
            elif state == 4:
                virq = int(ch["virq"])
                kind = "virq %s" % VIRQ.get(virq, str(virq))
                sim_end = "Xen"
            rows.append([str(port), kind, peer,
                         "yes" if bit(si["evtchn_pending"], port) else "no",
                         "yes" if bit(si["evtchn_mask"], port) else "no",
                         symbol_at(fn) if fn else "-", sim_end])
        table(rows, ["Port", "Kind", "Peer", "Pending", "Masked", "Guest handler",
                     "Simulator's end"])
        vi = si["vcpu_info"][0]
        gdb.write("vcpu0: evtchn_upcall_pending %d, evtchn_pending_sel %#x\n" % (
            int(vi["evtchn_upcall_pending"]), int(vi["evtchn_pending_sel"])))


GTF = [(1, "permit_access"), (4, "readonly"), (8, "reading"), (16, "writing")]


def gtf_flags(flags):
    kind = flags & 3
    names = [n for b, n in GTF if flags & b and (b != 1 or kind == 1)]
    if kind == 2:
        names.insert(0, "accept_transfer")
    return "|".join(names) or "0"


def sim_maps(d):
    """{ref: [(handle, mapper, readonly)]} from the simulator's grant table."""
    g = d["gnttab"]
    out = {}
    for h in range(int(g["maps_end"])):
        m = g["maps"][h]
        if bool(m["in_use"]):
            out.setdefault(int(m["ref"]), []).append(
                (h, int(m["mapper"]), bool(m["readonly"])))
    return out


def grant_rows(entries, show_all):
    """Table rows; unless show_all, a run of consecutive refs to consecutive frames
    with the same domain, flags, use and no map (netfront's buffers) is one row."""
    rows = []
    i = 0
    while i < len(entries):
        j = i
        ref, dom, frame, flags, mapped, owner = entries[i]
        while (not show_all and mapped == "-" and j + 1 < len(entries) and
               entries[j + 1][0] == entries[j][0] + 1 and entries[j + 1][1] == dom and
               entries[j + 1][2] == entries[j][2] + 1 and entries[j + 1][3] == flags and
               entries[j + 1][4] == "-" and entries[j + 1][5] == owner):
            j += 1
        if j - i >= 3:
            rows.append(["%d-%d" % (ref, entries[j][0]), "dom%d" % dom,
                         "%#x-%#x" % (frame, entries[j][2]), flags, "-", owner])
        else:
            j = i
            rows.append([str(ref), "dom%d" % dom, "%#x" % frame, flags, mapped, owner])
        i = j + 1
    return rows


def netfront_grant_owners(owners):
    """Adds {ref: "netfront vifN <use>"}: the ring pages and the buffers."""
    try:
        fronts = netfronts()
    except Missing:
        return
    for nf in fronts:
        who = "netfront vif%d" % int(nf["index"])
        for side in ("tx", "rx"):
            page = nf["%s_ring_page" % side]
            if bool(page["granted"]):
                owners[int(page["gref"])] = "%s %s ring" % (who, side)
            bufs = nf["%s_bufs" % side]
            for i in range(bufs.type.range()[1] + 1):
                if bool(bufs[i]["granted"]):
                    owners[int(bufs[i]["gref"])] = "%s %s buffer" % (who, side)


def grant_owners():
    """{ref: what the guest uses it for}, for the drivers the helpers know."""
    owners = {}
    netfront_grant_owners(owners)
    blk.grant_owners(owners)
    return owners


class UkGrants(gdb.Command):
    """List the guest's active grants and the simulator's maps of them.

Each entry: reference, domain, frame, flags, who has it mapped, and what the
guest uses it for (netfront's and blkfront's rings, buffers, data and indirect
pages). Grant copies are not listed: the simulator makes each
one inside a hypercall or a backend's ring walk, so none is in progress at a stop.
Runs of like entries are folded into one row; uk grants --all lists each."""

    def __init__(self):
        super().__init__("uk grants", gdb.COMMAND_DATA)

    @guarded
    def invoke(self, arg, from_tty):
        need_process()
        gt = static("gt", "runtime/gnttab.c")
        if not bool(gt["ready"]):
            gdb.write("the guest's grant table is not set up yet\n")
            return
        maps = {}
        try:
            maps = sim_maps(domain())
        except gdb.GdbError:
            pass
        owners = grant_owners()
        entries = []
        for ref in range(int(gt["nr_entries"])):
            e = gt["table"][ref]
            flags = int(e["flags"])
            if not bool(gt["in_use"][ref]) and flags == 0:
                continue
            mapped = ", ".join("dom%d handle %d%s" % (m, h, " ro" if ro else "")
                               for h, m, ro in maps.get(ref, [])) or "-"
            entries.append((ref, int(e["domid"]), int(e["frame"]), gtf_flags(flags), mapped,
                            owners.get(ref, "-")))
        show_all = "--all" in arg.split()
        table(grant_rows(entries, show_all),
              ["Ref", "Granted to", "Frame", "Flags", "Mapped by (simulator)", "Used for (guest)"])
        gdb.write("%d active of %d entries; %d free%s\n" % (
            len(entries), int(gt["nr_entries"]), int(gt["free_count"]),
            "" if show_all else " (runs of like entries folded: uk grants --all)"))


# --- rings ---

def netfronts():
    """Every open netfront: the argument of its receive thread (netfront_rx.c's
    rx_thread), and those the stack's interfaces hold (net/netif.c)."""
    nf_type = lookup_type("struct netfront").pointer()
    found = {}
    try:
        from .threads import all_threads
        for t in all_threads():
            if function_at(int(t["fn"])) == "rx_thread" and int(t["arg"]):
                found[int(t["arg"])] = t["arg"].cast(nf_type)
    except gdb.GdbError:
        pass
    try:
        p = static("ifs", "net/netif.c")["head"]
        while int(p):
            if int(p["nf"]):
                found[int(p["nf"])] = p["nf"].cast(nf_type)
            p = p["next"]
    except Missing:
        pass
    return list(found.values())


def netfront_of(index):
    """The guest's netfront for vif index, or None."""
    for nf in netfronts():
        if int(nf["index"]) == index:
            return nf
    return None


def decode_tx_req(r):
    return "gref %d offset %d size %d id %d flags %#x" % (
        int(r["gref"]), int(r["offset"]), int(r["size"]), int(r["id"]), int(r["flags"]))


def decode_tx_rsp(r):
    return "id %d status %d" % (int(r["id"]), int(r["status"]))


def decode_rx_req(r):
    return "id %d gref %d" % (int(r["id"]), int(r["gref"]))


def decode_rx_rsp(r):
    return "id %d offset %d flags %#x status %d" % (
        int(r["id"]), int(r["offset"]), int(r["flags"]), int(r["status"]))


DECODE = {"tx": (decode_tx_req, decode_tx_rsp), "rx": (decode_rx_req, decode_rx_rsp)}


def u32(v):
    return int(v) & 0xffffffff


def show_ring(name, sring, size, front, back, slots, decode=None, write_req=None):
    """One shared ring: indexes of both sides, what is outstanding, and its slots.
    write_req(label, idx, size, req), when given, writes a request's lines
    (blkif's indirect segments take more than one)."""
    gdb.write("%s: %d slots, shared page %#x\n" % (name, size, int(sring)))
    req_prod, rsp_prod = u32(sring["req_prod"]), u32(sring["rsp_prod"])
    gdb.write("  shared    req_prod %d  req_event %d  rsp_prod %d  rsp_event %d\n" % (
        req_prod, u32(sring["req_event"]), rsp_prod, u32(sring["rsp_event"])))
    if front is not None:
        gdb.write("  frontend  req_prod_pvt %d  rsp_cons %d  (the guest)\n" % (
            u32(front["req_prod_pvt"]), u32(front["rsp_cons"])))
    else:
        gdb.write("  frontend  (private indexes not reachable from here)\n")
    if back is not None:
        gdb.write("  backend   req_cons %d  rsp_prod_pvt %d  (the simulator)\n" % (
            u32(back["req_cons"]), u32(back["rsp_prod_pvt"])))
    rsp_cons = u32(front["rsp_cons"]) if front is not None else rsp_prod
    req_cons = u32(back["req_cons"]) if back is not None else req_prod
    gdb.write("  outstanding: %d requests not yet taken by the backend, %d responses not "
              "yet taken by the frontend, %d requests without a response\n" % (
                  (req_prod - req_cons) & 0xffffffff, (rsp_prod - rsp_cons) & 0xffffffff,
                  (req_prod - rsp_prod) & 0xffffffff))
    if not slots or decode is None:
        return
    ring = sring["ring"]
    for idx in range(req_cons, req_prod):
        if write_req is not None:
            write_req("req", idx, size, ring[idx % size]["req"])
        else:
            gdb.write("    req %d (slot %d): %s\n" % (idx, idx % size,
                                                    decode[0](ring[idx % size]["req"])))
    for idx in range(rsp_cons, rsp_prod):
        gdb.write("    rsp %d (slot %d): %s\n" % (idx, idx % size, decode[1](ring[idx % size]["rsp"])))
    # netif RX always has buffers posted; a blkif request unanswered is in flight.
    idle = req_cons == req_prod and rsp_cons == rsp_prod
    if idle and (write_req is None or rsp_prod == req_prod):
        last = (rsp_prod - 1) & 0xffffffff
        if rsp_prod:
            gdb.write("    nothing in flight; the last response, %d (slot %d): %s\n" % (
                last, last % size, decode[1](ring[last % size]["rsp"])))


def netback_of(vif):
    nb = vif["netback"]
    if int(nb) == 0:
        return None
    return nb.cast(lookup_type("struct netback").pointer())


def netif_rings(d, which, slots):
    for i in range(int(d["nr_vifs"])):
        vif = d["vifs"][i]
        name = "netif%d" % int(vif["index"])
        if which[0] not in (None, name):
            continue
        nb = netback_of(vif)
        nf = netfront_of(int(vif["index"]))
        for side in ("tx", "rx"):
            if which[1] not in (None, side):
                continue
            back = nb[side] if nb is not None else None
            front = nf[side] if nf is not None else None
            sring = back["sring"] if back is not None and bool(nb["connected"]) else \
                (front["sring"] if front is not None else None)
            if sring is None or int(sring) == 0:
                gdb.write("%s %s: not connected\n" % (name, side))
                continue
            size = int(back["nr_ents"]) if back is not None else int(front["nr_ents"])
            show_ring("%s %s" % (name, side), sring, size, front, back, slots, DECODE[side])
        if nb is not None:
            gdb.write("  netback: connected %s, tx_broken %s, rx_broken %s, rx_waiting %s\n" % (
                bool(nb["connected"]), bool(nb["tx_broken"]), bool(nb["rx_broken"]),
                bool(nb["rx_waiting"])))
        if nf is not None:
            st = nf["stats"]
            gdb.write("  netfront: %s\n" % ", ".join(
                "%s %d" % (f.name, int(st[f.name])) for f in st.type.strip_typedefs().fields()))


def byte_ring(name, intf, pairs, guest_note, sim_note):
    gdb.write("%s: page %#x\n" % (name, int(intf)))
    intf = intf.dereference()
    for label, cons, prod, size in pairs:
        c, p = u32(intf[cons]), u32(intf[prod])
        gdb.write("  %-4s %s %d  %s %d  (%d bytes waiting, ring of %d)\n" % (
            label, cons, c, prod, p, (p - c) & 0xffffffff, size))
    if guest_note:
        gdb.write("  guest: %s\n" % guest_note)
    if sim_note:
        gdb.write("  simulator: %s\n" % sim_note)


def xenstore_ring(d):
    r = d["xs_ring"]
    intf = r["intf"]
    if int(intf) == 0:
        gdb.write("xenstore: not connected\n")
        return
    guest = ""
    try:
        g = static("R", "runtime/xenbus_ring.c")
        inflight = 0
        p = g["inflight"]
        while int(p):
            inflight += 1
            p = p["next"]
        guest = "next_req_id %d, %d requests waiting for a reply, broken %s" % (
            int(g["next_req_id"]), inflight, bool(g["broken"]))
    except Missing:
        pass
    byte_ring("xenstore", intf,
              [("req", "req_cons", "req_prod", 1024), ("rsp", "rsp_cons", "rsp_prod", 1024)],
              guest, "%d requests served, %d reply bytes queued, ignored %s" % (
                  int(r["requests"]), int(r["out_queued"]), bool(r["ignored"])))


def console_ring(d):
    pfn = int(d["hvm_param"][HVM_PARAM_CONSOLE_PFN])
    if pfn == 0 or pfn * PAGE_SIZE >= int(d["ram_bytes"]):
        gdb.write("console: no ring page\n")
        return
    addr = int(d["ram"]) + pfn * PAGE_SIZE
    intf = gdb.Value(addr).cast(lookup_type("struct xencons_interface").pointer())
    byte_ring("console", intf,
              [("out", "out_cons", "out_prod", 2048), ("in", "in_cons", "in_prod", 1024)],
              "", "%d bytes written out" % int(d["console"]["bytes_out"]))


class UkRings(gdb.Command):
    """Show every shared ring with both sides' indexes.

netif TX and RX (per vif), blkif (per disk), xenstore and console.

uk rings [NAME [tx|rx]] [--slots]
NAME is netif0, netif1, ..., a disk (vbd51712, blkif0 or xvda), xenstore or
console. --slots decodes the slots in flight (requests the backend has not
taken, responses the frontend has not; for a disk also the requests the
backend has taken and not answered, indirect segments included)."""

    def __init__(self):
        super().__init__("uk rings", gdb.COMMAND_DATA)

    @guarded
    def invoke(self, arg, from_tty):
        words = arg.split()
        slots = "--slots" in words
        words = [w for w in words if w != "--slots"]
        name = words[0] if words else None
        side = words[1] if len(words) > 1 else None
        usage = "usage: uk rings [netifN [tx|rx]|vbdN|blkifN|xenstore|console] [--slots]"
        if side not in (None, "tx", "rx") or len(words) > 2:
            raise gdb.GdbError(usage)
        d = domain()
        netif = name is not None and name.startswith("netif")
        if name is None or netif:
            netif_rings(d, (name, side), slots)
        if name is None or not netif and name not in ("xenstore", "console"):
            if side is not None:
                raise gdb.GdbError(usage)
            if not blk.blkif_rings(name, slots, show_ring) and name is not None:
                raise gdb.GdbError("drydock: no ring '%s' (netifN, vbdN, blkifN, xenstore, "
                                   "console)" % name)
        if name in (None, "xenstore"):
            xenstore_ring(d)
        if name in (None, "console"):
            console_ring(d)


def register():
    UkEvtchn()
    UkGrants()
    UkRings()
