"""drydock's gdb helpers: green threads, Xen state and the simulator.

Everything is read from memory (statics of the runtime, the simulator's
objects through the hypercall shim's current domain), never by calling
functions in the inferior, so the commands work at any stop and on cores.
"""
import gdb

from . import blk, common, threads, xen, xs, state, printers

_registered = False


def register(objfile):
    """Registers the commands once, and the printers and unwinder for objfile."""
    global _registered
    printers.register(objfile)
    if _registered:
        return
    _registered = True
    common.UkPrefix()
    threads.register()
    xen.register()
    xs.register()
    state.register()
    blk.register()
