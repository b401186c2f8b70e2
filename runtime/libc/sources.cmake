# runtime/libc's own implementations of the functions its headers declare,
# for the xen build (the sim build links the host C library's instead).
# Paths are relative to runtime/libc.
set(DRYDOCK_LIBC_SOURCES string.c ctype.c strtol.c vsnprintf.c)
