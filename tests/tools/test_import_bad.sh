#!/bin/sh
# requires: root
# test_import_bad.sh - hostile and broken legacy trees: every bad file is
# reported with its path and reason, nothing outside the tree is read,
# good entries still come in; a failure leaves the database as it was.
. "$(dirname "$0")/lib.sh"
need mkfifo ln setpriv unshare mount

D=$T/data
# mk PATH [CONTENT] - an entry file with known times (set last).
mk() { mkdir -p "$D/$(dirname "$1")"; printf '%s' "${2:-}" >"$D/$1"; touch -m -d @1795235939.5 "$D/$1"; touch -a -d @1795235940.25 "$D/$1"; }
mk client_address/203/0/113/greylist/good@example.com/bob@example.org
mk 198/51/100/check_file
mk client_address/256/0/113/greylist/a@x/b@y
mk client_address/203/00/113/greylist/a@x/b@y
mk client_address/203/0/113/greylist/bad%zzescape@x/b@y
mk client_address/203/0/113/greylist/nul%00@x/b@y
mk client_address/203/0/113/greylist/..x/b@y
mk client_address/203/0/113/greylist/a..b@x/b@y
mk client_address/203/0/113/notes.txt
mk lost+found/whatever
mk .snapshot/203/0/113/check_file
deep=client_address
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do deep=$deep/d$i; done
mk "$deep/check_file"
# Content is ignored (as by the original); a pre-1.19 newline is normal.
mk client_address/203/0/113/greylist/junk@example.com/bob@example.org "not empty
"
mk client_address/203/0/113/greylist/old@example.com/bob@example.org "
"
# Links and special files: never followed, never read.
mkdir -p "$T/outside/client_address/9/9/9/greylist/evil@x"
: >"$T/outside/client_address/9/9/9/greylist/evil@x/b@y"
ln -s "$T/outside/client_address/9/9/9/greylist/evil@x/b@y" \
    "$D/client_address/203/0/113/greylist/good@example.com/link@example.org"
ln -s "$T/outside/client_address/9" "$D/client_address/9"
ln -s ../.. "$D/client_address/203/0/113/greylist/up"
mkfifo "$D/client_address/203/0/113/greylist/good@example.com/fifo@example.org"
# A directory where an entry file belongs.
mk client_address/203/0/113/greylist/dir@example.com/bob@example.org/x

t_ok "import of a hostile tree succeeds" "$BIN/greyspf-import" -q -d "$T/db" "$D"
R=$T/report
cp "$T/.out" "$R"
"$BIN/greyspf-dump" -d "$T/db" >"$T/dump"
t_grep "bad octet reported" 'skipped: client_address/256/0/113/greylist/a@x/b@y: client address octet' "$R"
t_grep "leading-zero octet reported" 'skipped: client_address/203/00/113/greylist/a@x/b@y: client address octet' "$R"
t_grep "bad escape reported" 'skipped: client_address/203/0/113/greylist/bad%zzescape@x/b@y: broken %XX escape' "$R"
t_grep "escaped NUL reported" 'skipped: client_address/203/0/113/greylist/nul%00@x/b@y: broken %XX escape, %00' "$R"
t_grep "dot-dot name reported" 'skipped: client_address/203/0/113/greylist/..x: hidden name' "$R"
t_grep "unknown file reported" 'skipped: client_address/203/0/113/notes.txt: not a tumgreyspf entry path' "$R"
t_grep "unrelated directory reported" 'skipped: lost\+found/whatever: not a tumgreyspf entry path' "$R"
t_grep "hidden directory reported" 'skipped: .snapshot: hidden name' "$R"
t_grep "absurd depth reported" 'deeper than any tumgreyspf entry' "$R"
t_grep "symlink to a file reported" 'skipped: client_address/203/0/113/greylist/good@example.com/link@example.org: symbolic link, not followed' "$R"
t_grep "symlink to a directory reported" 'skipped: client_address/9: symbolic link, not followed' "$R"
t_grep "symlink upwards reported" 'skipped: client_address/203/0/113/greylist/up: symbolic link' "$R"
t_grep "fifo reported" 'skipped: client_address/203/0/113/greylist/good@example.com/fifo@example.org: not a regular file' "$R"
t_grep "directory as entry reported" 'skipped: client_address/203/0/113/greylist/dir@example.com/bob@example.org/x: not a tumgreyspf entry path' "$R"
t_grep "junk entry keeps its times" '^triplet 203.0.113.0/24 junk@example.com bob@example.org 1795235339.500000 1795235939.500000 1795235940.250000 1 inferred$' "$T/dump"
t_grep "non-empty file imported with a note" 'note: client_address/203/0/113/greylist/junk@example.com/bob@example.org: entry file is not empty \(10 bytes\)' "$R"
t_nogrep "pre-1.19 newline needs no note" 'old@example.com/bob@example.org: entry file is not empty' "$R"
t_grep "good entries counted" 'files: 12; entries: 5; imported: 5 new' "$R"
t_nogrep "nothing from outside the tree" 'evil|9\.9\.9' "$T/dump"
t_grep "dotted local part fine" '^triplet 203.0.113.0/24 a..b@x b@y ' "$T/dump"
t_grep "IP-only entry in" '^iponly 198.51.100.0/24 1795235339.500000 1795235939.500000 1795235940.250000 1 inferred$' "$T/dump"

# Unreadable parts of the tree, read by an unprivileged user (root reads
# all), as README's migration step runs the import: a read error fails
# the import, database unchanged, unless -s skips it.
U=$T/u
mkdir -p "$U/client_address/1/2/3/greylist/a@x" \
    "$U/client_address/4/5/6/greylist/a@x" \
    "$U/client_address/7/8/9/greylist/a@x" "$U/198/51/100"
: >"$U/client_address/1/2/3/greylist/a@x/b@y"
: >"$U/client_address/4/5/6/greylist/a@x/b@y"
: >"$U/client_address/7/8/9/greylist/a@x/b@y"
: >"$U/198/51/100/check_file"
chmod -R a+rX "$U"
printf 'debugLevel = 1\n' >"$T/u.conf"
install -d -o 65534 -g 65534 -m 750 "$T/udb"
asnobody() {
	setpriv --reuid=65534 --regid=65534 --init-groups "$BIN/greyspf-import" \
	    -c "$T/u.conf" -d "$T/udb" "$@"
}
t_ok "readable tree: imported as nobody (README's step 3)" asnobody -q "$U"
t_grep "readable tree: all imported" 'imported: 4 new' "$T/.out"
"$BIN/greyspf-dump" -d "$T/udb" >"$T/ubefore"
: >"$U/client_address/1/2/3/greylist/a@x/c@y"
chmod 000 "$U/client_address/4"
# A directory that can be listed but not searched: its entries cannot
# be looked at.
chmod a-x "$U/client_address/7/8/9/greylist/a@x"
# An entry file that cannot be read is fine: only its times are used.
chmod 000 "$U/198/51/100/check_file"
t_rc "unreadable directory: import fails" 1 asnobody -q "$U"
cp "$T/.err" "$T/uerr"
t_grep "unreadable directory named" '^greyspf-import: client_address/4: Permission denied$' "$T/uerr"
t_grep "unsearchable directory's entry named" '^greyspf-import: client_address/7/8/9/greylist/a@x/b@y: Permission denied$' "$T/uerr"
t_grep "failure explained" '2 files or directories could not be read: nothing imported \(-s skips them\)' "$T/uerr"
t_nogrep "unreadable entry file is no read error" 'check_file' "$T/uerr"
"$BIN/greyspf-dump" -d "$T/udb" >"$T/uafter"
t_same "unreadable directory: database unchanged" "$T/uafter" "$T/ubefore"
t_rc "unreadable directory: dry run fails too" 1 asnobody -n -q "$U"
t_grep "dry run: failure explained" 'could not be read: the import would fail \(-s skips them\)' "$T/.err"
t_ok "unreadable directory: -s skips it" asnobody -s -q "$U"
cp "$T/.out" "$T/r2"
t_grep "-s: unreadable directory reported" '^skipped: client_address/4: Permission denied$' "$T/r2"
t_grep "-s: unsearchable entry reported" '^skipped: client_address/7/8/9/greylist/a@x/b@y: Permission denied$' "$T/r2"
t_grep "-s: what was skipped, said" '^warning: 2 files or directories could not be read and were skipped \(-s\): the entries in them are not imported$' "$T/r2"
t_grep "-s: readable part imported" 'imported: 1 new, 0 merged into existing, 2 already present' "$T/r2"

# A tree copied without its access times (tar, rsync without -U): every
# entry would look retried. The report says so; -a ignores them.
"$BUILD/tests/gentree" "$T/cp" 200 11
imp() { "$BIN/greyspf-import" -q -d "$T/cpdb" "$@" "$T/cp"; }
# atimes START STEP - the Nth file's access time is START + N * STEP.
atimes() {
	i=0
	find "$T/cp" -type f | while read -r f; do
		i=$((i + 1)); touch -a -d "@$(($1 + i * $2))" "$f"
	done
}
t_ok "real access times: dry run" imp -n
t_nogrep "real access times: no warning" 'access times' "$T/.out"
atimes 1800000000 0
t_ok "equal access times: dry run" imp -n
cp "$T/.out" "$T/cpr"
t_grep "equal access times: said" '^warning: the access times look reset: all 200 entries have the same access time$' "$T/cpr"
t_grep "equal access times: what it means" '^warning: .*rsync without -U.*every entry looks retried, and one never retried is kept GREYLISTEXPIREDAYS instead of 12 hours' "$T/cpr"
t_grep "equal access times: -a offered" '^warning: if the tree was copied so, use -a' "$T/cpr"
atimes 1900000000 1
t_ok "access times after every allow time: dry run" imp -n
t_grep "access times after every allow time: said" '^warning: the access times look reset: every access time is later than every allow time \(mtime\)$' "$T/.out"
# gentree's allow times span 30 days from 1795235937: access times within
# one hour in the middle of them, as a copy made beside a live tree.
atimes 1796531937 10
t_ok "access times within an hour: dry run" imp -n
t_grep "access times within an hour: said" '^warning: the access times look reset: all 200 access times lie within an hour, the allow times over more than a day$' "$T/.out"
atimes 1800000000 0
t_ok "import -a" imp -a
t_grep "-a: said" '^note: access times ignored \(-a\): every entry is taken as not yet retried' "$T/.out"
"$BIN/greyspf-dump" -d "$T/cpdb" >"$T/cpdump"
# FIRST ALLOW LAST PASSES FLAGS are the last five fields.
t_eq "-a: 200 entries" "$(grep -c '^triplet\|^iponly' "$T/cpdump")" 200
t_eq "-a: every entry not yet retried (last = first, no pass)" \
    "$(awk '/^(triplet|iponly) / && ($(NF-1) != 0 || $(NF-2) != $(NF-4))' "$T/cpdump" | wc -l)" 0

# Missing tree: run-time failure.
t_rc "missing tree exits 1" 1 "$BIN/greyspf-import" -q -d "$T/db" "$T/nonexistent"

# All or nothing: a map limit too small for the import fails it whole.
"$BUILD/tests/gentree" "$T/big" 20000 7
printf 'databaseMapSize = 1\ndatabaseMapSizeMax = 1\n' >"$T/small.conf"
"$BIN/greyspf-dump" -d "$T/db" >"$T/before"
t_rc "map full: import fails" 1 "$BIN/greyspf-import" -q -c "$T/small.conf" -d "$T/db" "$T/big"
t_grep "map full: reason given" 'database unchanged: database full: .*: the map reached its limit, databaseMapSizeMax \(1 MiB\)' "$T/.err"
"$BIN/greyspf-dump" -d "$T/db" >"$T/after"
t_same "map full: database unchanged" "$T/after" "$T/before"

# A full disk: the database on a 512 KiB tmpfs in a private namespace.
cat >"$T/full.sh" <<EOS
set -e
mkdir -p "$T/mnt"
mount -t tmpfs -o size=512k tmpfs "$T/mnt"
"$BIN/greyspf-import" -q -d "$T/mnt/db" "$D" >/dev/null
"$BIN/greyspf-dump" -d "$T/mnt/db" >"$T/full-before"
if "$BIN/greyspf-import" -q -d "$T/mnt/db" "$T/big" >"$T/full-out" 2>"$T/full-err"; then
	echo "import on a full disk succeeded"; exit 1
fi
"$BIN/greyspf-dump" -d "$T/mnt/db" >"$T/full-after"
EOS
t_ok "full disk: import fails cleanly" unshare -m sh "$T/full.sh"
t_grep "full disk: reason given" 'import failed, database unchanged' "$T/full-err"
t_same "full disk: database unchanged and readable" "$T/full-after" "$T/full-before"

# A file time no record can hold (tmpfs and btrfs store any time_t):
# reported and skipped, never an overflow.
cat >"$T/far.sh" <<EOS
set -e
mkdir -p "$T/far"
mount -t tmpfs tmpfs "$T/far"
mkdir -p "$T/far/198/51/100"
: >"$T/far/198/51/100/check_file"
touch -m -d @9300000000000 "$T/far/198/51/100/check_file"
"$BIN/greyspf-import" -n -d "$T/fardb" "$T/far"
EOS
t_ok "far-future file time: import runs" unshare -m sh "$T/far.sh"
t_grep "far-future file time reported" 'skipped: 198/51/100/check_file: timestamps out of range' "$T/.out"
