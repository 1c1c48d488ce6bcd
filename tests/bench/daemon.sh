#!/bin/sh
# daemon.sh - "make bench": greyspf's daemon beside postgrey's and a
# trivial responder (tests/bench/floor.c, "action=dunno", the floor), on
# unix sockets, the same generated workload (tests/tools/polclient.c:
# Postfix's attributes, 2,000 triplets asked again and again, greylisting
# only, greyspf's per-entity files checked at every request: one stat()
# each, lib/entity.c), at 1, 4 and 100 connections: requests/s, p50/p99
# latency, CPU per request (the server's processes, /proc). Three runs
# each, medians. Then greyspf's RSS after 10,000 and after 1,000,000
# requests on long-lived connections.
# Targets: greyspf >= half the floor at 1 and 4 connections, >= 20 times
# postgrey, p99 <= 200 us on one connection; RSS flat.
set -eu
BUILD=${BUILD:-build/bench}
BIN=$BUILD/bin
PC=$BUILD/tests/polclient
W=$(mktemp -d /tmp/greyspf-bench-d.XXXXXX)
SRV=
trap 'kill $SRV 2>/dev/null || :; rm -rf "$W"' EXIT
chmod 1777 "$W"
mkdir -p "$W/config" "$W/pg"
chown postgrey:postgrey "$W/pg"
printf 'CHECKERS = greylist\nGREYLISTTIME = 300\n' >"$W/config/__default__"
chmod -R a+rX "$W/config"
printf 'configPath = %s/config\ndatabase = %s/gdb\nuser = nobody\n' "$W" "$W" \
    >"$W/g.conf"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# ticks PID... - CPU clock ticks of these processes and their children
ticks() {
	t=0
	for p in "$@" $(for q in "$@"; do pgrep -P "$q"; done); do
		[ -r "/proc/$p/stat" ] || continue
		t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
	done
	echo $t
}
rss_kb() {
	t=0
	for p in "$@" $(for q in "$@"; do pgrep -P "$q"; done); do
		t=$((t + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
	done
	echo $t
}
ready() {
	i=0
	until "$PC" -a "unix:$1" -c 1 -r 1 -o 99999 >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 500 ] || { echo "$2 did not start"; exit 1; }
		sleep 0.01
	done
}
# run NAME SOCKET CONNS REQUESTS - three runs, medians, one line
run() {
	hz=$(getconf CLK_TCK)
	for i in 1 2 3; do
		c0=$(ticks $SRV)
		"$PC" -a "unix:$2" -c "$3" -r "$4" -t 2000 -o $((i * 7)) >"$W/out"
		c1=$(ticks $SRV)
		n=$(sed -n 's/^replies //p' "$W/out")
		echo "$(sed -n 's/^rps //p' "$W/out") $(sed -n 's/^p50_us //p' "$W/out") $(sed -n 's/^p99_us //p' "$W/out") $(( (c1 - c0) * 1000000 / hz / n ))"
	done >"$W/runs"
	printf '%-8s conns=%-3s req/s=%-7s p50_us=%-5s p99_us=%-6s cpu_us_per_req=%s\n' \
	    "$1" "$3" "$(cut -d' ' -f1 "$W/runs" | median)" \
	    "$(cut -d' ' -f2 "$W/runs" | median)" \
	    "$(cut -d' ' -f3 "$W/runs" | median)" \
	    "$(cut -d' ' -f4 "$W/runs" | median)"
}
# series NAME SOCKET
series() {
	run "$1" "$2" 1 20000
	run "$1" "$2" 4 10000
	run "$1" "$2" 100 500
}

echo "== daemons, greylisting only, unix sockets (medians of 3 runs)"
"$BUILD/tests/floor" "$W/floor.sock" &
SRV=$!
ready "$W/floor.sock" floor
series floor "$W/floor.sock" | tee "$W/floor"
kill $SRV; wait $SRV 2>/dev/null || :

# Its log line a request goes to /dev/null (-L): one write, as one
# sendto to syslog; without /dev/log (containers) syslog(3) would try to
# connect at every line, four system calls more.
"$BIN/greyspf" -L -c "$W/g.conf" -l "unix:$W/g.sock" 2>/dev/null &
SRV=$!
ready "$W/g.sock" greyspf
series greyspf "$W/g.sock" | tee "$W/greyspf"
"$PC" -a "unix:$W/g.sock" -c 100 -r 100 -t 2000 >/dev/null
r1=$(rss_kb $SRV)
"$PC" -a "unix:$W/g.sock" -c 100 -r 10000 -t 2000 >"$W/big"
r2=$(rss_kb $SRV)
echo "greyspf RSS (supervisor and loop processes): $r1 kB after 10,000 requests, $r2 kB after 1,000,000 more ($(sed -n 's/^rps //p' "$W/big") req/s)"
kill $SRV; wait $SRV 2>/dev/null || :

postgrey --unix="$W/pg.sock" --dbdir="$W/pg" --delay=300 >"$W/pg.log" 2>&1 &
SRV=$!
ready "$W/pg.sock" postgrey
run postgrey "$W/pg.sock" 1 2000 | tee "$W/postgrey"
run postgrey "$W/pg.sock" 4 500 | tee -a "$W/postgrey"
run postgrey "$W/pg.sock" 100 20 | tee -a "$W/postgrey"
kill $SRV; wait $SRV 2>/dev/null || :
SRV=

rate() { awk -v c="conns=$2" '$2 == c { sub("req/s=", "", $3); print $3 }' "$W/$1"; }
for c in 1 4 100; do
	g=$(rate greyspf $c); f=$(rate floor $c); p=$(rate postgrey $c)
	echo "summary: $c connections: greyspf $g req/s = $(echo "scale=2; $g / $f" | bc) of the floor ($f), $(echo "scale=1; $g / $p" | bc) times postgrey ($p)"
done
