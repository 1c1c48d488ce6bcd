#!/bin/sh
# requires: root
# test_bigtree.sh - a generated tumgreyspf tree of 100,000 entries with
# every odd byte in the addresses, IPv6 and IP-only entries: imported
# whole, dumped back identical to the microsecond, dump/load identical.
# The trees and databases live on a tmpfs in a mount namespace of the
# test's own, so the time goes to what is tested, not to the disk, and
# nothing is left behind.
if [ -z "${BIGTREE_NS:-}" ]; then
	BIGTREE_NS=1 exec unshare -m sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
R=$T
mkdir "$R/m"
mount -t tmpfs -o size=2g,mode=755 tmpfs "$R/m" || exit 1
trap 'umount "$R/m"; rm -rf "$R"' EXIT
T=$R/m

N=${GREYSPF_BIGTREE:-100000}
t_ok "generate $N entries" "$BUILD/tests/gentree" "$T/tree" "$N" 42
t_ok "import $N entries" "$BIN/greyspf-import" -q -d "$T/db" "$T/tree"
t_grep "all $N imported" "^files: $N; entries: $N; imported: $N new, 0 merged into existing, 0 already present; 0 merged within the tree; 0 skipped; 0 notes\$" "$T/.out"
t_ok "stat summary" "$BIN/greyspf-stat" -s -d "$T/db"
t_grep "entry count" "^  Entries: $N\$" "$T/.out"
t_ok "dump --legacy" "$BIN/greyspf-dump" -d "$T/db" --legacy "$T/back"
listing "$T/tree" >"$T/want"
listing "$T/back" >"$T/got"
t_eq "legacy tree has $N files" "$(wc -l <"$T/got")" "$N"
t_same "legacy round trip: every path, mtime and atime" "$T/got" "$T/want"
"$BIN/greyspf-dump" -d "$T/db" >"$T/d1"
t_ok "load" "$BIN/greyspf-load" -d "$T/db2" "$T/d1"
"$BIN/greyspf-dump" -d "$T/db2" >"$T/d2"
t_same "dump, load, dump identical" "$T/d2" "$T/d1"
t_ok "import again" "$BIN/greyspf-import" -q -d "$T/db" "$T/tree"
t_grep "second import changes nothing" "imported: 0 new, 0 merged into existing, $N already present" "$T/.out"
