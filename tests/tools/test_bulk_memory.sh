#!/bin/sh
# requires: root
# test_bulk_memory.sh - greyspf-load and greyspf-import in bounded
# memory: their peak memory does not grow with the input; with the sort
# buffer forced small (GREYSPF_SORT_MEMORY), the entries go through runs
# in temporary files, merged in several passes, and come out as they do
# in memory: the same database, the same report, duplicates and merges
# named with both lines or paths, also when the map grows mid-load and
# the merge is done again; a temporary directory that fails (full,
# missing) fails the tool cleanly, database unchanged. Trees, databases
# and temporary files live on tmpfs mounts in a mount namespace of the
# test's own.
if [ -z "${BULK_NS:-}" ]; then
	BULK_NS=1 exec unshare -m sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
need awk mount /usr/bin/time
R=$T
mkdir "$R/m" "$R/full"
mount -t tmpfs -o size=1g,mode=755 tmpfs "$R/m" || exit 1
mount -t tmpfs -o size=64k,mode=1777 tmpfs "$R/full" || exit 1
trap 'umount "$R/m" "$R/full"; rm -rf "$R"' EXIT
T=$R/m
SMALL=32768		# bytes: the least sort buffer, two runs per merge
export GREYSPF_SORT_MEMORY=

# dump_of N [DUP_OF DUP_AT] - a dump of N distinct entries, not in key
# order: triplets (one in 50 with addresses too long for a key whole),
# IPv6 and IP-only entries; with DUP_OF and DUP_AT, data line DUP_AT
# repeats the entry of data line DUP_OF.
dump_of() {
	awk -v n="$1" -v dof="${2:-0}" -v dat="${3:-0}" 'BEGIN {
	    print "VERSION=1\nformat=greyspf-greylist\nHEADER=END"
	    long = sprintf("%300s", ""); gsub(/ /, "s", long)
	    t = 1795235937
	    for (i = 1; i <= n; i++) {
		j = (i * 7919) % n
		if (i == dat)
			j = (dof * 7919) % n
		a = sprintf("%d.%d.%d", 10 + j % 7, int(j / 256) % 256, j % 256)
		ts = sprintf("%d.%06d %d.%06d %d.%06d %d", t - j % 86400,
		    j % 1000000, t + 300, 0, t + 400, (j * 7) % 1000000, j % 5)
		if (j % 11 == 0)
			printf "iponly %s.0/24 %s inferred\n", a, ts
		else if (j % 13 == 0)
			printf "triplet 2001:db8::%s%x/128 s%d@x.org r@y.org %s -\n",
			    (j >= 65536 ? sprintf("%x:", int(j / 65536)) : ""),
			    j % 65536, j, ts
		else if (j % 50 == 1)
			printf "triplet %s.1/32 %s%d@x.org %s@y.org %s -\n", a, long, j, long, ts
		else
			printf "triplet %s.1/32 s%d@dom%d.example r%d@y.org %s -\n", a, j, j % 97, j % 13, ts
	    }
	    print "DATA=END" }'
}
load() { "$BIN/greyspf-load" "$@"; }
import() { "$BIN/greyspf-import" -q "$@"; }
# small load|import ARGS... - the same, the sort buffer at its least
small() {
	c=$1
	shift
	if [ "$c" = load ]; then set -- "$BIN/greyspf-load" "$@"
	else set -- "$BIN/greyspf-import" -q "$@"; fi
	env GREYSPF_SORT_MEMORY=$SMALL "$@"
}
# peak NAME CMD... - CMD's peak resident set size in KiB into $T/NAME.kb
# (ASan's quarantine off: it keeps what is freed, which is no leak)
peak() {
	pk=$1
	shift
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=0:thread_local_quarantine_size_kb=0" \
	    /usr/bin/time -f %M -o "$T/$pk.kb" "$@" >/dev/null 2>"$T/$pk.err"
}

# Peak memory: the same for ten times the input (the sort buffer at
# 1 MiB, so that a run or two is written even for the smaller input).
dump_of 10000 >"$T/d10k"
dump_of 100000 >"$T/d100k"
t_ok "load -n, 10,000 entries" peak l10k env GREYSPF_SORT_MEMORY=1048576 "$BIN/greyspf-load" -n "$T/d10k"
t_ok "load -n, 100,000 entries" peak l100k env GREYSPF_SORT_MEMORY=1048576 "$BIN/greyspf-load" -n "$T/d100k"
grow=$(($(tail -1 "$T/l100k.kb") - $(tail -1 "$T/l10k.kb")))
t_ok "load: peak memory for 100,000 entries within 4 MiB of 10,000's ($grow KiB more)" \
    test "$grow" -lt 4096
# A line of 50 MB (no dump has one): refused, and read in bounded memory.
{ printf 'VERSION=1\nformat=greyspf-greylist\nHEADER=END\n'
  head -c 50000000 /dev/zero | tr '\0' a; printf '\nDATA=END\n'; } >"$T/long"
t_rc "load: a line of 50 MB refused" 1 peak long "$BIN/greyspf-load" -n "$T/long"
t_grep "load: the line named" 'long:4: line longer than 12538 bytes' "$T/long.err"
grow=$(($(tail -1 "$T/long.kb") - $(tail -1 "$T/l10k.kb")))
t_ok "load: the long line takes no memory ($grow KiB more than 10,000 entries)" \
    test "$grow" -lt 4096
rm "$T/long"
"$BUILD/tests/gentree" "$T/t2k" 2000 5
"$BUILD/tests/gentree" "$T/t30k" 30000 5
t_ok "import -n, 2,000 entries" peak i2k env GREYSPF_SORT_MEMORY=1048576 "$BIN/greyspf-import" -q -n -d "$T/none" "$T/t2k"
t_ok "import -n, 30,000 entries" peak i30k env GREYSPF_SORT_MEMORY=1048576 "$BIN/greyspf-import" -q -n -d "$T/none" "$T/t30k"
grow=$(($(tail -1 "$T/i30k.kb") - $(tail -1 "$T/i2k.kb")))
t_ok "import: peak memory for 30,000 entries within 4 MiB of 2,000's ($grow KiB more)" \
    test "$grow" -lt 4096

# load: in memory and through runs, the same database and report.
dump_of 20000 >"$T/d.in"
t_ok "load in memory" load -d "$T/db1" "$T/d.in"
mv "$T/.out" "$T/r1"
t_ok "load through runs" small load -d "$T/db2" "$T/d.in"
t_same "load: the same report" "$T/.out" "$T/r1"
t_line "load: every entry" "$T/d.in: 20000 entries: 20000 added, 0 replaced, 0 kept" "$T/r1"
"$BIN/greyspf-dump" -d "$T/db1" >"$T/dump1"
"$BIN/greyspf-dump" -d "$T/db2" >"$T/dump2"
t_same "load: the same database" "$T/dump2" "$T/dump1"
t_ok "load -N through runs, onto itself" small load -N -d "$T/db2" "$T/dump1"
t_line "load -N: every entry kept" "$T/dump1: 20000 entries: 0 added, 0 replaced, 20000 kept" "$T/.out"
t_ok "load -n through runs" small load -n "$T/d.in"
t_line "load -n: the count" "$T/d.in: 20000 entries, no errors (nothing written)" "$T/.out"

# A duplicate far from its first line: in another run, still named with
# both lines, and the database left alone.
dump_of 20000 5 19990 >"$T/dup.in"
t_rc "load: duplicate in another run refused" 1 small load -d "$T/db2" "$T/dup.in"
t_line "load: both lines named" "greyspf-load: $T/dup.in:19993: duplicate of the entry on line 8" "$T/.err"
cp "$T/.err" "$T/dup.err"
t_rc "load in memory: the same refusal" 1 load -d "$T/db2" "$T/dup.in"
t_same "load: the same diagnostics" "$T/.err" "$T/dup.err"
"$BIN/greyspf-dump" -d "$T/db2" >"$T/now"
t_same "load: database unchanged" "$T/now" "$T/dump1"

# The map grows (from 1 MiB) mid-load: the merge is done again from the
# start, and nothing is counted or written twice.
printf 'databaseMapSize = 1\ndatabaseMapSizeMax = 64\n' >"$T/grow.conf"
t_ok "load through runs, map growing" small load -c "$T/grow.conf" -d "$T/db3" "$T/d.in"
t_grep "load: the map grew" 'database map grown' "$T/.err"
t_same "load, map grown: the same report" "$T/.out" "$T/r1"
"$BIN/greyspf-dump" -d "$T/db3" >"$T/dump3"
t_same "load, map grown: the same database" "$T/dump3" "$T/dump1"

# import: files that name one entry (an IPv4-mapped spelling beside the
# plain one, with a later last request) in a tree of 30,000; in memory
# and through runs, the same report and database.
mv "$T/t30k" "$T/tree"
(cd "$T/tree/client_address" && ls | grep -E '^[0-9]+$' | head -8 |
    while read -r a; do cp -a "$a" "::ffff:$a"; done)
find "$T/tree/client_address" -path '*::ffff:*' -type f \
    -exec touch -a -d @1795400000.25 {} +
t_ok "import in memory" import -d "$T/idb1" "$T/tree"
mv "$T/.out" "$T/ir1"
t_grep "import: files of one entry merged" '^merged: client_address/::ffff:[0-9]+/.*: same entry as client_address/[0-9]+/' "$T/ir1"
t_nogrep "import: the merges counted" ' 0 merged within the tree' "$T/ir1"
t_ok "import through runs" small import -d "$T/idb2" "$T/tree"
t_same "import: the same report" "$T/.out" "$T/ir1"
"$BIN/greyspf-dump" -d "$T/idb1" >"$T/idump1"
"$BIN/greyspf-dump" -d "$T/idb2" >"$T/idump2"
t_same "import: the same database" "$T/idump2" "$T/idump1"
t_ok "import -n through runs" small import -n -d "$T/idb2" "$T/tree"
t_grep "import -n: nothing new" 'would import: 0 new, 0 merged into existing, [0-9]+ already present' "$T/.out"
t_ok "import through runs, map growing" small import -c "$T/grow.conf" -d "$T/idb3" "$T/tree"
t_grep "import: the map grew" 'database map grown' "$T/.err"
t_same "import, map grown: the same report" "$T/.out" "$T/ir1"
"$BIN/greyspf-dump" -d "$T/idb3" >"$T/idump3"
t_same "import, map grown: the same database" "$T/idump3" "$T/idump1"

# A temporary directory that is full or missing: a clean failure that
# says where, the database unchanged; in memory no file is needed.
dd if=/dev/zero of="$R/full/fill" bs=4k 2>/dev/null
t_rc "load, TMPDIR full: exit 1" 1 env TMPDIR="$R/full" GREYSPF_SORT_MEMORY=$SMALL "$BIN/greyspf-load" -d "$T/db2" "$T/d.in"
t_grep "load, TMPDIR full: the reason" "^greyspf-load: sorting the entries in a temporary file in $R/full \\(TMPDIR\\) failed, database not changed: No space left on device\$" "$T/.err"
"$BIN/greyspf-dump" -d "$T/db2" >"$T/now"
t_same "load, TMPDIR full: database unchanged" "$T/now" "$T/dump1"
t_ok "load, TMPDIR full: in memory, no file needed" env TMPDIR="$R/full" "$BIN/greyspf-load" -n "$T/d.in"
t_rc "import, TMPDIR full: exit 1" 1 env TMPDIR="$R/full" GREYSPF_SORT_MEMORY=$SMALL "$BIN/greyspf-import" -q -d "$T/idb2" "$T/tree"
t_grep "import, TMPDIR full: the reason" "^greyspf-import: sorting the entries in a temporary file in $R/full \\(TMPDIR\\) failed, database not changed: No space left on device\$" "$T/.err"
"$BIN/greyspf-dump" -d "$T/idb2" >"$T/now"
t_same "import, TMPDIR full: database unchanged" "$T/now" "$T/idump1"
t_rc "load, TMPDIR missing: exit 1" 1 env TMPDIR="$R/nowhere" GREYSPF_SORT_MEMORY=$SMALL "$BIN/greyspf-load" -d "$T/db2" "$T/d.in"
t_grep "load, TMPDIR missing: the reason" "in $R/nowhere \\(TMPDIR\\) failed, database not changed: No such file or directory\$" "$T/.err"
t_rc "a bad GREYSPF_SORT_MEMORY: exit 1" 1 env GREYSPF_SORT_MEMORY=64k "$BIN/greyspf-load" -n "$T/d.in"
t_grep "a bad GREYSPF_SORT_MEMORY: the reason" 'GREYSPF_SORT_MEMORY="64k": not a number of bytes' "$T/.err"
