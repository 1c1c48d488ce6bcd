#!/bin/sh
# redis.sh - "make bench", the shared greylist (issue 13), one workload
# (bench_policy: 100 requests a connection, half new triplets, half
# repeats) side by side:
#   greyspf spawn on LMDB, greyspf spawn on Redis (a unix socket and
#   loopback TCP), and sqlgrey (Debian's, on its default PostgreSQL, a
#   cluster the bench makes and removes) over TCP
#   [Redis >= 10 x sqlgrey's requests/s, >= 1/3 of LMDB's]
# and for each: CPU per request (greyspf's processes; Redis's,
# sqlgrey's and PostgreSQL's servers) and, for Redis, round trips per
# request (INFO commandstats: the commands, each a round trip but the
# connection's pipelined AUTH/SELECT/SCRIPT LOAD).
# Then greyspf's daemon on LMDB and on Redis (the unix socket), at 1 and
# 4 connections (tests/tools/polclient.c, each run on a database of its
# own: 1 connection, 20,000 requests over 10,000 triplets, each new then
# asked again; 4 connections, 4 x 5,000 over the first 5,021 of them, a
# quarter new, the same triplet often from two connections at once):
# requests/s, p50/p99, CPU per request (the daemon's processes; and
# Redis's server), and round trips per request.
set -eu
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-build/bench}
BIN=$BUILD/bin
BP=$BUILD/tests/bench_policy
N=${BENCH_REDIS_CONNS:-200}
W=$(mktemp -d /tmp/greyspf-bench-redis.XXXXXX)
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || :; done
	[ -d "$W/pgdata" ] && su postgres -s /bin/sh -c \
	    "/usr/lib/postgresql/15/bin/pg_ctl -D $W/pgdata -m immediate stop" \
	    >/dev/null 2>&1 || :
	rm -rf "$W"
}
trap cleanup EXIT
chmod 1777 "$W"
asnobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
field() { tr ' ' '\n' | sed -n "s/^$1=//p"; }
# cpu_s PID... - user + system CPU seconds of the processes
cpu_s() {
	for p in "$@"; do cat "/proc/$p/stat"; done 2>/dev/null |
	    awk -v hz="$(getconf CLK_TCK)" '{ s += $14 + $15 } END { printf "%.3f", s / hz }'
}
# round_trips CONF - commands a client sent per request, counted with
# MONITOR over 20 connections of 100 requests (a script's own calls,
# "lua]", are not the client's); each command is a round trip but the
# connection's pipelined AUTH/SELECT/SCRIPT LOAD (here one command).
round_trips() {
	redis-cli -s "$W/r.sock" monitor >"$W/monitor" &
	m=$!
	sleep 0.2
	asnobody $BP -n 20 -r 100 -o 5000000 spawn "$BIN/greyspf" -c "$1" >/dev/null
	sleep 0.2
	kill $m
	wait $m 2>/dev/null || :
	grep -v 'lua\]' "$W/monitor" | grep -c '^[0-9]' |
	    awk '{ printf "%.3f", $1 / 2000 }'
}

mkdir -p "$W/config"
printf 'CHECKERS = greylist\nGREYLISTTIME = 300\nOTHERCONFIGS = client_address,envelope_sender,envelope_recipient\n' \
    >"$W/config/__default__"
chmod -R a+rX "$W/config"
printf 'configPath = %s/config\ndatabase = %s/gdb\nuser = nobody\n' "$W" "$W" \
    >"$W/lmdb.conf"

echo "== greyspf spawn on LMDB"
asnobody $BP -n 50 -r 10 -o 90000000 spawn "$BIN/greyspf" -c "$W/lmdb.conf" >/dev/null
asnobody $BP -n "$N" -r 100 -o 1000000 spawn "$BIN/greyspf" -c "$W/lmdb.conf" | tee "$W/lmdb"

echo "== greyspf spawn on Redis"
redis-server --port 6399 --bind 127.0.0.1 --unixsocket "$W/r.sock" \
    --unixsocketperm 777 --save '' --appendonly no --dir "$W" \
    --logfile "$W/r.log" &
rpid=$!
PIDS="$PIDS $rpid"
i=0
until redis-cli -s "$W/r.sock" ping >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "redis-server did not start"; exit 1; }
	sleep 0.05
done
for how in unix tcp; do
	spec="redis+unix:$W/r.sock"
	[ $how = tcp ] && spec="redis://127.0.0.1:6399"
	printf 'configPath = %s/config\ndatabase = %s\nuser = nobody\nstoreFallback = defer\ndatabaseKeyPrefix = %s:\n' \
	    "$W" "$spec" "$how" >"$W/$how.conf"
	asnobody $BP -n 50 -r 10 -o 90000000 spawn "$BIN/greyspf" -c "$W/$how.conf" >/dev/null
	redis-cli -s "$W/r.sock" config resetstat >/dev/null
	c0=$(cpu_s $rpid)
	asnobody $BP -n "$N" -r 100 -o 1000000 spawn "$BIN/greyspf" -c "$W/$how.conf" | tee "$W/$how"
	c1=$(cpu_s $rpid)
	redis-cli -s "$W/r.sock" info commandstats | tr -d '\r' | grep '^cmdstat' | sed 's/^/  /'
	echo "redis_$how: round_trips_per_req=$(round_trips "$W/$how.conf") server_cpu_us_per_req=$(echo "scale=1; ($c1 - $c0) * 1000000 / ($N * 100)" | bc)" | tee "$W/$how.server"
done
# The same triplets again: every request finds its entry.
asnobody $BP -n 20 -r 100 -o 5000000 spawn "$BIN/greyspf" -c "$W/unix.conf" >/dev/null
echo "redis_known: round_trips_per_req=$(round_trips "$W/unix.conf") (every triplet known and pending)" | tee "$W/known.server"

echo "== greyspf daemon on LMDB and on Redis (unix socket), 1 and 4 connections"
PC=$BUILD/tests/polclient
# dconf NAME BACKEND - a configuration on a database of its own
dconf() {
	if [ "$2" = lmdb ]; then
		db="$W/db-$1"
	else
		db="redis+unix:$W/r.sock
storeFallback = defer
databaseKeyPrefix = d-$1:"
	fi
	printf 'configPath = %s/config\ndatabase = %s\nuser = nobody\n' \
	    "$W" "$db" >"$W/d-$1.conf"
}
# dstart NAME - the daemon on d-NAME.conf, ready; its pid in $dp
dstart() {
	"$BIN/greyspf" -L -c "$W/d-$1.conf" -l "unix:$W/d-$1.sock" 2>/dev/null &
	dp=$!
	PIDS="$PIDS $dp"
	i=0
	until $PC -a "unix:$W/d-$1.sock" -c 1 -r 1 -t 1 -o 99999999 >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -lt 500 ] || { echo "greyspf -l did not start"; exit 1; }
		sleep 0.01
	done
}
dstop() { kill "$dp"; wait "$dp" 2>/dev/null || :; }
# col N - the median of column N of the runs
col() { cut -d' ' -f"$1" "$W/runs" | median; }
for b in lmdb redis; do
	for c in 1 4; do
		for r in 1 2 3; do
			dconf "$b$c$r" $b
			dstart "$b$c$r"
			c0=$(cpu_ns $dp)
			s0=$(cpu_ns $rpid)
			$PC -a "unix:$W/d-$b$c$r.sock" -c $c -r $((20000 / c)) \
			    -t 10000 >"$W/out"
			c1=$(cpu_ns $dp)
			s1=$(cpu_ns $rpid)
			dstop
			n=$(sed -n 's/^replies //p' "$W/out")
			[ "$n" -eq 20000 ] || echo "daemon_$b: $n replies" >&2
			echo "$(sed -n 's/^rps //p' "$W/out") $(sed -n 's/^p50_us //p' "$W/out") $(sed -n 's/^p99_us //p' "$W/out") $c0 $c1 $s0 $s1 $n" |
			    awk '{ printf "%s %s %s %.1f %.1f\n", $1, $2, $3,
				($5 - $4) / 1000 / $8, ($7 - $6) / 1000 / $8 }'
		done >"$W/runs"
		srv=
		[ $b = redis ] && srv=" server_cpu_us_per_req=$(col 5)"
		echo "daemon_$b conns=$c req_per_s=$(col 1) p50_us=$(col 2) p99_us=$(col 3) cpu_us_per_req=$(col 4)$srv (medians of 3)" |
		    tee "$W/d-$b$c"
	done
done
# Round trips: MONITOR over 2,000 requests on 1 connection, 1,000
# triplets, each new then asked again.
dconf rt redis
dstart rt
redis-cli -s "$W/r.sock" monitor >"$W/monitor" &
m=$!
sleep 0.2
$PC -a "unix:$W/d-rt.sock" -c 1 -r 2000 -t 1000 >/dev/null
sleep 0.2
kill $m
wait $m 2>/dev/null || :
dstop
drt=$(grep -v 'lua\]' "$W/monitor" | grep -c '^[0-9]' |
    awk '{ printf "%.3f", $1 / 2000 }')
echo "daemon_redis: round_trips_per_req=$drt (half new triplets, half known)"

echo "== sqlgrey on PostgreSQL (Debian's defaults), over TCP"
PG=/usr/lib/postgresql/15/bin
mkdir -p "$W/pgdata" "$W/pgsock"
chown postgres "$W/pgdata" "$W/pgsock"
su postgres -s /bin/sh -c "$PG/initdb -A trust -D $W/pgdata" >"$W/initdb.log" 2>&1
su postgres -s /bin/sh -c "$PG/pg_ctl -D $W/pgdata -l $W/pg.log -o \"-c listen_addresses='' -k $W/pgsock\" -w start" >/dev/null
su postgres -s /bin/sh -c "$PG/createuser -h $W/pgsock sqlgrey && $PG/createdb -h $W/pgsock -O sqlgrey sqlgrey"
cat >"$W/sqlgrey.conf" <<EOF
loglevel = 0
user = sqlgrey
group = sqlgrey
inet = 127.0.0.1:2599
pidfile = $W/sqlgrey.pid
db_dsn = DBI:Pg:dbname=sqlgrey;host=$W/pgsock
db_user = sqlgrey
greymethod = full
reconnect_delay = 5
max_connect_age = 24
EOF
chmod 644 "$W/sqlgrey.conf"
sqlgrey -f "$W/sqlgrey.conf" >"$W/sqlgrey.log" 2>&1 &
PIDS="$PIDS $!"
i=0
until $BP -n 1 -r 1 -o 99000000 tcp 127.0.0.1 2599 >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 200 ] || { echo "sqlgrey did not start"; cat "$W/sqlgrey.log"; exit 1; }
	sleep 0.05
done
$BP -n 20 -r 10 -o 90000000 tcp 127.0.0.1 2599 >/dev/null
spids=$(pgrep -f "sqlgrey -f $W/sqlgrey.conf" | tr '\n' ' ')
ppids=$(pgrep -u postgres -f "$W/pgdata|postgres: " | tr '\n' ' ')
c0=$(cpu_s $spids $ppids)
SN=$((N / 4))
$BP -n "$SN" -r 100 -o 1000000 tcp 127.0.0.1 2599 | tee "$W/sqlgrey"
c1=$(cpu_s $spids $ppids)
echo "sqlgrey: server_cpu_us_per_req=$(echo "scale=1; ($c1 - $c0) * 1000000 / ($SN * 100)" | bc) (sqlgrey and PostgreSQL)" | tee "$W/sqlgrey.server"

l=$(field req_per_s <"$W/lmdb")
u=$(field req_per_s <"$W/unix")
t=$(field req_per_s <"$W/tcp")
s=$(field req_per_s <"$W/sqlgrey")
echo "summary: 100 requests a connection: LMDB $l req/s; Redis unix $u req/s ($(echo "scale=2; $u / $l" | bc) of LMDB), tcp $t ($(echo "scale=2; $t / $l" | bc)); sqlgrey $s req/s (Redis unix x$(echo "scale=1; $u / $s" | bc), tcp x$(echo "scale=1; $t / $s" | bc))"
echo "summary: CPU per request, greyspf processes: LMDB $(field child_cpu_us_per_req <"$W/lmdb") us, Redis unix $(field child_cpu_us_per_req <"$W/unix") us (+ server $(field server_cpu_us_per_req <"$W/unix.server") us), tcp $(field child_cpu_us_per_req <"$W/tcp") us (+ server $(field server_cpu_us_per_req <"$W/tcp.server") us); sqlgrey + PostgreSQL $(field server_cpu_us_per_req <"$W/sqlgrey.server") us"
for c in 1 4; do
	dl=$(field req_per_s <"$W/d-lmdb$c")
	dr=$(field req_per_s <"$W/d-redis$c")
	echo "summary: daemon, $c connection(s): LMDB $dl req/s, Redis $dr req/s ($(echo "scale=2; $dr / $dl" | bc) of LMDB, x$(echo "scale=1; $dr / $s" | bc) sqlgrey); CPU per request LMDB $(field cpu_us_per_req <"$W/d-lmdb$c") us, Redis $(field cpu_us_per_req <"$W/d-redis$c") us (+ server $(field server_cpu_us_per_req <"$W/d-redis$c") us); p99 LMDB $(field p99_us <"$W/d-lmdb$c") us, Redis $(field p99_us <"$W/d-redis$c") us"
done
echo "summary: daemon, Redis round trips per request: $drt (half new, half known)"
echo "summary: Redis round trips per request: new triplets $(field round_trips_per_req <"$W/unix.server"), known ones $(field round_trips_per_req <"$W/known.server") (with the connection's two, over 100 requests)"
