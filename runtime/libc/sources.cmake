# runtime/libc's own implementations of the functions its headers declare.
# Paths are relative to runtime/libc.
#
# DRYDOCK_LIBC_SOURCES: the xen build links these; the sim build links the
# host C library's functions of the same names instead (same prototypes, and
# valgrind knows them).
set(DRYDOCK_LIBC_SOURCES string.c ctype.c strtol.c)
# DRYDOCK_LIBC_RUNTIME_SOURCES: compiled into the runtime itself
# (runtime/CMakeLists.txt), in both builds, so that both print the same.
# Their functions have link names of their own (uk_libc_*: <stdio.h>).
set(DRYDOCK_LIBC_RUNTIME_SOURCES vsnprintf.c)
