# Shared by the block device tests: lib.sh, plus a 1 MiB raw image given to
# gdbguest as xvda (vbd 51712), so that at gdbguest_checkpoint disk 0 has
# three requests answered and two in flight at the backend (gdbguest.c).
. "$(dirname "$0")/lib.sh"
truncate -s 1M "$TMP/disk.img" || fail "cannot create a disk image in $TMP"
GUEST_ARGS+=(--disk "$TMP/disk.img,raw,xvda,rw")
# The guest's and the simulator's ends of disk 0, as gdb expressions.
BLKFRONT="'gdbguest.c'::blk"
BLKBACK="((struct blkback *)main::td.disks[0])"
