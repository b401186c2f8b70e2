#!/usr/bin/env bash
# The application boundary holds in the sim build: a project outside this
# repository whose unikernel calls printf (no header declares it), or
# declares rand or strdup itself, fails to build as a process, with a message
# naming the function, exactly as its PVH image would fail to link. A
# unikernel that stays inside the runtime's API builds.
set -e
. "$(dirname "$0")/lib.sh"

app_project boundary
cat >>"$TMP/app/CMakeLists.txt" <<CMAKE
drydock_add_unikernel(uses_printf SOURCES printf.c)
drydock_add_unikernel(uses_rand SOURCES rand.c)
drydock_add_unikernel(uses_strdup SOURCES strdup.c)
drydock_add_unikernel(stays_inside SOURCES inside.c)
CMAKE
cat >"$TMP/app/printf.c" <<'C'
#include <uk.h>

int app_main(int argc, char **argv)
{
	printf("hello from %s\n", argv[0]);
	return 0;
}
C
cat >"$TMP/app/rand.c" <<'C'
#include <uk.h>

int rand(void); /* declared by hand: compiles, but nothing provides it */

int app_main(int argc, char **argv)
{
	return rand() & 1;
}
C
cat >"$TMP/app/strdup.c" <<'C'
#include <string.h>
#include <uk.h>

char *strdup(const char *s);

int app_main(int argc, char **argv)
{
	uk_printf("%s\n", strdup(argv[0]));
	return 0;
}
C
cat >"$TMP/app/inside.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <uk.h>

int app_main(int argc, char **argv)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%zu", strlen(argv[0]));
	uk_printf("%s\n", buf);
	return 0;
}
C
cmake -S "$TMP/app" -B "$TMP/build" -DDRYDOCK_XEN=OFF >"$TMP/configure.log" 2>&1 ||
	{ cat "$TMP/configure.log"; fail "configure failed"; }
cmake --build "$TMP/build" -j2 --target stays_inside >"$TMP/inside.log" 2>&1 ||
	{ tail -30 "$TMP/inside.log"; fail "a unikernel using only the runtime's API did not build"; }

# build_fails TARGET FUNCTION PATTERN: building TARGET fails, and a line of its
# output matching PATTERN names FUNCTION.
build_fails() {
	if cmake --build "$TMP/build" --target "$1" >"$TMP/$1.log" 2>&1; then
		fail "$1 (calls $2) built as a process"
	fi
	[ ! -e "$TMP/build/bin/$1" ] || fail "$1 (calls $2) was linked into $TMP/build/bin/$1"
	expect_grep "$1's error names $2" "$3" "$TMP/$1.log"
}
build_fails uses_printf printf "implicit declaration of function .printf."
build_fails uses_rand rand \
	"^uses_rand: calls rand \(in rand\.c\), which the unikernel runtime does not provide"
build_fails uses_strdup strdup \
	"^uses_strdup: calls strdup \(in strdup\.c\), which the unikernel runtime does not provide"
