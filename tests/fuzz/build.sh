#!/bin/sh
# Builds the libFuzzer harness net_input_fuzz with clang, ASan and UBSan:
#   tests/fuzz/build.sh [OUT_DIR]       (default: build/fuzz)
# The net sources are compiled as guest code, with the runtime's
# freestanding headers (-nostdinc), exactly as in the unikernel; only the
# harness is host code. Exits 77 when clang or libFuzzer is missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/fuzz/fuzz_lib.sh
. "$here/fuzz_lib.sh"
fuzz_init "$@"

# The parts of the stack that frames reach (netfront is stubbed by the harness).
net_sources="arp.c checksum.c eth.c icmp.c ip4.c ip4_addr.c ip4_reass.c netif.c netif_offload.c udp.c socket.c
	tcp.c tcp_buf.c tcp_cc.c tcp_icmp.c tcp_in.c tcp_isn.c tcp_lend.c tcp_opt.c tcp_out.c tcp_rack.c tcp_rcvbuf.c tcp_sack.c tcp_sock.c tcp_timer.c"

fuzz_probe "$out/obj"
mkdir -p "$out/guest-include"

# Guest code sees the Xen headers and nothing else of /usr/include.
xen=$(echo '#include <xen/xen.h>' | "$cc" -E -H -x c - -o /dev/null 2>&1 | sed -n 's/^\. //p' | head -1)
ln -sfn "$(dirname "$xen")" "$out/guest-include/xen"

common="-g -O1 -fno-omit-frame-pointer -Wall -Wextra -Wno-unused-parameter \
	-D__XEN_INTERFACE_VERSION__=0x00040e00 -I$src/runtime/include -I$src/net/include"

# guest_cc SOURCE OBJECT: SOURCE (from the repository) compiled as guest code,
# freestanding on the runtime's libc, instrumented for coverage.
guest_cc() {
	# shellcheck disable=SC2086
	"$cc" $common $san -fsanitize=fuzzer-no-link -nostdinc -include stdint.h \
		-isystem "$src/runtime/libc/include" -isystem "$out/guest-include" \
		-c "$src/$1" -o "$2"
	objs="$objs $2"
}

objs=""
for f in $net_sources; do
	guest_cc "net/$f" "$out/obj/${f%.c}.o"
done
# The runtime's timers and generator, real, as guest code too.
for f in timer.c random.c; do
	guest_cc "runtime/$f" "$out/obj/rt_${f%.c}.o"
done
# The runtime's own formatting (snprintf as the stack links it in both builds).
guest_cc runtime/libc/vsnprintf.c "$out/obj/vsnprintf.o"
# shellcheck disable=SC2086
"$cc" $common $san -fsanitize=fuzzer -I"$src/net" -I"$src/runtime" -include stdint.h \
	"$here/net_input_fuzz.c" "$here/runtime_stubs.c" $objs -o "$out/net_input_fuzz"
echo "built $out/net_input_fuzz"
