#!/bin/sh
# requires: root
# test_writer_lock.sh - issue 11 F1: greyspf processes hung for ever on
# LMDB's writer mutex after peers were killed (glibc's robust mutexes
# lose a wake-up when a woken waiter dies and a third process takes the
# free lock first). greyspf now takes a lock of its own (greyspf.lock, a
# record lock the kernel hands on when its holder dies) before LMDB's,
# so LMDB's writer mutex is never waited on by greyspf processes: a
# sampler of the mutex word in lock.mdb must never see a waiter (before
# the fix, 5-10% of its samples did), and under random SIGKILLs every
# surviving process ends within a bound, every answered entry stored.
. "$(dirname "$0")/lib.sh"
need python3 timeout awk

W=$T/w
mkdir -p "$W/config"
chmod 1777 "$W"
printf 'CHECKERS = greylist\n' >"$W/config/__default__"
chmod -R a+rX "$W/config"
# A 1 MiB map that grows: growth adds hand-offs of the writer lock. A
# lock wait of 2 minutes: 24 processes' serialized writes on two loaded
# cores under ASan take their time; the hang this tests is for ever.
printf 'configPath = %s/config\ndatabase = %s/db\nuser = nobody\ndatabaseMapSize = 1\ndatabaseLockWait = 120\n' \
    "$W" "$W" >"$W/g.conf"
N=24
for p in $(seq 1 $N); do
	awk -v p="$p" 'BEGIN { for (i = 0; i < 1500; i++)
	    printf "client_address=10.%d.%d.%d\nsender=s%d@example.com\nrecipient=r%d@example.org\n\n",
	    p, int(i / 256), i % 256, i, p }' >"$W/in.$p"
done
# The writer mutex's futex word: lock.mdb offset 64 (LMDB 0.9's
# MDB_txninfo: the first 64-byte line holds the reader mutex, the
# second the writer's); bit 31 is FUTEX_WAITERS.
cat >"$W/sample.py" <<'EOP'
import mmap, os, struct, sys, time
path, stop = sys.argv[1], sys.argv[2]
while not os.path.exists(path):
    if os.path.exists(stop):    # no database made: nothing sampled
        print(0, 0, 0)
        sys.exit(0)
    time.sleep(0.001)
f = open(path, "rb")
m = mmap.mmap(f.fileno(), 4096, mmap.MAP_SHARED, mmap.PROT_READ)
n = waiters = held = 0
while not os.path.exists(stop):
    w = struct.unpack_from("<I", m, 64)[0]
    n += 1
    if w & 0x80000000:
        waiters += 1
    if w & 0x3fffffff:
        held += 1
print(n, held, waiters)
EOP
# none_alive PID... - true when none of the processes is running
none_alive() {
	for _p in "$@"; do
		kill -0 "$_p" 2>/dev/null && return 1
	done
	return 0
}
waiters=0 samples=0 held=0 hung=0 killed=0
for round in 1 2 3; do
	rm -rf "$W/db" "$W/stop"
	python3 "$W/sample.py" "$W/db/lock.mdb" "$W/stop" >"$W/sample.$round" &
	sampler=$!
	pids=
	for p in $(seq 1 $N); do
		"$BIN/greyspf" -L -c "$W/g.conf" <"$W/in.$p" >"$W/out.$p" \
		    2>/dev/null &
		pids="$pids $!"
	done
	# Half of them SIGKILLed at random moments in the first second.
	killers=
	for pid in $pids; do
		[ $(($(od -An -N1 -tu1 /dev/urandom) % 2)) = 0 ] || continue
		(sleep 0.$(($(od -An -N1 -tu1 /dev/urandom) % 10))
		    kill -9 "$pid" 2>/dev/null) &
		killers="$killers $!"
	done
	# A survivor still running after five minutes is hung (in
	# futex_wait, before the fix, for ever): counted, then killed.
	# shellcheck disable=SC2086
	wait_for 300 none_alive $pids
	for pid in $pids; do
		if kill -0 "$pid" 2>/dev/null; then
			hung=$((hung + 1))
			kill -9 "$pid"
		fi
	done
	# shellcheck disable=SC2086
	wait $pids $killers
	: >"$W/stop"
	wait $sampler
	read s h w <"$W/sample.$round"
	samples=$((samples + s)); held=$((held + h)); waiters=$((waiters + w))
	for p in $(seq 1 $N); do
		echo "$p $(grep -c '^action=' "$W/out.$p")"
	done >"$W/answered.$round"
	killed=$((killed + $(awk '$2 < 1500' "$W/answered.$round" | wc -l)))
	"$BIN/greyspf-dump" -d "$W/db" >"$W/dump.$round"
	awk 'NR == FNR { want[$1] = $2; next }
	    $1 == "triplet" { split($4, r, "[r@]"); q = r[2] + 0;
		s = $3; sub(/^s/, "", s); sub(/@.*/, "", s);
		if (s + 0 < want[q]) have[q]++ }
	    END { for (p in want) if (have[p] + 0 < want[p]) print "round '"$round"' process " p ": " want[p] " answered, " have[p] + 0 " stored" }' \
	    "$W/answered.$round" "$W/dump.$round" >>"$W/missing"
done
t_ok "some processes were killed mid-stream" test "$killed" -gt 0
t_eq "every survivor ended within five minutes" "$hung" 0
t_ok "the sampler saw the writer mutex held" test "$held" -gt 0
t_eq "LMDB's writer mutex never had a waiter ($samples samples)" "$waiters" 0
t_eq "every answered request's entry was committed" "$(cat "$W/missing")" ""
