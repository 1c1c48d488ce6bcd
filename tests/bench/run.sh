#!/bin/sh
# run.sh - "make bench" (targets in brackets).
#   spawn mode beside postgrey, same workload:
#     start to first answer                     [p50 <= 1 ms]
#     requests/s, 100 requests a connection     [>= 25,000]
#   import of a 100,000-entry tumgreyspf tree   [<= 3 s]
#   database size per 1,000,000 triplets        [<= 100 MB]
#   lookup p50/p99 at 1,000,000 and 10,000,000  [p50 <= 20 us, flat]
# BENCH_BIG=0 skips the 10,000,000-entry runs (about 1 GB, minutes).
# greyspf runs as nobody, as Postfix's spawn runs it (user=): as root it
# would resolve its user at every start.
set -eu
BUILD=${BUILD:-build/bench}
BIN=$BUILD/bin
W=$(mktemp -d /tmp/greyspf-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
asnobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
field() { tr ' ' '\n' | sed -n "s/^$1=//p"; }

echo "== spawn mode: greyspf (a process per connection) and postgrey (daemon)"
chmod 1777 "$W"
mkdir -p "$W/config"
printf 'CHECKERS = greylist\nGREYLISTTIME = 300\nOTHERCONFIGS = client_address,envelope_sender,envelope_recipient\n' \
    >"$W/config/__default__"
chmod -R a+rX "$W/config"
printf 'configPath = %s/config\ndatabase = %s/gdb\nuser = nobody\n' "$W" "$W" \
    >"$W/g.conf"
BP=$BUILD/tests/bench_policy
GS="$BIN/greyspf -c $W/g.conf"
asnobody $BP -n 50 -r 10 -o 90000000 spawn $GS >/dev/null	# warm up
for i in 1 2 3; do
	asnobody $BP -n 1000 -r 1 -o $((80000000 + i * 10000)) spawn $GS
done | tee "$W/g1runs"
asnobody $BP -n 200 -r 100 -o 1000000 spawn $GS | tee "$W/g100"
asnobody $BP -j 2 -n 200 -r 100 -o 2000000 spawn $GS | tee "$W/g100j2"
mkdir -p "$W/pg"
chown postgrey:postgrey "$W/pg"
if $BP -n 1 -r 1 tcp 127.0.0.1 10023 >/dev/null 2>&1; then
	echo "something already listens on 127.0.0.1:10023: stop it first"
	exit 1
fi
s=$(date +%s.%N)
postgrey --inet=127.0.0.1:10023 --dbdir="$W/pg" --delay=300 \
    >"$W/pg.log" 2>&1 &
pgpid=$!
trap 'kill $pgpid 2>/dev/null || :; rm -rf "$W"' EXIT
i=0
until $BP -n 1 -r 1 -o 99000000 tcp 127.0.0.1 10023 >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 1000 ] || { echo "postgrey did not start"; exit 1; }
	sleep 0.005
done
e=$(date +%s.%N)
pgstart=$(echo "($e - $s) * 1000" | bc)
echo "postgrey daemon start to first answer: $pgstart ms"
$BP -n 200 -r 100 -o 1000000 tcp 127.0.0.1 10023 | tee "$W/p100"
$BP -j 2 -n 200 -r 100 -o 2000000 tcp 127.0.0.1 10023 | tee "$W/p100j2"
kill $pgpid
wait $pgpid 2>/dev/null || true
g1=$(field first_answer_p50_ms <"$W/g1runs" | median)
g=$(field req_per_s <"$W/g100"); gj=$(field req_per_s <"$W/g100j2")
p=$(field req_per_s <"$W/p100"); pj=$(field req_per_s <"$W/p100j2")
echo "summary: greyspf start to first answer p50 ${g1} ms (median of 3 runs of 1000 spawns) (postgrey daemon start ${pgstart} ms; tumgreyspf 336 ms)"
echo "summary: 100 requests a connection: greyspf $g req/s, postgrey $p req/s (x$(echo "scale=1; $g / $p" | bc)); two clients: greyspf $gj, postgrey $pj (x$(echo "scale=1; $gj / $pj" | bc))"
echo "summary: greyspf CPU per request $(field child_cpu_us_per_req <"$W/g100") us"

if [ -r /etc/postgrey/whitelist_clients ]; then
	echo "== whitelist file: Debian's postgrey whitelist_clients, in microseconds [load <= 100]"
	"$BUILD/tests/bench_whitelist" /etc/postgrey/whitelist_clients
fi

echo "== import of a 100,000-entry tumgreyspf tree (5 runs, warm cache)"
"$BUILD/tests/gentree" "$W/tree" 100000 42
for i in 1 2 3 4 5; do
	rm -rf "$W/db"
	s=$(date +%s.%N)
	"$BIN/greyspf-import" -q -d "$W/db" "$W/tree" >/dev/null
	e=$(date +%s.%N)
	echo "$e - $s" | bc
done >"$W/times"
echo "import_100k_s: median $(median <"$W/times") (runs: $(tr '\n' ' ' <"$W/times"))"
if [ -w /proc/sys/vm/drop_caches ]; then
	rm -rf "$W/db"
	sync
	echo 3 >/proc/sys/vm/drop_caches
	s=$(date +%s.%N)
	"$BIN/greyspf-import" -q -d "$W/db" "$W/tree" >/dev/null
	e=$(date +%s.%N)
	echo "import_100k_s cold cache: $(echo "$e - $s" | bc)"
fi
echo "legacy tree: $(du -sm "$W/tree" | cut -f1) MiB on disk, $(find "$W/tree" | wc -l) inodes; greyspf: $(du -sm "$W/db" | cut -f1) MiB"
rm -rf "$W/tree" "$W/db"

echo "== 1,000,000 triplets, live order (random, 1000 per transaction)"
"$BUILD/tests/bench_store" "$W/r1" 1000000 random 200000
rm -rf "$W/r1"
echo "== 1,000,000 triplets, import order (sorted, MDB_APPEND)"
"$BUILD/tests/bench_store" "$W/a1" 1000000 append 200000
echo "== greyspf-clean -n and greyspf-stat -s over 1,000,000 entries, with a per-entity tree"
mkdir -p "$W/cc/envelope_recipient/example.org"
printf 'OTHERCONFIGS = client_address,envelope_sender,envelope_recipient\nGREYLISTEXPIREDAYS = 10\n' \
    >"$W/cc/__default__"
echo "GREYLISTEXPIREDAYS = 1" >"$W/cc/envelope_recipient/example.org/__default__"
printf 'configPath = %s/cc\n' "$W" >"$W/cc.conf"
for t in clean stat; do
	a=-n; [ $t = stat ] && a=-s
	s=$(date +%s.%N)
	"$BIN/greyspf-$t" $a -c "$W/cc.conf" -d "$W/a1" >/dev/null
	e=$(date +%s.%N)
	echo "greyspf-$t over 1,000,000 entries: $(echo "$e - $s" | bc) s"
done
rm -rf "$W/a1"
if [ "${BENCH_BIG:-1}" != 0 ]; then
	echo "== 10,000,000 triplets, import order"
	"$BUILD/tests/bench_store" "$W/a10" 10000000 append 200000
	rm -rf "$W/a10"
	echo "== 10,000,000 triplets, live order"
	"$BUILD/tests/bench_store" "$W/r10" 10000000 random 200000
fi
