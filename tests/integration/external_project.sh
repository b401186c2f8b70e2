#!/usr/bin/env bash
# A project outside this repository builds a unikernel with drydock_add_unikernel,
# exactly as docs/writing-a-unikernel.md shows, and it runs.
set -e
. "$(dirname "$0")/lib.sh"

app_project myapp
cat >>"$TMP/app/CMakeLists.txt" <<CMAKE
drydock_add_unikernel(myapp SOURCES main.c)
CMAKE
cat >"$TMP/app/main.c" <<'C'
#include <uk.h>

int app_main(int argc, char **argv)
{
	uk_printf("%s says hello with %d argument(s)\n", argv[0], argc - 1);
	return argc - 1;
}
C
cmake -S "$TMP/app" -B "$TMP/build" >"$TMP/configure.log" 2>&1 || { cat "$TMP/configure.log"; fail "configure failed"; }
cmake --build "$TMP/build" -j2 >"$TMP/build.log" 2>&1 || { tail -30 "$TMP/build.log"; fail "build failed"; }
[ ! -e "$TMP/build/bin/hello" ] || fail "drydock's own examples were built into the user's project"
run "$TMP/out" "$TMP/err" "$TMP/build/bin/myapp" --clock virtual -- a b
expect_eq "exit status" 2 "$status"
expect_eq "output" "myapp says hello with 2 argument(s)" "$(cat "$TMP/out")"
