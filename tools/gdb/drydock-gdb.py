# drydock's gdb helpers: the `uk` commands and pretty-printers (tools/gdb/uk_gdb).
# Every unikernel names this file in its .debug_gdb_scripts section, so gdb
# loads it once the path is allowed:
#   add-auto-load-safe-path /path/to/drydock/tools/gdb/drydock-gdb.py
# or by hand: source /path/to/drydock/tools/gdb/drydock-gdb.py
import os
import sys

import gdb

_here = os.path.dirname(os.path.realpath(__file__))
if _here not in sys.path:
    sys.path.insert(0, _here)

# No __pycache__ in the source tree.
_was = sys.dont_write_bytecode
sys.dont_write_bytecode = True
import uk_gdb  # noqa: E402
sys.dont_write_bytecode = _was

uk_gdb.register(gdb.current_objfile())
