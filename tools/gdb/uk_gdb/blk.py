"""The block devices, both ends: the blkif rings for `uk rings`, `uk disks`, and
the grants blkfront uses for `uk grants`.

The guest's side, blkfront's struct uk_blk, is the argument of the event
handler blkfront_event bound to the disk's port (runtime/events.c's
handlers[]), so only an open disk has one. The simulator's side, each
disk's struct blkback, is in the toolstack's domain, the static `td` of
main() (sim/host/main.c).
"""
import struct

import gdb

from .common import Missing, cstr, domain, function_at, guarded, lookup_type, read, static

# BLKIF_OP_* and BLKIF_RSP_* (<xen/io/blkif.h>): macros, so not in the debug info.
BLKIF_OP = {0: "read", 1: "write", 2: "write_barrier", 3: "flush_diskcache", 4: "reserved",
            5: "discard", 6: "indirect"}
BLKIF_OP_INDIRECT = 6
BLKIF_RSP = {0: "okay", -1: "error", -2: "eopnotsupp"}
XENBUS_STATE = {0: "Unknown", 1: "Initialising", 2: "InitWait", 3: "Initialised",
                4: "Connected", 5: "Closing", 6: "Closed", 7: "Reconfiguring",
                8: "Reconfigured"}
PAGE_SIZE = 4096


def blkfronts():
    """{devid: struct uk_blk *} of every disk the guest has open (its port bound)."""
    handlers = static("handlers", "runtime/events.c")
    blk_type = lookup_type("struct uk_blk").pointer()
    out = {}
    for port in range(handlers.type.range()[1] + 1):
        h = handlers[port]
        if int(h["fn"]) and int(h["arg"]) and function_at(int(h["fn"])) == "blkfront_event":
            b = h["arg"].cast(blk_type)
            out[int(b["devid"])] = b
    return out


def toolstack_domain():
    """main()'s static `td` (struct sim_toolstack_domain), or None."""
    sym = gdb.lookup_global_symbol("main")
    if sym is None or not sym.symtab or not sym.symtab.filename.endswith("sim/host/main.c"):
        return None
    block = gdb.block_for_pc(int(sym.value().address))
    td = gdb.lookup_symbol("td", block)[0] if block is not None else None
    return td.value() if td is not None else None


def blkbacks():
    """The simulator's disks in --disk order: struct blkback * each."""
    td = toolstack_domain()
    if td is None:
        return []
    bb_type = lookup_type("struct blkback").pointer()
    return [td["disks"][i].cast(bb_type) for i in range(td["disks"].type.range()[1] + 1)
            if int(td["disks"][i])]


class Disk:
    """One disk: its device number, vdev, blkif number and both ends (either may be None)."""

    def __init__(self, devid, vdev, back, front):
        self.devid, self.vdev, self.back, self.front = devid, vdev, back, front
        self.index = None

    def name(self):
        return "vbd%d" % self.devid

    def label(self):
        return "%s (%s, blkif%d)" % (self.name(), self.vdev or "?", self.index)


def disks():
    """Every disk, both ends matched by device number, in ascending device number,
    the guest's order (uk_blk_open's index is blkifN's N)."""
    by_devid = {}
    for bb in blkbacks():
        devid = int(bb["cfg"]["devid"])
        by_devid[devid] = Disk(devid, cstr(bb["cfg"]["vdev"]), bb, None)
    try:
        fronts = blkfronts()
    except Missing:
        fronts = {}
    for devid, b in fronts.items():
        by_devid.setdefault(devid, Disk(devid, None, None, None)).front = b
    out = [by_devid[k] for k in sorted(by_devid)]
    for i, dk in enumerate(out):
        dk.index = i
    return out


def find_disk(name):
    """The disk called vbdDEVID, blkifN or its vdev (xvda), or None."""
    for dk in disks():
        if name in (dk.name(), "blkif%d" % dk.index, dk.vdev):
            return dk
    return None


# --- decoding the slots ---

def guest_page(gref):
    """The guest page a grant reference names (its frame in the guest's grant
    table), as an address in this process, or None."""
    gt = static("gt", "runtime/gnttab.c")
    if gref >= int(gt["nr_entries"]):
        return None
    frame = int(gt["table"][gref]["frame"])
    d = domain()
    if (frame + 1) * PAGE_SIZE > int(d["ram_bytes"]):
        return None
    return int(d["ram"]) + frame * PAGE_SIZE


def segs_text(segs):
    return ", ".join("gref %d sectors %d-%d" % (int(s["gref"]), int(s["first_sect"]),
                                                int(s["last_sect"])) for s in segs)


def indirect_segs(ind, n):
    """The n segments on the indirect pages of an indirect request, read through
    the grants it names; the text of an unreadable page says so."""
    seg_type = lookup_type("struct blkif_request_segment")
    per_page = PAGE_SIZE // seg_type.sizeof
    out = []
    for p in range((n + per_page - 1) // per_page):
        gref = int(ind["indirect_grefs"][p])
        addr = guest_page(gref)
        if addr is None:
            out.append("indirect gref %d: not a page of the guest's" % gref)
            break
        k = min(per_page, n - p * per_page)
        raw = read(addr, k * seg_type.sizeof)
        segs = [struct.unpack_from("<IBB", raw, i * seg_type.sizeof) for i in range(k)]
        out.append("indirect gref %d: %s" % (gref, ", ".join(
            "gref %d sectors %d-%d" % s for s in segs)))
    return out


def decode_req(r):
    """A blkif_request_t slot as text lines (the segments of an indirect one after it)."""
    op = int(r["operation"])
    if op == BLKIF_OP_INDIRECT:
        ind = r.address.cast(lookup_type("struct blkif_request_indirect").pointer()).dereference()
        n = int(ind["nr_segments"])
        head = "id %d indirect %s sector %d nr_segments %d handle %d" % (
            int(ind["id"]), BLKIF_OP.get(int(ind["indirect_op"]), str(int(ind["indirect_op"]))),
            int(ind["sector_number"]), n, int(ind["handle"]))
        return [head] + indirect_segs(ind, n)
    n = int(r["nr_segments"])
    head = "id %d %s sector %d nr_segments %d handle %d" % (
        int(r["id"]), BLKIF_OP.get(op, str(op)), int(r["sector_number"]), n, int(r["handle"]))
    nmax = r["seg"].type.range()[1] + 1
    if op in (0, 1, 2) and n:
        head += ": " + segs_text(r["seg"][i] for i in range(min(n, nmax)))
    return [head]


def decode_rsp(r):
    op, status = int(r["operation"]), int(r["status"])
    return "id %d %s status %d (%s)" % (int(r["id"]), BLKIF_OP.get(op, str(op)), status,
                                        BLKIF_RSP.get(status, "?"))


def write_req(label, idx, size, r):
    lines = decode_req(r)
    gdb.write("    %s %d (slot %d): %s\n" % (label, idx, idx % size, lines[0]))
    for line in lines[1:]:
        gdb.write("      %s\n" % line)


# --- uk rings vbdN ---

def blkfront_line(b):
    info = b["info"]
    return ("  blkfront: connected %s, broken %s, backend_gone %s, closing %s; ring_order %d, "
            "max_segments %d%s; %d slots busy (inflight %d), %d free; data pages %d of %d; "
            "unknown_ids %d" % (
                bool(b["connected"]), bool(b["broken"]), bool(b["backend_gone"]),
                bool(b["closing"]), int(b["ring_order"]), int(info["max_segments"]),
                " (indirect)" if bool(b["indirect"]) else "",
                int(b["ring_size"]) - int(b["nr_free"]), int(b["inflight"]), int(b["nr_free"]),
                int(b["pool_pages"]), int(b["pool_max"]), int(b["unknown_ids"])))


def blkback_io_text(bb):
    """What blkback_io.c holds: requests in the pool and queued behind a flush."""
    queued = 0
    p = bb["queue_head"]
    while int(p):
        queued += 1
        p = p["next"]
    return "%d requests in the thread pool, %d waiting behind a flush, barrier_running %s" % (
        int(bb["inflight"]), queued, bool(bb["barrier_running"]))


def blkback_line(bb):
    return "  blkback: connected %s, broken %s, generation %d; %s" % (
        bool(bb["connected"]), bool(bb["broken"]), int(bb["generation"]), blkback_io_text(bb))


def u32(v):
    return int(v) & 0xffffffff


def blkif_ring(dk, slots, show_ring):
    """One disk's ring through xen.py's show_ring, then what each end keeps."""
    back = dk.back["ring"] if dk.back is not None and bool(dk.back["connected"]) else None
    front = dk.front["ring"] if dk.front is not None else None
    src = back if back is not None else front
    if src is None or int(src["sring"]) == 0:
        gdb.write("%s: not connected%s\n" % (dk.label(), "" if dk.front is not None
                                              else " (the guest has not opened it)"))
        if dk.back is not None:
            gdb.write(blkback_line(dk.back) + "\n")
        return
    sring, size = src["sring"], int(src["nr_ents"])
    show_ring(dk.label(), sring, size, front, back, slots, (None, decode_rsp),
              write_req=write_req)
    if slots and back is not None:
        # Taken by the backend, not answered: the slot still holds the request.
        for idx in range(u32(back["rsp_prod_pvt"]), u32(back["req_cons"])):
            write_req("at the backend: req", idx, size, sring["ring"][idx % size]["req"])
    if dk.front is not None:
        gdb.write(blkfront_line(dk.front) + "\n")
    if dk.back is not None:
        gdb.write(blkback_line(dk.back) + "\n")


def blkif_rings(name, slots, show_ring):
    """The rings of every disk, or of the one called name; False when there is no such disk."""
    found = False
    for dk in disks():
        if name is None or name in (dk.name(), "blkif%d" % dk.index, dk.vdev):
            found = True
            blkif_ring(dk, slots, show_ring)
    return found


# --- uk disks ---

class UkDisks(gdb.Command):
    """Show the disks: the simulator's blkback (image, features, state, statistics)
and the guest's blkfront (geometry, ring, requests in flight)."""

    def __init__(self):
        super().__init__("uk disks", gdb.COMMAND_DATA)

    @guarded
    def invoke(self, arg, from_tty):
        domain()
        all_disks = disks()
        for dk in all_disks:
            gdb.write("%s\n" % dk.label())
            if dk.back is not None:
                self.backend(dk.back)
            else:
                gdb.write("  blkback: none (not a --disk of this simulator)\n")
            if dk.front is not None:
                self.frontend(dk.front)
            else:
                gdb.write("  blkfront: not open\n")
        if not all_disks:
            gdb.write("no disks (give the unikernel --disk ...)\n")

    @staticmethod
    def backend(bb):
        cfg = bb["cfg"]
        feats = [k for k in ("flush", "barrier") if bool(cfg[k])]
        if int(cfg["indirect"]):
            feats.append("indirect %d" % int(cfg["indirect"]))
        state = int(bb["xb"]["state"]) if int(bb["xb"]) else 0
        sectors = int(cfg["sectors"])
        extra = ""
        if bool(cfg["powercut"]):
            extra += ", powercut %s" % ("random" if bool(cfg["powercut_random"]) else
                                        "at write %d" % int(cfg["powercut_at"]))
        if int(cfg["capture"]):
            extra += ", capture %s" % cstr(cfg["capture"])
        gdb.write("  blkback: %s, %d sectors (%d KiB), %s%s, ring-order %d, %s; xenbus %s, %s%s\n"
                  % (cstr(cfg["target"]), sectors, sectors * 512 // 1024,
                     "ro" if bool(cfg["readonly"]) else "rw",
                     ", cdrom" if bool(cfg["cdrom"]) else "", int(cfg["ring_order"]),
                     " ".join(feats) or "no features", XENBUS_STATE.get(state, str(state)),
                     "connected" if bool(bb["connected"]) else "not connected", extra))
        st = bb["stats"]
        gdb.write("    %s\n" % ", ".join("%s %d" % (f.name, int(st[f.name]))
                                        for f in st.type.strip_typedefs().fields()))
        gdb.write("    in flight: %s\n" % blkback_io_text(bb))

    @staticmethod
    def frontend(b):
        info = b["info"]
        gdb.write("  blkfront: %d sectors of %d bytes%s, ring %d page(s) of %d slots, port %d; "
                  "%d slots in flight\n" % (
                      int(info["sectors"]), int(info["sector_size"]),
                      ", read-only" if bool(info["readonly"]) else "",
                      1 << int(b["ring_order"]), int(b["ring_size"]), int(b["port"]),
                      int(b["inflight"])))


# --- uk grants: what blkfront uses each grant for ---

def grant_owners(owners):
    """Adds {ref: "blkfront vbdN <use>"} for every grant an open disk holds: its
    ring pages, the data page pool, the pages of busy slots, indirect pages."""
    try:
        fronts = blkfronts()
    except Missing:
        return
    for devid, b in fronts.items():
        who = "blkfront vbd%d" % devid
        for i in range(int(b["nr_ring_granted"])):
            owners[int(b["ring_refs"][i])] = "%s ring" % who
        for p in linked_pages(b["pool"]):
            owners[int(p["gref"])] = "%s data, free" % who
        for s in range(int(b["ring_size"]) if int(b["shadow"]) else 0):
            sh = b["shadow"][s]
            if int(sh["indirect"]):
                owners[int(sh["indirect"]["gref"])] = "%s indirect, slot %d" % (who, s)
            if bool(sh["busy"]):
                for p in linked_pages(sh["pages"]):
                    owners[int(p["gref"])] = "%s data, slot %d" % (who, s)


def linked_pages(p):
    seen = set()
    while int(p) and int(p) not in seen:
        seen.add(int(p))
        yield p
        p = p["next"]


def register():
    UkDisks()
