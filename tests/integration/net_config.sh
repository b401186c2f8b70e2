#!/usr/bin/env bash
# net/config.c, through net_init in a booted guest (testguest net WORDS...) on
# null vifs: the ip=/gw=/dns=/dhcp words of the guest command line, the
# backend's xenstore "ip" key as libxl and Mini-OS write it, and every
# malformed form refused with -EINVAL (-22) and a line naming the word.
set -e
. "$(dirname "$0")/lib.sh"
BACKEND=/local/domain/0/backend/vif/1 # the sim's domain 1; vif N is $BACKEND/N

# net SIM_ARGS... -- WORDS...: boots testguest with net_init on WORDS.
net() {
	run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual "$@"
	[ "$status" = 0 ] || { cat "$TMP/out" "$TMP/err" >&2; fail "testguest $*: status $status"; }
}
# expect_result WHAT RC: net_init returned RC.
expect_result() { expect_eq "$1: net_init's result" "$2" "$(sed -n 's/^net_init: //p' "$TMP/out")"; }
# expect_if WHAT N "addr A mask M gw G dns D0,D1": interface N's configuration.
expect_if() { expect_eq "$1: interface $2" "$3" "$(sed -n "s/^if$2: //p" "$TMP/out")"; }
# refused WHAT MESSAGE WORDS...: net_init on WORDS fails with -EINVAL and the
# line "net: 'WORD': MESSAGE" (MESSAGE an extended regular expression).
refused() {
	local what=$1 message=$2
	shift 2
	net --vif null -- net "$@"
	expect_result "$what" -22
	expect_grep "$what: the error" "^net: '.*': $message" "$TMP/out"
	expect_eq "$what: interfaces configured" "" "$(grep '^net: vif' "$TMP/out" || true)"
}
NONE="0.0.0.0"

# --- valid command lines ---
net --vif null -- net ip=10.0.0.2/24 gw=10.0.0.1 dns=10.0.0.53,10.0.0.54
expect_result "static address with gateway and two DNS servers" 0
expect_if "static address" 0 "addr 10.0.0.2 mask 255.255.255.0 gw 10.0.0.1 dns 10.0.0.53,10.0.0.54"
expect_grep "static address is announced" '^net: vif0 10\.0\.0\.2/24 gw 10\.0\.0\.1 \(static\)$' "$TMP/out"

net --vif null -- net ip0=192.168.7.9/16 dns0=192.168.0.1
expect_result "ip0= is ip=" 0
expect_if "ip0= is ip=" 0 "addr 192.168.7.9 mask 255.255.0.0 gw $NONE dns 192.168.0.1,$NONE"

net --vif null --vif null -- net ip1=10.1.0.2/30 gw1=10.1.0.1 ip=10.0.0.2/32
expect_result "ipN= configures vif N" 0
expect_if "ip= with /32" 0 "addr 10.0.0.2 mask 255.255.255.255 gw $NONE dns $NONE,$NONE"
expect_if "ip1= and gw1=" 1 "addr 10.1.0.2 mask 255.255.255.252 gw 10.1.0.1 dns $NONE,$NONE"

net --vif null -- net ipv6=on dnsmasq dhcpd=x ip123=nothing gwx=1 ip=10.0.0.2/8 appword
expect_result "words that are not the stack's are left alone" 0
expect_if "words that are not the stack's" 0 "addr 10.0.0.2 mask 255.0.0.0 gw $NONE dns $NONE,$NONE"

net --vif null -- net dhcp gw=10.0.0.1
expect_result "dhcp with no server times out" -110
expect_grep "dhcp ignores gw=" '^net: vif0 uses DHCP: its gw0=/dns0= are ignored$' "$TMP/out"
expect_grep "dhcp keeps asking" '^net: vif0 no DHCP lease yet' "$TMP/out"

net --vif null -- net
expect_result "nothing said and no xenstore address: DHCP" -110
expect_grep "DHCP by default" '^net: vif0 no DHCP lease yet' "$TMP/out"

net --vif null -- net ip=10.0.0.2/24 ip1=10.0.1.2/24
expect_result "configuring a vif that does not exist is only a warning" 0
expect_grep "the missing vif is named" '^net: the command line configures vif1, which does not exist$' "$TMP/out"

# --- the backend's xenstore "ip" key ---
net --vif null --xs "$BACKEND/0/ip=172.16.0.5 255.255.255.0 172.16.0.1" -- net
expect_result "xenstore ADDR NETMASK GATEWAY (Mini-OS)" 0
expect_if "xenstore ADDR NETMASK GATEWAY" 0 "addr 172.16.0.5 mask 255.255.255.0 gw 172.16.0.1 dns $NONE,$NONE"
expect_grep "xenstore address is announced" '^net: vif0 172\.16\.0\.5/24 gw 172\.16\.0\.1 \(xenstore\)$' "$TMP/out"

net --vif null --xs "$BACKEND/0/ip=10.0.0.5/30 10.0.0.9" -- net
expect_result "xenstore ADDR/PREFIX and a second address (libxl)" 0
expect_if "xenstore: the first word, its prefix" 0 "addr 10.0.0.5 mask 255.255.255.252 gw $NONE dns $NONE,$NONE"

for case in "10.2.3.4:255.0.0.0" "172.20.0.9:255.255.0.0" "192.168.9.9:255.255.255.0"; do
	net --vif null --xs "$BACKEND/0/ip=${case%%:*}" -- net
	expect_result "xenstore ${case%%:*} without a prefix" 0
	expect_if "xenstore ${case%%:*}: the class's netmask" 0 "addr ${case%%:*} mask ${case#*:} gw $NONE dns $NONE,$NONE"
done

net --vif null --xs "$BACKEND/0/ip=10.0.0.5 10.0.0.6 10.0.0.1" -- net
expect_result "xenstore second word that is no netmask" 0
expect_if "xenstore: a second address is not a netmask" 0 "addr 10.0.0.5 mask 255.0.0.0 gw $NONE dns $NONE,$NONE"

net --vif null --xs "$BACKEND/0/ip=10.0.0.5 255.255.255.0 nonsense" -- net
expect_result "xenstore bad gateway" 0
expect_if "xenstore: a bad gateway is none" 0 "addr 10.0.0.5 mask 255.255.255.0 gw $NONE dns $NONE,$NONE"

net --vif null --xs "$BACKEND/0/ip=10.0.0.5/24" -- net gw=10.0.0.1 dns=10.0.0.53
expect_result "command-line gw= and dns= add to a xenstore address" 0
expect_if "gw= and dns= with xenstore" 0 "addr 10.0.0.5 mask 255.255.255.0 gw 10.0.0.1 dns 10.0.0.53,$NONE"

net --vif null --xs "$BACKEND/0/ip=10.0.0.5/24" -- net ip=10.9.0.2/16
expect_result "ip= wins over xenstore" 0
expect_if "ip= wins over xenstore" 0 "addr 10.9.0.2 mask 255.255.0.0 gw $NONE dns $NONE,$NONE"

net --vif null --xs "$BACKEND/0/ip=10.0.0.5/24" -- net dhcp
expect_result "dhcp wins over xenstore" -110
expect_if "dhcp wins over xenstore" 0 "addr $NONE mask $NONE gw $NONE dns $NONE,$NONE"

for bad in "garbage" "10.0.0.5/33" "0.0.0.0" "224.0.0.1/4" "10.0.0/8"; do
	net --vif null --xs "$BACKEND/0/ip=$bad" -- net
	expect_result "xenstore '$bad' falls back to DHCP" -110
	expect_grep "xenstore '$bad' is named" "^net: vif0: $BACKEND/0/ip is '$bad', not an address; using DHCP$" "$TMP/out"
done

# --- malformed words: -EINVAL, a message, nothing configured ---
address='expected ADDRESS/PREFIX \(like ip=10\.0\.0\.2/24\) or dhcp$'
refused "ip= without a prefix" "$address" ip=10.0.0.2
refused "ip= with an empty prefix" "$address" ip=10.0.0.2/
refused "ip= with prefix 33" "$address" ip=10.0.0.2/33
refused "ip= with a three-digit prefix" "$address" ip=10.0.0.2/024
refused "ip= with a signed prefix" "$address" ip=10.0.0.2/+8
refused "ip= with junk after the prefix" "$address" ip=10.0.0.2/24x
refused "ip= with three octets" "$address" ip=10.0.0/24
refused "ip= with an octet over 255" "$address" ip=10.0.0.256/24
refused "ip= empty" "$address" ip=
refused "ip= of the any address" "$address" ip=0.0.0.0/8
refused "ip= of network 0" "$address" ip=0.1.2.3/8
refused "ip= of a multicast address" "$address" ip=224.0.0.1/4
refused "ip= of the broadcast address" "$address" ip=255.255.255.255/32
refused "ip= given twice" 'this interface was already given ip= or dhcp$' ip=10.0.0.2/24 ip=10.0.0.3/24
refused "ip= after dhcp" 'this interface was already given ip= or dhcp$' dhcp ip=10.0.0.2/24
refused "dhcp0 after ip0=" 'this interface was already given ip= or dhcp$' ip0=10.0.0.2/24 dhcp0
gateway='expected one gateway address \(like gw=10\.0\.0\.1\)$'
refused "gw= not an address" "$gateway" ip=10.0.0.2/24 gw=router
refused "gw= of the any address" "$gateway" ip=10.0.0.2/24 gw=0.0.0.0
refused "gw= given twice" "$gateway" ip=10.0.0.2/24 gw=10.0.0.1 gw=10.0.0.1
dns='expected dns=ADDRESS\[,ADDRESS\] \(at most 2, given once\)$'
refused "dns= with three servers" "$dns" ip=10.0.0.2/24 dns=10.0.0.1,10.0.0.2,10.0.0.3
refused "dns= empty" "$dns" ip=10.0.0.2/24 dns=
refused "dns= with a trailing comma" "$dns" ip=10.0.0.2/24 dns=10.0.0.1,
refused "dns= with a bad second server" "$dns" ip=10.0.0.2/24 dns=10.0.0.1,x
refused "dns= given twice" "$dns" ip=10.0.0.2/24 dns=10.0.0.1 dns=10.0.0.2
refused "dhcp= with a value" 'dhcp takes no value \(say dhcp, or dhcpN for vif N\)$' dhcp=yes
refused "ip8= beyond the last interface" 'interfaces are numbered 0 to 7$' ip8=10.0.0.2/24
refused "gw99= beyond the last interface" 'interfaces are numbered 0 to 7$' gw99=10.0.0.1
