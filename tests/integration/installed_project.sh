#!/usr/bin/env bash
# drydock as an installed package: `cmake --install` into a temporary
# prefix, then examples/ci-project, copied out of the tree (no drydock source
# beside it), builds against it twice — with find_package(drydock) and its
# tests pass (the sim executable, the xl.cfg through the installed `drydock
# run`, memcheck), and with make and pkg-config — and the installed files
# name no path of the build or source tree.
set -e
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${DRYDOCK_BUILD_DIR:?DRYDOCK_BUILD_DIR must name the build directory of drydock}
prefix=$TMP/prefix

cmake --install "$build" --prefix "$prefix" >"$TMP/install.log" 2>&1 || { tail -20 "$TMP/install.log"; fail "cmake --install failed"; }
for f in bin/drydock lib/cmake/drydock/drydockConfig.cmake lib/pkgconfig/drydock.pc \
	include/drydock/runtime/uk.h include/drydock/libc/string.h lib/drydock/xen.ld \
	share/man/man1/drydock.1 share/man/man1/drydock-run.1 share/doc/drydock/ci.md; do
	[ -e "$prefix/$f" ] || fail "not installed: $f"
done
if grep -rlF -e "$src" -e "$build" "$prefix/lib/cmake" "$prefix/lib/pkgconfig" >"$TMP/leaks"; then
	cat "$TMP/leaks" >&2
	fail "installed package files name the source or build tree"
fi
"$prefix/bin/drydock" help run >"$TMP/out"
expect_grep "installed drydock" "^usage: drydock run" "$TMP/out"

cp -r "$src/examples/ci-project" "$TMP/project"
cmake -S "$TMP/project" -B "$TMP/project/build" -DCMAKE_PREFIX_PATH="$prefix" \
	>"$TMP/configure.log" 2>&1 || { cat "$TMP/configure.log"; fail "configuring the project failed"; }
cmake --build "$TMP/project/build" -j2 >"$TMP/build.log" 2>&1 || { tail -30 "$TMP/build.log"; fail "building the project failed"; }
ctest --test-dir "$TMP/project/build" --output-on-failure >"$TMP/ctest.log" 2>&1 || { cat "$TMP/ctest.log"; fail "the project's tests failed"; }
expect_grep "the project's tests" "^100% tests passed, 0 tests failed out of [34]$" "$TMP/ctest.log"
if [ -e "$build/xen/hello.xen" ]; then
	[ -e "$TMP/project/build/xen/greeter.xen" ] || fail "no PVH image greeter.xen"
	expect_grep "the xl.cfg test ran" "greeter/xl_cfg .* Passed" "$TMP/ctest.log"
fi

# The same with make and pkg-config.
PKG_CONFIG_PATH=$prefix/lib/pkgconfig make -C "$TMP/project" >"$TMP/make.log" 2>&1 || { tail -20 "$TMP/make.log"; fail "make with pkg-config failed"; }
run "$TMP/out" "$TMP/err" "$TMP/project/greeter" --clock virtual -- make
expect_eq "pkg-config build's exit status" 0 "$status"
expect_eq "pkg-config build's output" "hello, make" "$(cat "$TMP/out")"
