"""What the commands share: finding statics and the simulator, reading memory, tables."""
import struct

import gdb


class UkPrefix(gdb.Command):
    """drydock: green threads, Xen state and the simulator, read from memory.

uk threads                 every guest thread: id, name, state, what it waits on, stack use
uk thread [N|current]      make thread N the one bt, frame, info locals, up/down show
uk thread apply all|N.. CMD  run CMD (e.g. bt) for each thread
uk evtchn                  event channels: kind, peer, pending, masked, handlers on both ends
uk grants                  the guest's active grants and the simulator's maps of them
uk rings [NAME [tx|rx]] [--slots]  shared rings: both sides' indexes (netif0, vbd51712, xenstore, console)
uk xs [-p] [PATH]          the simulator's xenstore tree; uk xs watches, uk xs transactions
uk timers                  armed guest timers, the Xen timer and the simulator's timers
uk heap                    allocator: pages, free blocks by order, largest free, slabs
uk net                     interfaces, addresses, ARP cache, sockets, counters
uk vif                     the simulator's vifs and their statistics
uk disks                   the disks: blkback's image, state and statistics, blkfront's view"""

    def __init__(self):
        super().__init__("uk", gdb.COMMAND_DATA, gdb.COMPLETE_NONE, True)


class Missing(gdb.GdbError):
    pass


def guarded(invoke):
    """A command's invoke: unreadable memory is a one-line error, not a traceback."""
    def wrapper(self, arg, from_tty):
        try:
            return invoke(self, arg, from_tty)
        except gdb.MemoryError as e:
            raise gdb.GdbError("drydock: %s (not set up yet, or corrupt)" % e)
    wrapper.__doc__ = invoke.__doc__
    return wrapper


def static(name, file_suffix):
    """The static (or global) variable name defined in a file ending in file_suffix."""
    for sym in gdb.lookup_static_symbols(name):
        if sym.symtab and sym.symtab.filename.endswith(file_suffix):
            return sym.value()
    sym = gdb.lookup_global_symbol(name)
    if sym and sym.symtab and sym.symtab.filename.endswith(file_suffix):
        return sym.value()
    raise Missing("drydock: no '%s' in %s here (not a drydock unikernel, or no debug info)"
                  % (name, file_suffix))


def has_process():
    try:
        gdb.selected_frame()
        return True
    except gdb.error:
        return False


def need_process():
    if not has_process():
        raise gdb.GdbError("drydock: no process or core file to read (run, attach or load a core)")


def domain():
    """The simulator's guest domain (struct sim_domain *), the shim's `current`."""
    need_process()
    d = static("current_domain", "hypercall_shim/shim.c")
    if int(d) == 0:
        raise gdb.GdbError("drydock: the simulator has no guest domain yet (stopped before it started?)")
    return d


def sim():
    return domain()["sim"]


def read(addr, size):
    return bytes(gdb.selected_inferior().read_memory(addr, size))


def u64s(addr, n):
    return struct.unpack("<%dQ" % n, read(addr, 8 * n))


def cstr(v, limit=4096):
    """A C string (char * or char[]) as Python text."""
    try:
        if v.type.strip_typedefs().code == gdb.TYPE_CODE_ARRAY:
            return v.string(length=-1, errors="replace").split("\0", 1)[0]
        if int(v) == 0:
            return None
        return v.string(errors="replace")[:limit]
    except gdb.MemoryError:
        return "<unreadable at %#x>" % int(v.address if v.type.code == gdb.TYPE_CODE_ARRAY else v)


def symbol_at(addr):
    """'name' or 'name+off' for a code or data address, else hex."""
    addr = int(addr)
    if addr == 0:
        return "-"
    try:
        out = gdb.execute("info symbol %#x" % addr, to_string=True).strip()
    except gdb.error:
        out = ""
    if not out or out.startswith("No symbol"):
        return "%#x" % addr
    name = out.split(" in section ")[0]
    return name.replace(" + ", "+")


def data_name(addr):
    """A static's field at addr as 'var.field' (W+32 -> W.wq), else symbol_at.
    Descends while addr is inside a field, stopping at the outermost field
    that starts at addr."""
    name = symbol_at(addr)
    if "+" not in name:
        return name
    var, off = name.split("+", 1)
    try:
        off = int(off)
        for sym in gdb.lookup_static_symbols(var) + [gdb.lookup_global_symbol(var)]:
            if sym is None or not sym.is_variable:
                continue
            v = sym.value()
            if int(v.address) + off != int(addr):
                continue
            t = v.type.strip_typedefs()
            while t.code == gdb.TYPE_CODE_STRUCT and off > 0:
                inner = [f for f in t.fields()
                         if f.bitpos // 8 <= off < f.bitpos // 8 + f.type.sizeof]
                if not inner:
                    break
                f = inner[0]
                var += "." + f.name
                off -= f.bitpos // 8
                t = f.type.strip_typedefs()
            return var if off == 0 else "%s+%d" % (var, off)
    except (ValueError, gdb.error, TypeError):
        pass
    return name


def function_at(addr):
    """The function holding code address addr, or its symbol."""
    addr = int(addr)
    if addr == 0:
        return "-"
    try:
        block = gdb.block_for_pc(addr)
        while block is not None and block.function is None:
            block = block.superblock
        if block is not None:
            return block.function.name
    except RuntimeError:
        pass
    return symbol_at(addr)


def guest_now_ns():
    """Guest time the guest last read (uk_now_ns), in ns."""
    try:
        return int(static("last_now", "runtime/time.c"))
    except Missing:
        return 0


def fmt_ns(ns):
    return "%d.%09d s" % (ns // 1000000000, ns % 1000000000)


def fmt_mac(v):
    return ":".join("%02x" % int(v[i]) for i in range(6))


def fmt_ip4(v):
    """An ip4_addr_t (network byte order in memory, little-endian host)."""
    a = int(v) & 0xffffffff
    return "%d.%d.%d.%d" % (a & 0xff, (a >> 8) & 0xff, (a >> 16) & 0xff, a >> 24)


def lookup_type(name):
    try:
        return gdb.lookup_type(name)
    except gdb.error:
        raise Missing("drydock: type '%s' is not in this program's debug info" % name)


def table(rows, header):
    """Prints rows (lists of str) under header, columns padded."""
    widths = [len(h) for h in header]
    for r in rows:
        for i, c in enumerate(r):
            widths[i] = max(widths[i], len(c))
    fmt = "  ".join("%%-%ds" % w for w in widths)
    gdb.write((fmt % tuple(header)).rstrip() + "\n")
    for r in rows:
        gdb.write((fmt % tuple(r)).rstrip() + "\n")


def linked(head, field):
    """The nodes of a NULL-terminated singly linked list."""
    seen = set()
    p = head
    while int(p) != 0 and int(p) not in seen:
        seen.add(int(p))
        yield p
        p = p[field]
