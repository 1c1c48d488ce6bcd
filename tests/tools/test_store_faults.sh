#!/bin/sh
# requires: root
# test_store_faults.sh - the store under faults: a map that cannot grow
# (its maximum at its current size) drives every retry path, and each
# of clean, import, load and a service write either completes after
# growth or fails cleanly, database unchanged, the real reason given;
# the writer lock is waited for within databaseLockWait; a database
# without greyspf's marker is refused (another program's) or given one
# (greyspf's own, made before the marker); a truncated data.mdb and a
# sparse lock.mdb on a full disk are reported, never a SIGBUS, and a
# database growing while it is opened is not taken for a truncated one.
. "$(dirname "$0")/lib.sh"
need mdb_dump mdb_load python3 unshare mount

NOW=1795235937
W=$T/w
mkdir -p "$W/config"
chmod 755 "$T" "$W"
printf 'CHECKERS = greylist\n' >"$W/config/__default__"
# dump_of N FIRST - a text dump of N triplets, numbered from FIRST
dump_of() {
	awk -v n="$1" -v f="$2" -v t="$NOW" 'BEGIN {
	    print "VERSION=1\nformat=greyspf-greylist\nHEADER=END"
	    for (i = f; i < f + n; i++)
		printf "triplet 10.%d.%d.%d/32 s%d@example.com r@example.org %d.000000 %d.000000 %d.000000 0 -\n",
		    int(i / 65536) % 256, int(i / 256) % 256, i % 256, i, t - 86400 * 30, t - 86400 * 30 + 300, t - 86400 * 30
	    print "DATA=END" }'
}
conf() {	# conf NAME INITIAL_MIB MAX_MIB
	printf 'databaseMapSize = %s\ndatabaseMapSizeMax = %s\nconfigPath = %s/config\nuser = nobody\n' \
	    "$2" "$3" "$W" >"$W/$1.conf"
}

# A map that cannot grow: 1 MiB at most. Fill it to the last entry:
# loads of 200, then 20, then 1 entry, each until one fails.
conf tight 1 1
conf roomy 1 64
n=0
for step in 200 20 1; do
	while dump_of $step $n >"$W/part" &&
	    "$BIN/greyspf-load" -c "$W/tight.conf" -d "$W/db" "$W/part" \
	    >/dev/null 2>"$W/fill.err"; do
		n=$((n + step))
		[ $n -lt 100000 ] || break
	done
done
t_grep "filling: a load meets the full map, reason given" \
    'load failed, database unchanged: database full: .*the map reached its limit, databaseMapSizeMax \(1 MiB\)' \
    "$W/fill.err"
"$BIN/greyspf-dump" -d "$W/db" >"$W/before"
t_eq "the full database is whole" "$(grep -c '^triplet' "$W/before")" "$n"

# Every writer, with no room to grow: fails cleanly, nothing changed.
dump_of 5000 100000 >"$W/more"
t_rc "load, map full: exit 1" 1 "$BIN/greyspf-load" -c "$W/tight.conf" -d "$W/db" "$W/more"
t_grep "load, map full: the reason" 'database full: .*databaseMapSizeMax \(1 MiB\)' "$T/.err"
"$BUILD/tests/gentree" "$W/tree" 5000 11
t_rc "import, map full: exit 1" 1 "$BIN/greyspf-import" -q -c "$W/tight.conf" -d "$W/db" "$W/tree"
t_grep "import, map full: the reason" 'import failed, database unchanged: database full' "$T/.err"
t_rc "clean, map full: exit 1" 1 faketime "@$NOW" "$BIN/greyspf-clean" -b 100000 -c "$W/tight.conf" -d "$W/db"
t_grep "clean, map full: the reason, not an invalid code" 'delete failed .*: database full: .*databaseMapSizeMax' "$T/.err"
printf 'database = %s/db\n' "$W" >>"$W/tight.conf"
chown -R nobody "$W/db"
printf 'client_address=192.0.2.77\nsender=new@example.com\nrecipient=r@example.org\n\n' >"$W/req"
t_ok "service, map full: answers" sh -c "'$BUILD/tests/sockdrive' '$BIN/greyspf' -L -c '$W/tight.conf' <'$W/req'"
t_eq "service, map full: storeErrorAction" "$(head -1 "$T/.out")" \
    'action=defer_if_permit Service temporarily unavailable, greylist database error.'
t_grep "service, map full: the reason logged" 'greylist database: database full: .*databaseMapSizeMax' "$T/.err"
"$BIN/greyspf-dump" -d "$W/db" >"$W/after"
t_same "map full: every failed writer left the database as it was" "$W/after" "$W/before"

# The same with room to grow: the retry paths complete. The clean's
# deletes need pages the full map does not have: grown, done again.
cp -a "$W/db" "$W/db2"
t_ok "clean, room to grow: completes" faketime "@$NOW" "$BIN/greyspf-clean" -b 100000 -c "$W/roomy.conf" -d "$W/db"
t_grep "clean, room to grow: every expired entry dropped" "^kept=0 dropped=$n\$" "$T/.out"
t_grep "clean, room to grow: the map grew, the batch ran again" 'database map grown from 1 to 2 MiB' "$T/.err"
t_ok "load, room to grow: completes" "$BIN/greyspf-load" -c "$W/roomy.conf" -d "$W/db2" "$W/more"
t_grep "load, room to grow: the map grew" 'database map grown from 1 to 2 MiB' "$T/.err"
"$BIN/greyspf-dump" -d "$W/db2" >"$W/grown"
t_eq "load, room to grow: every entry in" "$(grep -c '^triplet' "$W/grown")" $((n + 5000))

# The writer lock: held by another process, a write waits at most
# databaseLockWait and gets storeErrorAction.
conf lock 16 64
printf 'database = %s/db\ndatabaseLockWait = 1\n' "$W" >>"$W/lock.conf"
mkfifo "$W/hold"
python3 -c '
import fcntl, sys
f = open(sys.argv[1] + "/greyspf.lock", "r+")
fcntl.lockf(f, fcntl.LOCK_EX, 1, 0)
print("locked", flush=True)
sys.stdin.read()
' "$W/db" <"$W/hold" >"$W/locker" &
locker=$!
exec 5>"$W/hold"
wait_for 10 grep -q locked "$W/locker"
printf 'client_address=192.0.2.78\nsender=lock@example.com\nrecipient=r@example.org\n\n' >"$W/req"
t_ok "lock held elsewhere: the service answers" sh -c "'$BUILD/tests/sockdrive' '$BIN/greyspf' -L -c '$W/lock.conf' <'$W/req'"
t_eq "lock held elsewhere: storeErrorAction" "$(head -1 "$T/.out")" \
    'action=defer_if_permit Service temporarily unavailable, greylist database error.'
t_grep "lock held elsewhere: database busy logged" 'database busy: .*no write lock after 1000 ms' "$T/.err"
# Three requests of one session in the same outage: three answers, one
# log line for the outage, and at the end what it cost.
for i in 1 2 3; do
	printf 'client_address=192.0.2.8%d\nsender=lock@example.com\nrecipient=r@example.org\n\n' $i
done >"$W/req3"
t_ok "lock held, three requests: answered" sh -c "'$BUILD/tests/sockdrive' '$BIN/greyspf' -L -c '$W/lock.conf' <'$W/req3'"
t_eq "lock held, three requests: three storeErrorAction replies" \
    "$(grep -c '^action=defer_if_permit Service temporarily unavailable, greylist database error\.$' "$T/.out")" 3
t_eq "lock held, three requests: one line for the outage" \
    "$(grep -c 'database busy' "$T/.err")" 1
t_grep "lock held, three requests: its cost told at the end" \
    'still failing at the end of the session; 3 requests were answered storeErrorAction' "$T/.err"
t_rc "lock held elsewhere: a tool fails" 1 "$BIN/greyspf-load" -c "$W/lock.conf" "$W/part"
t_grep "lock held elsewhere: the tool says busy" 'database busy' "$T/.err"
exec 5>&-
wait "$locker"
t_ok "lock released: the service writes" sh -c "'$BUILD/tests/sockdrive' '$BIN/greyspf' -L -c '$W/lock.conf' <'$W/req'"
t_grep "lock released: greylisted" '^action=defer_if_permit Service unavailable, greylisted' "$T/.out"

# Root runs a tool on the service's database: the files it makes there
# are the directory owner's, so the service can still open them.
mkdir "$W/owned"
chown nobody "$W/owned"
dump_of 10 0 | setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$BIN/greyspf-load" -d "$W/owned" >/dev/null
rm -f "$W/owned/greyspf.lock" "$W/owned/lock.mdb"
t_ok "root cleans the service's database" "$BIN/greyspf-clean" -n -d "$W/owned"
t_ok "root writes in it" "$BIN/greyspf-clean" -d "$W/owned"
t_eq "greyspf.lock made by root belongs to the directory's owner" \
    "$(stat -c %U "$W/owned/greyspf.lock")" nobody
t_eq "lock.mdb made by root belongs to the directory's owner" \
    "$(stat -c %U "$W/owned/lock.mdb")" nobody
mkdir "$W/owned2"
chown nobody "$W/owned2"
t_ok "root makes a new database in the service's directory" \
    "$BIN/greyspf-load" -d "$W/owned2" "$W/part"
t_eq "its data.mdb belongs to the directory's owner" \
    "$(stat -c %U "$W/owned2/data.mdb")" nobody
t_ok "the service's user then writes it" setpriv --reuid=nobody \
    --regid=nogroup --clear-groups "$BIN/greyspf-load" -d "$W/owned2" "$W/more"

# The marker. Another program's LMDB (plain records): refused by every
# program, its records untouched.
mkdir "$W/foreign" "$W/old" "$W/newer"
printf 'VERSION=3\nformat=print\ntype=btree\nHEADER=END\n foo\n bar\n baz\n qux\nDATA=END\n' |
    mdb_load "$W/foreign"
mdb_dump -p "$W/foreign" | sed '1,/^HEADER=END$/d' >"$W/foreign.before"
t_rc "foreign database: clean refuses" 1 "$BIN/greyspf-clean" -d "$W/foreign"
t_grep "foreign database: says why" 'not a greyspf database: .*no greyspf marker' "$T/.err"
t_rc "foreign database: stat refuses" 1 "$BIN/greyspf-stat" -d "$W/foreign"
t_rc "foreign database: load refuses" 1 "$BIN/greyspf-load" -d "$W/foreign" "$W/part"
mdb_dump -p "$W/foreign" | sed '1,/^HEADER=END$/d' >"$W/foreign.after"
t_same "foreign database: untouched" "$W/foreign.after" "$W/foreign.before"
# greyspf's own, made before the marker: read as it is, given a marker
# when opened for writing.
mdb_dump -p "$W/db" | grep -v '^ \\00greyspf$' | grep -v '^ greyspf-greylist 1$' >"$W/old.txt"
mdb_load "$W/old" <"$W/old.txt" 2>/dev/null
t_nogrep "a database without the marker" 'greyspf-greylist' "$W/old.txt"
t_ok "no marker, greylist entries: stat reads it" "$BIN/greyspf-stat" -s -d "$W/old"
t_ok "no marker, greylist entries: clean -n reads it" "$BIN/greyspf-clean" -n -d "$W/old"
t_ok "no marker, greylist entries: clean writes" "$BIN/greyspf-clean" -d "$W/old"
mdb_dump -p "$W/old" >"$W/old.after"
t_grep "the marker added" '^ greyspf-greylist 1$' "$W/old.after"
# A later format is refused.
mdb_dump -p "$W/db" | sed 's/^ greyspf-greylist 1$/ greyspf-greylist 2/' |
    mdb_load "$W/newer" 2>/dev/null
t_rc "a later format: refused" 1 "$BIN/greyspf-stat" -d "$W/newer"
t_grep "a later format: says so" 'made by a later greyspf .*format 2, this greyspf reads format 1' "$T/.err"

# A truncated data.mdb, far shorter than its meta page says: reported
# when it is opened.
dump_of 30000 0 | "$BIN/greyspf-load" -d "$W/trunc" >/dev/null
truncate -s 8192 "$W/trunc/data.mdb"
for p in greyspf-dump greyspf-stat; do
	t_rc "truncated data.mdb: $p exits 1" 1 "$BIN/$p" -d "$W/trunc"
	t_grep "truncated data.mdb: $p says why" 'database damaged: .*data.mdb has 8192 bytes, .*truncated' "$T/.err"
done
t_rc "truncated data.mdb: clean -n exits 1" 1 "$BIN/greyspf-clean" -n -d "$W/trunc"
# ... but a healthy database that grows while it is opened is not: the
# size check takes the meta page first and the size after (a writer
# extends the file before its meta page counts the pages). strace holds
# the opener just after its fstat of data.mdb (its only one) while a
# load commits 10,000 entries; taken in the other order, the size was
# the old one and the meta page the new (under load, a spawned greyspf
# in a 100-process run answered storeErrorAction so).
need strace
dump_of 10 0 | "$BIN/greyspf-load" -d "$W/grow" >/dev/null
dump_of 10000 100 >"$W/grow.dump"
ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f --seccomp-bpf \
    -o /dev/null -P "$W/grow/data.mdb" -e trace=newfstatat,fstat \
    -e inject=newfstatat,fstat:delay_exit=4000000 \
    "$BIN/greyspf-stat" -d "$W/grow" >"$W/grow.out" 2>"$W/grow.err" &
GS=$!
held() {	# the opener stopped by strace, in its delayed fstat
	_p=$(pgrep -P "$GS") && grep -q 'tracing stop' "/proc/$_p/status"
}
t_ok "growing while opened: the opener held after its fstat" wait_for 20 held
t_ok "growing while opened: a load commits meanwhile" \
    "$BIN/greyspf-load" -d "$W/grow" "$W/grow.dump"
wait "$GS"
t_eq "growing while opened: the opener goes on (exit 0)" "$?" 0
t_nogrep "growing while opened: not reported damaged" 'damaged|truncated' \
    "$W/grow.err"
chown -R nobody "$W/trunc"
conf trunc 16 64
printf 'database = %s/trunc\n' "$W" >>"$W/trunc.conf"
t_ok "truncated data.mdb: the service answers" sh -c "'$BUILD/tests/sockdrive' '$BIN/greyspf' -L -c '$W/trunc.conf' <'$W/req'"
t_eq "truncated data.mdb: storeErrorAction" "$(head -1 "$T/.out")" \
    'action=defer_if_permit Service temporarily unavailable, greylist database error.'
t_grep "truncated data.mdb: the reason logged" 'greylist database: database damaged: .*truncated' "$T/.err"
# Cut by less than the check can see: the page it needs is missing,
# and the memory fault is caught (lib/fault.c), never a silent death.
dump_of 3000 0 | "$BIN/greyspf-load" -d "$W/cut" >/dev/null
truncate -s 8192 "$W/cut/data.mdb"
for p in greyspf-dump greyspf-stat; do
	t_rc "cut data.mdb: $p exits 1" 1 "$BIN/$p" -d "$W/cut"
	t_grep "cut data.mdb: $p says the database is damaged" "^$p: database damaged" "$T/.err"
done
chown -R nobody "$W/cut"
sed "s|/trunc\$|/cut|" "$W/trunc.conf" >"$W/cut.conf"
t_rc "cut data.mdb: the service ends with a failure" 1 sh -c "'$BUILD/tests/sockdrive' '$BIN/greyspf' -L -c '$W/cut.conf' <'$W/req'"
t_eq "cut data.mdb: but answers first: storeErrorAction" "$(head -1 "$T/.out")" \
    'action=defer_if_permit Service temporarily unavailable, greylist database error.'
t_grep "cut data.mdb: the reason logged" 'a fault inside it \(a truncated or corrupted file\?\)' "$T/.err"

# Bytes flipped inside the pages (LMDB has no checksums): a tool that
# meets the damage says so and exits 1, never dies of a signal.
dump_of 3000 0 | "$BIN/greyspf-load" -d "$W/flipbase" >/dev/null
for seed in 1 3 4 5; do
	rm -rf "$W/flip"
	cp -a "$W/flipbase" "$W/flip"
	python3 -c '
import random, sys
r = random.Random(int(sys.argv[2]))
b = bytearray(open(sys.argv[1], "rb").read())
for _ in range(200):
    i = r.randrange(8192, len(b))	# past the two meta pages
    b[i] ^= 1 << r.randrange(8)
open(sys.argv[1], "wb").write(b)' "$W/flip/data.mdb" $seed
	for p in greyspf-clean greyspf-stat greyspf-dump; do
		"$BIN/$p" -d "$W/flip" >/dev/null 2>"$W/flip.err"
		rc=$?
		t_ok "flipped bytes ($seed): $p exits 0 or 1, not of a signal" test $rc -le 1
		[ $rc -eq 0 ] || t_grep "flipped bytes ($seed): $p says why" \
		    '^greyspf-[a-z]*: (.*database damaged|not a greyspf database)' "$W/flip.err"
	done
done

# A sparse lock.mdb (a database created on a full disk): its blocks are
# allocated when there is room, and reported when there is none.
mkdir "$W/sparse"
dump_of 10 0 | "$BIN/greyspf-load" -d "$W/sparse" >/dev/null
rm "$W/sparse/lock.mdb"
truncate -s 32896 "$W/sparse/lock.mdb"
t_ok "sparse lock.mdb: stat works" "$BIN/greyspf-stat" -s -d "$W/sparse"
t_ok "sparse lock.mdb: its blocks allocated" \
    test "$(($(stat -c '%b * %B' "$W/sparse/lock.mdb")))" -ge 32896
cat >"$W/full.sh" <<EOS
set -e
mkdir -p "$W/mnt"
mount -t tmpfs -o size=1m tmpfs "$W/mnt"
chmod 777 "$W/mnt"
dd if=/dev/zero of="$W/mnt/filler" bs=4k 2>/dev/null || true
printf 'database = %s/mnt/newdb\n' "$W" >>"$W/full.conf"
mkdir "$W/mnt/newdb" 2>/dev/null || { rm "$W/mnt/filler"; mkdir "$W/mnt/newdb"; dd if=/dev/zero of="$W/mnt/filler" bs=4k 2>/dev/null || true; }
chown nobody "$W/mnt/newdb"
# Twice: a failed creation must not leave a lock.mdb that kills later starts.
for n in 1 2; do
	"$BUILD/tests/sockdrive" "$BIN/greyspf" -L -c "$W/full.conf" <"$W/req" >"$W/full.out.\$n" 2>"$W/full.err.\$n"
	echo "rc \$?" >>"$W/full.out.\$n"
done
"$BIN/greyspf-stat" -d "$W/mnt/newdb" >/dev/null 2>"$W/full.stat" && exit 1
exit 0
EOS
conf full 16 64
t_ok "new database on a full disk: run" unshare -m sh "$W/full.sh"
for n in 1 2; do
	t_eq "full disk, start $n: storeErrorAction, not a SIGBUS" "$(head -1 "$W/full.out.$n")" \
	    'action=defer_if_permit Service temporarily unavailable, greylist database error.'
	t_grep "full disk, start $n: exit 0" '^rc 0$' "$W/full.out.$n"
done
t_grep "full disk: the reason logged" 'greylist database: database full' "$W/full.err.1"
t_nogrep "full disk: the tool failed with a message, not a signal" 'Bus error|SIGBUS|AddressSanitizer' "$W/full.stat"
