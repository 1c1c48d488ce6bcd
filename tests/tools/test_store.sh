#!/bin/sh
# test_store.sh - the LMDB environment's housekeeping: the map grows on
# MDB_MAP_FULL up to databaseMapSizeMax, and a reader slot left by a
# killed process is cleared when the next program opens the database,
# and by a running daemon within seconds.
. "$(dirname "$0")/lib.sh"
need mdb_stat mkfifo

# Growth: start at 1 MiB, allow 64; 20,000 entries need about 3 MiB.
# (A generated dump, not a tree of 20,000 files: the time goes to the
# store, not to making files.)
awk 'BEGIN { print "VERSION=1\nformat=greyspf-greylist\nHEADER=END"
    for (i = 0; i < 20000; i++)
	printf "triplet 10.%d.%d.1/32 sender%d@example.com rcpt@example.org 1795235937.000000 1795236237.000000 1795235937.000000 0 -\n",
	    int(i / 250), i % 250, i
    print "DATA=END" }' >"$T/dump"
printf 'databaseMapSize = 1\ndatabaseMapSizeMax = 64\n' >"$T/grow.conf"
t_ok "load past the initial map size" "$BIN/greyspf-load" \
    -c "$T/grow.conf" -d "$T/db" "$T/dump"
t_grep "map grown, not failed" 'database map grown from 1 to 2 MiB' "$T/.err"
t_grep "every entry in" ': 20000 entries: 20000 added' "$T/.out"
mdb_stat -e "$T/db" >"$T/env"
t_grep "map size now above 1 MiB" 'Map size: ([2-9][0-9]{6}|[0-9]{8,})' "$T/env"

# A stale reader: a greyspf killed with -9 holds its slot. (When the
# last process goes, LMDB resets the whole table itself; so a second
# greyspf stays alive meanwhile, as on a busy server.)
mkdir -p "$T/r"
chmod 1777 "$T/r"
printf 'database = %s/db\nuser = nobody\nconfigPath = %s\n' "$T/r" "$T/r" >"$T/r.conf"
printf 'CHECKERS=greylist\n' >"$T/r/__default__"
mkfifo "$T/in1" "$T/in2"
"$BIN/greyspf" -L -c "$T/r.conf" <"$T/in1" >"$T/r/out1" 2>/dev/null &
pid1=$!
"$BIN/greyspf" -L -c "$T/r.conf" <"$T/in2" >"$T/r/out2" 2>/dev/null &
pid2=$!
exec 3>"$T/in1" 4>"$T/in2"
printf 'client_address=192.0.2.1\nsender=a@x\nrecipient=b@y\n\n' >&3
printf 'client_address=192.0.2.2\nsender=a@x\nrecipient=b@y\n\n' >&4
# A reply proves the process has opened the database (and holds a slot).
i=0
until grep -q '^action=' "$T/r/out1" 2>/dev/null \
    && grep -q '^action=' "$T/r/out2" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 2000 ] || break; sleep 0.005
done
kill -9 "$pid1"
wait "$pid1" 2>/dev/null
mdb_stat -r "$T/r/db" >"$T/readers.before"
t_grep "killed process left its reader slot" "^ *$pid1 " "$T/readers.before"
t_ok "the next open clears it" "$BIN/greyspf-stat" -s -d "$T/r/db"
t_grep "the entries written before the kill are there" '^  Entries: 2$' "$T/.out"
mdb_stat -r "$T/r/db" >"$T/readers.after"
t_nogrep "slot cleared" "^ *$pid1 " "$T/readers.after"
t_grep "the live process keeps its slot" "^ *$pid2 " "$T/readers.after"
exec 3>&- 4>&-
wait "$pid2"
t_eq "the live process ends normally at end of input" "$?" 0

# The daemon clears such a slot itself: a loop process checks the
# readers when it syncs (once a second while it writes), not only at
# open.
"$BIN/greyspf" -L -c "$T/r.conf" -l "unix:$T/r/d.sock" 2>"$T/d.err" &
dpid=$!
wait_for 10 grep -q 'started .* loop processes' "$T/d.err"
mkfifo "$T/in3"
"$BIN/greyspf" -L -c "$T/r.conf" <"$T/in3" >"$T/r/out3" 2>/dev/null &
pid3=$!
exec 3>"$T/in3"
printf 'client_address=192.0.2.3\nsender=a@x\nrecipient=b@y\n\n' >&3
wait_for 10 grep -q '^action=' "$T/r/out3"
kill -9 "$pid3"
wait "$pid3" 2>/dev/null
exec 3>&-
mdb_stat -r "$T/r/db" >"$T/readers.d1"
t_grep "a killed process beside the daemon left its slot" "^ *$pid3 " \
    "$T/readers.d1"
# Requests that write (new triplets), until the slot is gone (at most
# 5 s: the check waits a second after the loop process opened).
i=0
while mdb_stat -r "$T/r/db" | grep -q "^ *$pid3 " && [ $i -lt 50 ]; do
	"$BUILD/tests/polclient" -a "unix:$T/r/d.sock" -c 1 -r 2 -t 100000 \
	    -o $((i * 2)) >/dev/null
	i=$((i + 1))
	sleep 0.1
done
mdb_stat -r "$T/r/db" >"$T/readers.d2"
t_nogrep "the daemon cleared it" "^ *$pid3 " "$T/readers.d2"
t_grep "and said so" "stale reader slot cleared" "$T/d.err"
kill "$dpid"
wait "$dpid"
t_eq "the daemon stops normally" "$?" 0
