#!/bin/sh
# run.sh - "make bench": the store's figures (issue targets in brackets).
#   import of a 100,000-entry tumgreyspf tree   [<= 3 s]
#   database size per 1,000,000 triplets        [<= 100 MB]
#   lookup p50/p99 at 1,000,000 and 10,000,000  [p50 <= 20 us, flat]
# BENCH_BIG=0 skips the 10,000,000-entry run (about 1 GB, a minute).
set -eu
BUILD=${BUILD:-build/bench}
BIN=$BUILD/bin
W=$(mktemp -d /tmp/greyspf-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

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
rm -rf "$W/a1"
if [ "${BENCH_BIG:-1}" != 0 ]; then
	echo "== 10,000,000 triplets, import order"
	"$BUILD/tests/bench_store" "$W/a10" 10000000 append 200000
	rm -rf "$W/a10"
	echo "== 10,000,000 triplets, live order"
	"$BUILD/tests/bench_store" "$W/r10" 10000000 random 200000
fi
