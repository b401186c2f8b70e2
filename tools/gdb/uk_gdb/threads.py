"""Green threads: `uk threads`, `uk thread N`, `uk thread apply`, and the unwinder.

A suspended thread's context is what uk_ctx_switch (runtime/switch_x86_64.S)
pushed on its stack: r15, r14, r13, r12, rbx, rbp, then the return address,
with the stack pointer saved in thread->rsp. Selecting thread N makes a
gdb.unwinder report that context as the caller of the innermost real frame;
a frame filter hides that real frame from `bt`, and frame 1 is selected. No
register is written, so it works on core files too, and resuming drops it.
"""
import itertools

import gdb
from gdb.unwinder import Unwinder

from .common import (Missing, data_name, fmt_ns, function_at, guarded, guest_now_ns, need_process, read,
                     static, symbol_at, table, u64s)

STATES = {0: "runnable", 1: "blocked", 2: "exited"}
STACK_FILL = 0xa5          # runtime/sched.c
STACK_SIZE = 128 * 1024    # UK_THREAD_STACK_SIZE, <uk/sched.h> (a macro: not in the debug info)
CANARY_BYTES = 8
# Functions a blocked thread passes through on its way to uk_ctx_switch.
SCHED_FUNCS = {"uk_ctx_switch", "switch_to_scheduler", "uk_waitq_wait", "uk_sleep_until",
               "uk_sleep_ns", "uk_yield", "uk_thread_join", "uk_thread_exit"}


def sched():
    need_process()
    return static("S", "runtime/sched.c")


def all_threads():
    """Every live thread (struct uk_thread *), by id."""
    s = sched()
    out = []
    p = s["all"]
    seen = set()
    while int(p) and int(p) not in seen:
        seen.add(int(p))
        out.append(p)
        p = p["next_all"]
    return sorted(out, key=lambda t: int(t["id"]))


def current():
    return int(sched()["current"])


SIM_STACK_SAVED_SP = 16   # sim/stack.h: the guest's stack pointer, below the simulator stack's top
GUARD_PAGE = 4096         # sim/stack.c: the stack's mapping starts with it


def guest_sp():
    """The guest's stack pointer: the real one, or, while the simulator runs
    a hypercall on its own stack (sim/stack.h, hypercall_shim/stack_switch.S),
    the one the trampoline saved when it switched."""
    sp = int(gdb.parse_and_eval("$sp"))
    try:
        d = static("current_domain", "hypercall_shim/shim.c")
    except gdb.error:
        return sp
    if not int(d):
        return sp
    top = int(d["stack"]["top"])
    if int(d["stack"]["map"]) + GUARD_PAGE <= sp < top:
        return u64s(top - SIM_STACK_SAVED_SP, 1)[0]
    return sp


def waiting_in_place():
    """The thread that waits with no other runnable and runs the idle loop on
    its own stack (runtime/sched.c, idle_in_place): no thread is current and
    the guest's stack pointer is in its stack (the simulator, when stopped
    there, runs on its own stack above those frames). Its frames are the
    real ones, under the idle loop's. 0 if none."""
    if current():
        return 0
    try:
        sp = guest_sp()
    except (gdb.error, gdb.MemoryError):
        return 0
    for t in all_threads():
        base = int(t["stack"])
        if base <= sp < base + STACK_SIZE:
            return int(t)
    return 0


def find(tid):
    for t in all_threads():
        if int(t["id"]) == tid:
            return t
    raise gdb.GdbError("drydock: no guest thread %d (see uk threads)" % tid)


def saved_context(t):
    """The registers uk_ctx_switch saved for a suspended thread."""
    rsp = int(t["rsp"])
    r15, r14, r13, r12, rbx, rbp, rip = u64s(rsp, 7)
    return {"rip": rip, "rsp": rsp + 56, "rbp": rbp, "rbx": rbx,
            "r12": r12, "r13": r13, "r14": r14, "r15": r15}


class FrameId:
    """gdb 13 wants gdb.Value attributes sp and pc (gdb 14 has gdb.unwinder.FrameId)."""

    def __init__(self, sp, pc):
        self.sp = gdb.Value(sp)
        self.pc = gdb.Value(pc)


def function_start(pc):
    try:
        b = gdb.block_for_pc(pc)
        while b is not None and b.function is None:
            b = b.superblock
        if b is not None:
            return b.start
    except RuntimeError:
        pass
    return pc


class GreenThreadUnwinder(Unwinder):
    """Gives the innermost frame the selected thread's saved context as its caller."""

    def __init__(self):
        super().__init__("drydock green threads")
        self.context = None  # the selected thread's registers, or None

    def __call__(self, pending):
        if self.context is None or pending.level() != 0:
            return None
        sp = int(pending.read_register("rsp"))
        pc = int(pending.read_register("rip"))
        info = pending.create_unwind_info(FrameId(sp, function_start(pc)))
        for name, value in self.context.items():
            kind = pending.read_register(name).type
            info.add_saved_register(name, gdb.Value(value).cast(kind))
        return info


class HideRealFrame:
    """While a thread is selected, `bt` starts at that thread's innermost frame."""

    def __init__(self):
        self.name = "drydock green threads"
        self.priority = 100
        self.enabled = True
        gdb.frame_filters[self.name] = self

    def filter(self, frames):
        return itertools.filterfalse(self.hidden, frames)

    @staticmethod
    def hidden(decorator):
        """The real innermost frame while a thread is selected, and the 0 return
        address init_stack (runtime/sched.c) leaves under thread_start."""
        frame = decorator.inferior_frame()
        if frame.level() == 0:
            return UNWINDER.context is not None
        newer = frame.newer()
        return frame.pc() == 0 and newer is not None and newer.name() == "thread_start"


UNWINDER = GreenThreadUnwinder()
SELECTED = [None]  # the selected thread's id


def select(t):
    """Shows thread t (a suspended one), or the real stack for None or the running one."""
    if t is None or int(t) == current() or int(t) == waiting_in_place():
        UNWINDER.context = None
        SELECTED[0] = None
    else:
        UNWINDER.context = saved_context(t)
        SELECTED[0] = int(t["id"])
    gdb.invalidate_cached_frames()


def select_frame_of_selection():
    if UNWINDER.context is not None:
        frame = gdb.newest_frame().older()
        if frame is not None:
            frame.select()
            return
    gdb.newest_frame().select()


def drop_selection(event=None):
    if UNWINDER.context is not None:
        UNWINDER.context = None
        SELECTED[0] = None
        gdb.invalidate_cached_frames()


class Restore:
    """Puts the selection back as it was (for commands that visit every thread)."""

    def __enter__(self):
        self.context = UNWINDER.context
        self.selected = SELECTED[0]
        return self

    def __exit__(self, *exc):
        UNWINDER.context = self.context
        SELECTED[0] = self.selected
        gdb.invalidate_cached_frames()
        try:
            select_frame_of_selection()
        except gdb.error:
            pass
        return False


def blocked_in(t):
    """The first function outside the scheduler on t's stack (what it waits in)."""
    try:
        return first_frame_outside_scheduler(t)
    except (gdb.MemoryError, gdb.error):
        return "? (its stack cannot be unwound)"


def first_frame_outside_scheduler(t):
    with Restore():
        select(t)
        frame = gdb.newest_frame()
        if UNWINDER.context is not None:
            frame = frame.older()
        # Waiting in place: the idle loop's frames (handlers, the block) come first.
        idling = UNWINDER.context is None and int(t) == waiting_in_place()
        depth = 0
        while frame is not None and depth < 64:
            name = frame.name() or function_at(frame.pc())
            if idling:
                idling = name != "uk_waitq_wait"
            elif name not in SCHED_FUNCS:
                return name
            frame = frame.older()
            depth += 1
    return "?"


def stack_use(t):
    """(size, high-water bytes) of t's stack: the fill pattern left untouched."""
    size = STACK_SIZE
    base = int(t["stack"])
    data = read(base + CANARY_BYTES, size - CANARY_BYTES)
    untouched = len(data) - len(data.lstrip(bytes([STACK_FILL])))
    return size, size - CANARY_BYTES - untouched


def known_waitqs(threads):
    """{address: name} of wait queues inside heap objects: netfront's, sockets',
    threads' joiners (a static queue is named by its symbol)."""
    names = {}
    for t in threads:
        names[int(t["joiners"].address)] = "joiners of thread %d" % int(t["id"])
    try:
        from .xen import netfronts
        for nf in netfronts():
            for field in ("rx_wq", "tx_wq", "recv_wq", "idle_wq"):
                names[int(nf[field].address)] = "netfront vif%d %s" % (int(nf["index"]), field)
    except gdb.GdbError:
        pass
    try:
        from .state import sockets
        for proto, sock in sockets():
            names[int(sock["rx_wait"].address)] = "%s socket port %d rx_wait" % (
                proto, int(sock["local_port"]))
    except gdb.GdbError:
        pass
    return names


def waits_on(t, now, waitqs):
    parts = []
    wq = int(t["waitq"])
    if wq:
        parts.append("waitq %s" % waitqs.get(wq, data_name(wq)))
    timer = t["timeout"]
    if int(timer["heap_index"]):
        deadline = int(timer["deadline_ns"])
        parts.append("until %s (%s from now)" % (fmt_ns(deadline),
                                                  fmt_ns(max(deadline - now, 0))))
    return ", ".join(parts)


def thread_rows():
    now = guest_now_ns()
    cur = current()
    rows = []
    threads = all_threads()
    waitqs = known_waitqs(threads)
    for t in threads:
        state = STATES.get(int(t["state"]), str(int(t["state"])))
        running = int(t) == cur
        if running:
            state = "running"
        where = "-"
        if not running and state == "blocked":
            where = "in %s" % blocked_in(t)
            on = waits_on(t, now, waitqs)
            if on:
                where += ", " + on
        elif not running and state == "runnable":
            where = "in %s (ready)" % blocked_in(t)
        try:
            size, used = stack_use(t)
            used = str(used)
        except gdb.MemoryError:
            size, used = STACK_SIZE, "unreadable"
        mark = "*" if running else (">" if SELECTED[0] == int(t["id"]) else " ")
        rows.append([mark + " " + str(int(t["id"])), t["name"].string(), state, where,
                     "%dK" % (size // 1024), used])
    return rows


class UkThreads(gdb.Command):
    """List every guest thread.

Id, name, state, where and on what it waits, stack size and use.

* marks the running thread, > the one `uk thread N` selected. "Stack" is the
stack's size; "Used" its high-water mark in bytes (the bytes ever written)."""

    def __init__(self):
        super().__init__("uk threads", gdb.COMMAND_STACK)

    @guarded
    def invoke(self, arg, from_tty):
        s = sched()
        rows = thread_rows()
        table(rows, ["  Id", "Name", "State", "Waits", "Stack", "Used"])
        gdb.write("%d threads; guest time %s (last read by the guest)%s\n" % (
            len(rows), fmt_ns(guest_now_ns()),
            "" if int(s["current"]) or not rows else "; the scheduler is running (no thread)%s" % (
                " on the stack of the thread waiting in place" if waiting_in_place() else "")))


class UkThread(gdb.Command):
    """Select a guest thread for bt, frame, info locals, up and down.

uk thread N         select thread N (see uk threads); a suspended thread is shown
                    from its saved context, the running one as it is
uk thread current   back to the real stack (also done when the program resumes)
uk thread apply all|N... CMD   run CMD for every thread, or for the ones named"""

    def __init__(self):
        super().__init__("uk thread", gdb.COMMAND_STACK, gdb.COMPLETE_NONE, True)

    @guarded
    def invoke(self, arg, from_tty):
        arg = arg.strip()
        if not arg:
            gdb.write("showing thread %s\n" % (SELECTED[0] or "current (the real stack)"))
            return
        if arg == "current":
            select(None)
        else:
            try:
                tid = int(arg)
            except ValueError:
                raise gdb.GdbError("usage: uk thread N|current|apply ...")
            t = find(tid)
            if int(t["state"]) == 2:
                raise gdb.GdbError("drydock: thread %d (%s) has exited" % (tid, t["name"].string()))
            select(t)
        select_frame_of_selection()
        gdb.execute("frame", from_tty=from_tty)


class UkThreadApply(gdb.Command):
    """Run a gdb command for each guest thread.

uk thread apply all bt, or uk thread apply 2 3 bt."""

    def __init__(self):
        super().__init__("uk thread apply", gdb.COMMAND_STACK)

    @guarded
    def invoke(self, arg, from_tty):
        words = arg.split()
        if len(words) < 2:
            raise gdb.GdbError("usage: uk thread apply all|N... COMMAND")
        if words[0] == "all":
            targets = all_threads()
            cmd = " ".join(words[1:])
        else:
            ids = list(itertools.takewhile(str.isdigit, words))
            cmd = " ".join(words[len(ids):])
            if not ids or not cmd:
                raise gdb.GdbError("usage: uk thread apply all|N... COMMAND")
            targets = [find(int(i)) for i in ids]
        with Restore():
            for t in targets:
                if int(t["state"]) == 2:
                    continue
                gdb.write("\nThread %d (%s):\n" % (int(t["id"]), t["name"].string()))
                select(t)
                select_frame_of_selection()
                gdb.execute(cmd, from_tty=False)


def register():
    gdb.unwinder.register_unwinder(None, UNWINDER, replace=True)
    HideRealFrame()
    gdb.events.cont.connect(drop_selection)
    gdb.events.exited.connect(drop_selection)
    UkThreads()
    UkThread()
    UkThreadApply()
