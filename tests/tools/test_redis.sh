#!/bin/sh
# requires: root
# test_redis.sh - the shared greylist on a real redis-server (and
# redis-sentinel), in a network namespace of the test's own: two
# greyspf "hosts" sharing one Redis; many processes racing on the same
# triplets (one entry each, one creator each); each entry's expiry as
# Redis reports it (PTTL), with greyspf's clock injected; Redis killed
# and back (storeFallback defer, dunno, local; one log line; no hang);
# hostile servers (replies without end: in bounded memory; their text
# in the log: no forged line, no control character), an undecodable
# value, a foreign key, a foreign database; the tools' round trip LMDB
# -> Redis -> LMDB; a load and an import that fail part-way (how far
# they got; run again, a clean run's result); a daemon on Redis (a
# connection per loop process, kept; Redis killed and back); a sentinel
# failover followed without a restart.
# Every server is stopped at the end, whatever happens.
if [ "${GREYSPF_IN_NS:-}" != 1 ]; then
	export GREYSPF_IN_NS=1
	exec unshare -n sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
need redis-server redis-cli redis-sentinel faketime python3 ip /usr/bin/time ss pgrep
HERE=$(cd "$(dirname "$0")" && pwd)
ip link set lo up

PIDS=
stop_all() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap stop_all EXIT
chmod 1777 "$T"

# redis_start NAME [ARG...] - a redis-server on $T/NAME.sock, in the
# foreground of a background job; its pid in $T/NAME.pid
redis_start() {
	name=$1
	shift
	redis-server --port 0 --unixsocket "$T/$name.sock" --unixsocketperm 777 \
	    --save '' --appendonly no --dir "$T" --dbfilename "$name.rdb" \
	    --logfile "$T/$name.log" "$@" &
	echo $! >"$T/$name.pid"
	PIDS="$PIDS $!"
	wait_for 10 sh -c "redis-cli -s $T/$name.sock ping >/dev/null 2>&1"
}
redis_kill() {
	kill -9 "$(cat "$T/$1.pid")"
	wait "$(cat "$T/$1.pid")" 2>/dev/null
}
# pttls SOCK PREFIX - the PTTL of every greylist key under PREFIX (the
# marker left out), one a line, sorted
pttls() {
	redis-cli -s "$1" --no-raw EVAL "local r = {}
	    for _, k in ipairs(redis.call('KEYS', ARGV[1] .. '*')) do
	      if k:byte(#ARGV[1] + 1) ~= 0 then
	        r[#r + 1] = redis.call('PTTL', k) end end
	    return r" 0 "$2" | sed 's/^ *[0-9]*) //; s/(integer) //' | sort -n
}
# $T/has PREFIX TEXT REDIS-CLI-ARG...: is there a key under PREFIX with
# TEXT in it? (redis-cli prints a key only up to its first NUL byte.)
cat >"$T/has" <<'EOF'
p=$1 s=$2
shift 2
redis-cli "$@" EVAL "for _, k in ipairs(redis.call('KEYS', ARGV[1] .. '*')) do
    if string.find(k, ARGV[2], 1, true) then return 1 end end
    return 0" 0 "$p" "$s" 2>/dev/null | grep -qx 1
EOF
HAS="sh $T/has"
nkeys() {	# nkeys SOCK PREFIX - greylist keys under PREFIX
	redis-cli -s $1 EVAL "local n = 0
	    for _, k in ipairs(redis.call('KEYS', ARGV[1] .. '*')) do
	      if k:byte(#ARGV[1] + 1) ~= 0 then n = n + 1 end end
	    return n" 0 "$2"
}

W=$T/w
mkdir -p "$W/config/client_address/192/0/2/9"
printf 'CHECKERS = greylist\nOTHERCONFIGS = client_address\n' >"$W/config/__default__"
printf 'GREYLISTEXPIREDAYS = 2\n' >"$W/config/client_address/192/0/2/9/__default__"
chmod -R a+rX "$W"
redis_start r
R=$T/r.sock
# conf NAME DATABASE PREFIX [LINE...] - a greyspf "host"
conf() {
	c=$W/$1.conf
	# Counters off but where a test turns them on: the checks count
	# and time greylist entries. Timeouts far above the defaults (100
	# ms), which a round trip may exceed on two loaded cores under ASan
	# (a reconnect, the fallback, a tool's exit 1); a test of timeouts
	# sets its own after these (the last line for a key wins).
	printf 'database = %s\ndatabaseKeyPrefix = %s\nconfigPath = %s/config\nuser = nobody\nstoreFallbackDatabase = %s/%s.fb\ncounterDays = 0\n' \
	    "$2" "$3" "$W" "$T" "$1" >"$c"
	printf 'databaseConnectTimeout = 2000\ndatabaseCommandTimeout = 5000\n' \
	    >>"$c"
	shift 3
	for l in "$@"; do printf '%s\n' "$l" >>"$c"; done
}
req() {		# req IP SENDER RECIPIENT: one request
	printf 'client_address=%s\nsender=%s\nrecipient=%s\n\n' "$1" "$2" "$3"
}
GREY='^action=defer_if_permit Service unavailable, greylisted'
STOREERR='^action=defer_if_permit Service temporarily unavailable, greylist database error\.$'
NOW=$(date +%s)

# --- two hosts, one Redis ---------------------------------------------
conf mx1 "redis+unix:$R" "two:"
conf mx2 "redis+unix:$R" "two:"
req 192.0.2.1 a@example.com b@example.org >"$W/q1"
t_ok "mx1: answers" sh -c "faketime '@$NOW' '$BIN/greyspf' -L -c '$W/mx1.conf' <'$W/q1'"
t_grep "mx1: greylisted" "$GREY" "$T/.out"
t_ok "mx2, before GREYLISTTIME: answers" sh -c "faketime '@$((NOW + 300))' '$BIN/greyspf' -L -c '$W/mx2.conf' <'$W/q1'"
t_grep "mx2, before GREYLISTTIME: still greylisted (the entry is shared)" "$GREY" "$T/.out"
t_ok "mx2, after GREYLISTTIME: answers" sh -c "faketime '@$((NOW + 700))' '$BIN/greyspf' -L -c '$W/mx2.conf' <'$W/q1'"
t_line "mx2, after GREYLISTTIME: the retry is accepted" 'action=dunno' "$T/.out"
t_grep "mx2: logged as allowed" 'Allowed greylisting' "$T/.err"
t_ok "mx1, after the pass on mx2: answers" sh -c "faketime '@$((NOW + 800))' '$BIN/greyspf' -L -c '$W/mx1.conf' <'$W/q1'"
t_line "mx1, after the pass on mx2: accepted" 'action=dunno' "$T/.out"
t_eq "two hosts: one entry" "$(nkeys "$R" two:)" 1
t_eq "the marker is there, under the prefix" \
    "$(redis-cli -s "$R" --no-raw EXISTS "$(printf 'two:\001')" ; redis-cli -s "$R" EVAL "return redis.call('GET', ARGV[1] .. string.char(0) .. 'greyspf')" 0 two:)" \
    "(integer) 0
greyspf-greylist 1"

# --- expiry: Redis's own, by greyspf-clean's rule ------------------------
# A new entry never retried expires 12 h after its allow time (600 s
# after first seen); a passed one GREYLISTEXPIREDAYS after it was last
# seen (10 days; 2 for 192.0.2.9, from the per-entity tree). greyspf's
# clock is frozen, so the expiry is an exact instant; Redis counts its
# PTTL down on the real clock, read just before and just after it.
conf ttl "redis+unix:$R" "ttl:"
req 192.0.2.5 new@example.com b@example.org >"$W/q5"
req 192.0.2.9 short@example.com b@example.org >"$W/q9"
at() {		# at SECONDS CMD... - CMD with greyspf's clock frozen then
	_at=$(TZ=UTC date -d "@$1" '+%Y-%m-%d %H:%M:%S')
	shift
	TZ=UTC faketime -f "$_at" "$@"
}
# ttl_ok NAME EXPIRY-SECONDS - the largest PTTL under ttl: is EXPIRY's
ttl_ok() {
	_a=$(date +%s%3N)
	p=$(pttls "$R" ttl: | tail -1)
	_b=$(date +%s%3N)
	t_ok "$1 (PTTL $p, expiry $2)" \
	    test "$p" -ge $(($2 * 1000 - _b - 1)) -a "$p" -le $(($2 * 1000 - _a + 1))
}
at "$NOW" "$BIN/greyspf" -L -c "$W/ttl.conf" <"$W/q5" >/dev/null 2>&1
ttl_ok "a new entry: expires 12 h after its allow time" $((NOW + 600 + 43200))
at "$NOW" "$BIN/greyspf" -L -c "$W/ttl.conf" <"$W/q9" >/dev/null 2>&1
at $((NOW + 700)) "$BIN/greyspf" -L -c "$W/ttl.conf" <"$W/q9" >/dev/null 2>&1
ttl_ok "a passed entry: expires GREYLISTEXPIREDAYS (2, per entity) after last seen" \
    $((NOW + 700 + 2 * 86400))
at $((NOW + 700)) "$BIN/greyspf" -L -c "$W/ttl.conf" <"$W/q5" >/dev/null 2>&1
ttl_ok "the default: 10 days after last seen" $((NOW + 700 + 10 * 86400))
t_ok "greyspf-clean against Redis: exit 0" "$BIN/greyspf-clean" -c "$W/ttl.conf"
t_grep "greyspf-clean against Redis: says Redis expires entries itself" \
    'expires entries itself: nothing to clean' "$T/.out"
t_eq "greyspf-clean: nothing deleted" "$(nkeys "$R" ttl:)" 2
t_ok "greyspf-stat against Redis" "$BIN/greyspf-stat" -c "$W/ttl.conf"
t_grep "greyspf-stat: the backend and its guarantees" 'Guarantees: ordered walk, expires entries itself' "$T/.out"
t_grep "greyspf-stat: two entries" '^  Entries: 2$' "$T/.out"
t_ok "greyspf-stat --json against Redis" "$BIN/greyspf-stat" --json -c "$W/ttl.conf"
t_grep "greyspf-stat --json: the Redis figures" '"key_prefix": *"ttl:"' "$T/.out"

# --- round trips: one for a known triplet, two for a write -----------------
# MONITOR shows the commands clients send (a script's own calls are
# marked "lua]"); a connection adds two (SCRIPT LOAD, the marker's GET).
conf rt "redis+unix:$R" "rtt:" "storeFallback = defer"
i=0
while [ $i -lt 10 ]; do req 192.0.2.$((100 + i)) rt@example.com r@example.org; i=$((i + 1)); done >"$W/q10"
# The monitor is stopped once it has shown a marker sent after the run:
# every command before it is in its output then.
rtt() {		# rtt FAKETIME - commands sent for the 10 requests of q10
	redis-cli -s "$R" monitor >"$W/monitor" &
	m=$!
	wait_for 10 test -s "$W/monitor"
	faketime "$1" "$BIN/greyspf" -L -c "$W/rt.conf" <"$W/q10" >/dev/null 2>&1
	redis-cli -s "$R" ECHO rtt-end >/dev/null
	wait_for 30 grep -q '"rtt-end"' "$W/monitor"
	kill $m
	wait $m 2>/dev/null
	grep -v 'lua\]' "$W/monitor" | grep -v '"rtt-end"' | grep -c '^[0-9]'
}
req 192.0.2.99 rt@example.com r@example.org >"$W/q99"
"$BIN/greyspf" -L -c "$W/rt.conf" <"$W/q99" >/dev/null 2>&1	# the marker
t_eq "round trips: 10 new triplets, 2 each (and 2 for the connection)" "$(rtt "@$NOW")" 22
t_eq "round trips: 10 known triplets, pending, 1 each" "$(rtt "@$((NOW + 10))")" 12

# --- many processes, two configurations, one Redis ------------------------
# P processes of N requests each, alternately mx1 and mx2, over K
# triplets: every reply greylisted, one entry per triplet, and exactly one
# process logged "Initial" for each (the compare-and-set let one win);
# then all again after GREYLISTTIME: every reply accepted.
P=${REDIS_RACE_PROCS:-100} N=${REDIS_RACE_REQS:-1000} K=50
# Correctness, not timeouts, is tested here (conf's timeouts).
# The race with counters on (hot keys every process writes at its end):
# a counter's lost race must never cost a request its answer.
conf ra "redis+unix:$R" "race:" "storeFallback = defer" "counterDays = 400"
conf rb "redis+unix:$R" "race:" "storeFallback = defer" "counterDays = 400"
i=0
while [ $i -lt $P ]; do
	awk -v n="$N" -v k="$K" -v seed="$i" 'BEGIN { srand(seed + 1)
	    for (j = 0; j < n; j++) { t = int(rand() * k)
		printf "client_address=198.51.100.%d\nsender=s%d@example.com\nrecipient=r@example.org\n\n", t, t } }' >"$W/race.$i"
	i=$((i + 1))
done
race() {	# race PHASE FAKETIME
	i=0
	racers=
	while [ $i -lt $P ]; do
		c=ra
		[ $((i % 2)) = 1 ] && c=rb
		faketime "$2" "$BIN/greyspf" -L -c "$W/$c.conf" <"$W/race.$i" \
		    >"$W/$1.out.$i" 2>"$W/$1.err.$i" &
		racers="$racers $!"
		i=$((i + 1))
	done
	for p in $racers; do wait "$p"; done
}
t0=$(date +%s)
race one "@$NOW"
t_eq "race: every reply greylisted ($P x $N requests)" \
    "$(cat "$W"/one.out.* | grep -c "$GREY")" $((P * N))
"$BIN/greyspf-dump" -c "$W/ra.conf" >"$W/race.dump" 2>/dev/null
t_eq "race: one entry per triplet" "$(grep -c '^triplet ' "$W/race.dump")" $K
t_eq "race: one creator per triplet (Initial logged once each)" \
    "$(cat "$W"/one.err.* | grep -c 'Initial greylisting')" $K
cat "$W"/one.err.* >"$W/one.err"
t_nogrep "race: no store error" 'greylist database' "$W/one.err"
# Every process adds its counts at its end, all at once, to the same
# three keys: the adds are one script each on the server, so none is
# lost and the totals are exact (before, compare-and-set retries lost
# up to a third of them, and a day's key that lost after its hour's won
# had the hour counted twice).
t_nogrep "race: every process's counters written" \
    'statistics counters not written' "$W/one.err"
t_eq "race: the total counts every request, exactly" \
    "$(awk '/^counters total/ { n = split($4, f, ","); for (i = 1; i <= n; i++) if (f[i] ~ /^requests=/) print substr(f[i], 10) }' "$W/race.dump")" $((P * N))
t_eq "race: the day counts every request, exactly" \
    "$(awk '/^counters day/ { n = split($4, f, ","); for (i = 1; i <= n; i++) if (f[i] ~ /^requests=/) s += substr(f[i], 10) } END { print s + 0 }' "$W/race.dump")" $((P * N))
t_eq "race: every first-seen from the run's clock" \
    "$(awk -v lo="$NOW" -v hi="$((NOW + $(date +%s) - t0 + 2))" '/^triplet/ && $5 + 0 >= lo && $5 + 0 <= hi' "$W/race.dump" | wc -l)" $K
race two "@$((NOW + 700))"
t_eq "race after GREYLISTTIME: every reply accepted" \
    "$(cat "$W"/two.out.* | grep -c '^action=dunno$')" $((P * N))
"$BIN/greyspf-dump" -c "$W/ra.conf" >"$W/race2.dump" 2>/dev/null
t_eq "race after GREYLISTTIME: still one entry per triplet, each passed" \
    "$(awk '/^triplet/ && $8 + 0 > 0' "$W/race2.dump" | wc -l)" $K
cat "$W"/two.err.* >"$W/two.err"
t_nogrep "race after GREYLISTTIME: every process's counters written" \
    'statistics counters not written' "$W/two.err"
t_eq "race after GREYLISTTIME: the total counts both runs, exactly" \
    "$(awk '/^counters total/ { n = split($4, f, ","); for (i = 1; i <= n; i++) if (f[i] ~ /^requests=/) print substr(f[i], 10) }' "$W/race2.dump")" $((2 * P * N))
t_eq "race after GREYLISTTIME: first-seen kept" \
    "$(awk '/^triplet/ { print $2, $3, $4, $5 }' "$W/race2.dump")" \
    "$(awk '/^triplet/ { print $2, $3, $4, $5 }' "$W/race.dump")"
echo "# report: race: $P processes x $N requests, twice: $(($(date +%s) - t0)) s"

# --- a herd: many hosts create one triplet at once ------------------------
# H processes, each with its clock frozen at its own second (NOW - i),
# read the triplet absent while Redis holds every write (CLIENT PAUSE
# WRITE), so all their compare-and-sets meet when it lets them go: each
# loser merges its first-seen and last-seen into the winner's record and
# writes again, and loses as often as others win before it. Three herds,
# each on a triplet of its own. Every request must be answered as
# greylisted without a store error (four decisions were too few: 1 in
# 100,000 of the race above failed in CI, and 12 to 103 of these 300
# requests), and each entry must end with the earliest first-seen and the
# latest last-seen of its herd.
H=100
conf herd "redis+unix:$R" "herd:" "storeFallback = defer" \
    "databaseCommandTimeout = 30000"
# The prefix's marker first (a write, which the pause would hold).
req 198.51.100.199 herd@example.com r@example.org |
    "$BIN/greyspf" -L -c "$W/herd.conf" >/dev/null 2>&1
gets() { redis-cli -s "$R" INFO commandstats | sed -n 's/^cmdstat_get:calls=\([0-9]*\),.*/\1/p'; }
casses() {	# compare-and-sets run (EVALSHA, EVAL), as a sum
	redis-cli -s "$R" INFO commandstats |
	    sed -n 's/^cmdstat_eval\(sha\)\{0,1\}:calls=\([0-9]*\),.*/\2/p' |
	    awk '{ n += $1 } END { print n + 0 }'
}
# Each process reads the marker and the triplet (two GETs, which the
# pause lets through), then sends its compare-and-set, which waits.
herd_read() { test "$(gets)" -ge $((g0 + 2 * H)); }
herd() {	# herd N - H processes create 198.51.100.N at once
	i=0
	herders=
	while [ $i -lt $H ]; do
		rm -f "$W/herd.in.$i"
		mkfifo "$W/herd.in.$i"
		cat "$W/herd.in.$i" | at $((NOW - i)) "$BIN/greyspf" -L \
		    -c "$W/herd.conf" >"$W/herd.out.$1.$i" 2>"$W/herd.err.$1.$i" &
		herders="$herders $!"
		i=$((i + 1))
	done
	g0=$(gets)
	e0=$(casses)
	t_eq "herd $1: writes paused" \
	    "$(redis-cli -s "$R" CLIENT PAUSE 60000 WRITE)" OK
	i=0
	while [ $i -lt $H ]; do
		req 198.51.100.$1 herd@example.com r@example.org \
		    >"$W/herd.in.$i" &
		i=$((i + 1))
	done
	t_ok "herd $1: every process read the triplet during the pause" \
	    wait_for 60 herd_read
	t_eq "herd $1: no compare-and-set done during the pause" "$(casses)" "$e0"
	redis-cli -s "$R" CLIENT UNPAUSE >/dev/null
	for p in $herders; do wait "$p"; done
}
for n in 200 201 202; do herd $n; done
t_eq "herds: every reply greylisted (3 x $H processes, one triplet each)" \
    "$(cat "$W"/herd.out.* | grep -c "$GREY")" $((3 * H))
cat "$W"/herd.err.* >"$W/herd.err"
t_nogrep "herds: no store error" 'greylist database' "$W/herd.err"
"$BIN/greyspf-dump" -c "$W/herd.conf" >"$W/herd.dump" 2>/dev/null
t_eq "herds: one entry each, the earliest first-seen and latest last-seen" \
    "$(awk '$1 == "triplet" && $2 ~ /^198\.51\.100\.20[0-2]\// { print $5, $7 }' "$W/herd.dump")" \
    "$((NOW - H + 1)).000000 $NOW.000000
$((NOW - H + 1)).000000 $NOW.000000
$((NOW - H + 1)).000000 $NOW.000000"

# The server's add (a Lua script) against db/counter.c's rule, byte for
# byte: stored values valid, absent and undecodable; counts small, near
# 2^53 and near 2^64 (saturating); one to three keys at once.
t_ok "counts added on the server as db/counter.c adds them" \
    "$BUILD/tests/countadd" "redis+unix:$R" "countadd:" 3000 7

# Two hosts create one triplet at once, the later clock's write landing
# first: two long-lived processes, connected (a first request each);
# writes paused (CLIENT PAUSE WRITE); A (clock NOW) then B (100 s
# behind) read "absent" and send their compare-and-set; A's runs first.
# B loses, and the two creations unite: one entry, B's earlier
# first-seen.
conf pa "redis+unix:$R" "pause:" "storeFallback = defer" "databaseCommandTimeout = 10000"
n=0
for p in a b; do
	n=$((n + 1))
	{
		echo "req 192.0.2.8$n warm@example.com r@example.org"
		echo "sh touch $W/ready.$p"
		echo "until 10 test -e $W/go"
		[ $p = b ] && echo "sh sleep 0.3"
		echo "req 192.0.2.77 both@example.com r@example.org"
	} >"$W/pause.$p"
done
faketime "@$NOW" python3 "$HERE/policydrive.py" "$W/pause.a" "$BIN/greyspf" -L -c "$W/pa.conf" >"$W/pa.out" 2>"$W/pa.err" &
pa=$!
faketime "@$((NOW - 100))" python3 "$HERE/policydrive.py" "$W/pause.b" "$BIN/greyspf" -L -c "$W/pa.conf" >"$W/pb.out" 2>"$W/pb.err" &
pb=$!
wait_for 20 test -e "$W/ready.a" -a -e "$W/ready.b"
redis-cli -s "$R" CLIENT PAUSE 4000 WRITE >/dev/null
touch "$W/go"
wait $pa $pb
t_eq "created at once: both greylisted" \
    "$(cat "$W/pa.out" "$W/pb.out" | grep -c '^192.0.2.77 both@example.com: action=defer_if_permit Service unavailable, greylisted')" 2
"$BIN/greyspf-dump" -c "$W/pa.conf" >"$W/pa.dump" 2>/dev/null
t_eq "created at once: one entry" "$(grep -c '^triplet 192.0.2.77' "$W/pa.dump")" 1
first=$(awk '/^triplet 192.0.2.77/ { print int($5) }' "$W/pa.dump")
t_ok "created at once: the earliest first-seen, the clock behind's ($first, NOW $NOW)" \
    test "$first" -ge $((NOW - 100)) -a "$first" -lt $((NOW - 50))

# --- the tools: LMDB -> Redis -> LMDB, identical dumps -------------------
awk -v t="$NOW" 'BEGIN {
    print "VERSION=1\nformat=greyspf-greylist\nHEADER=END"
    for (i = 0; i < 300; i++)
	printf "triplet 10.0.%d.%d/32 s%d@example.com r@example.org %d.000000 %d.000000 %d.500000 %d -\n",
	    int(i / 256), i % 256, i, t - 3600, t - 3300, t - 60, i % 3
    print "iponly 2001:db8::/64 " (t - 3600) ".000000 " (t - 3300) ".000000 " (t - 60) ".000000 1 -"
    print "DATA=END" }' >"$W/in.dump"
conf tl "redis+unix:$R" "tools:"
t_ok "load into LMDB" "$BIN/greyspf-load" -c "$W/tl.conf" -d "lmdb:$W/lmdb1" "$W/in.dump"
"$BIN/greyspf-dump" -c "$W/tl.conf" -d "lmdb:$W/lmdb1" >"$W/lmdb1.dump"
t_ok "dump LMDB | load Redis" sh -c "'$BIN/greyspf-dump' -c '$W/tl.conf' -d 'lmdb:$W/lmdb1' | '$BIN/greyspf-load' -c '$W/tl.conf' -d 'redis+unix:$R'"
t_eq "load into Redis: every entry" "$(nkeys "$R" tools:)" 301
"$BIN/greyspf-dump" -c "$W/tl.conf" -d "redis+unix:$R" >"$W/redis.dump" 2>/dev/null
t_same "the Redis dump is byte-identical to LMDB's" "$W/redis.dump" "$W/lmdb1.dump"
t_ok "dump Redis | load LMDB" sh -c "'$BIN/greyspf-dump' -c '$W/tl.conf' | '$BIN/greyspf-load' -c '$W/tl.conf' -d 'lmdb:$W/lmdb2'"
"$BIN/greyspf-dump" -c "$W/tl.conf" -d "lmdb:$W/lmdb2" >"$W/lmdb2.dump"
t_same "and back: the same dump" "$W/lmdb2.dump" "$W/lmdb1.dump"
t_ok "load into Redis again: idempotent" "$BIN/greyspf-load" -c "$W/tl.conf" "$W/in.dump"
"$BIN/greyspf-dump" -c "$W/tl.conf" >"$W/redis2.dump" 2>/dev/null
t_same "load again: nothing changed" "$W/redis2.dump" "$W/lmdb1.dump"
t_ok "loaded entries carry an expiry" test "$(pttls "$R" tools: | head -1)" -gt 0

# greyspf-import: a tumgreyspf tree into Redis is what it is into LMDB
# once greyspf-clean has run (Redis drops what has expired at once).
"$BUILD/tests/gentree" "$W/tree" 3000 7
conf im "redis+unix:$R" "imp:"
t_ok "import into Redis" "$BIN/greyspf-import" -q -c "$W/im.conf" "$W/tree"
t_grep "import into Redis: its report" 'imported: [0-9]+ new' "$T/.out"
t_ok "import into LMDB" "$BIN/greyspf-import" -q -c "$W/im.conf" -d "lmdb:$W/imlmdb" "$W/tree"
"$BIN/greyspf-clean" -q -c "$W/im.conf" -d "lmdb:$W/imlmdb"
"$BIN/greyspf-dump" -c "$W/im.conf" -d "lmdb:$W/imlmdb" >"$W/im.lmdb"
"$BIN/greyspf-dump" -c "$W/im.conf" >"$W/im.redis" 2>/dev/null
t_same "import: Redis holds what LMDB holds after clean" "$W/im.redis" "$W/im.lmdb"
t_ok "import into Redis again" "$BIN/greyspf-import" -q -c "$W/im.conf" "$W/tree"
t_grep "import again: idempotent, nothing new" 'imported: 0 new, 0 merged into existing' "$T/.out"
t_grep "import: what had expired is not written, and said" '^expired already, not written: [1-9]' "$T/.out"

# --- a load and an import that fail part-way: how far they got ------------
# A Redis of its own whose maxmemory (noeviction) is reached part-way:
# writes are refused (OOM) from some entry on. The report says how many
# entries of how many were done: what Redis holds (the refused write,
# decided but not done, is not counted: it was, when a write's answer
# was read with the next entry's). With the limit lifted, the same run
# again completes, and the result is a clean run's.
redis_start oom
O=$T/oom.sock
awk -v t="$NOW" 'BEGIN {
    print "VERSION=1\nformat=greyspf-greylist\nHEADER=END"
    for (i = 0; i < 5000; i++)
	printf "triplet 10.1.%d.%d/32 p%d@example.com r@example.org %d.000000 %d.000000 %d.500000 %d -\n",
	    int(i / 256), i % 256, i, t - 3600, t - 3300, t - 60, i % 3
    print "DATA=END" }' >"$W/big.dump"
# oom_limit - writes refused past about 300 kB more than Redis uses now
oom_limit() {
	u=$(redis-cli -s "$O" INFO memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p')
	redis-cli -s "$O" CONFIG SET maxmemory $((u + 300000)) >/dev/null
}
conf pl "redis+unix:$O" "pl:"
conf pc "redis+unix:$O" "pc:"
# partway NAME WHAT TOTAL: the report's "stopped after X of TOTAL
# entries" in $T/.err, X against the keys under the prefix in $O
partway() {
	x=$(sed -n "s/.*$2 stopped after \([0-9]*\) of $3 entries.*/\1/p" "$T/.err")
	k=$(nkeys "$O" "$1")
	t_ok "$2 failing part-way: says how far it got ($x of $3; $k in Redis)" \
	    test -n "$x" -a "${x:-0}" -gt 0 -a "${x:-0}" -lt "$3"
	t_eq "$2 failing part-way: what it says done is what Redis holds" \
	    "$k" "$x"
}
oom_limit
t_rc "load failing part-way: exit 1" 1 "$BIN/greyspf-load" -c "$W/pl.conf" "$W/big.dump"
t_grep "load failing part-way: the reason" 'OOM command not allowed' "$T/.err"
partway pl: load 5000
redis-cli -s "$O" CONFIG SET maxmemory 0 >/dev/null
t_ok "load again, Redis recovered: completes" "$BIN/greyspf-load" -c "$W/pl.conf" "$W/big.dump"
t_ok "load into a clean prefix" "$BIN/greyspf-load" -c "$W/pc.conf" "$W/big.dump"
"$BIN/greyspf-dump" -c "$W/pl.conf" >"$W/pl.dump" 2>/dev/null
"$BIN/greyspf-dump" -c "$W/pc.conf" >"$W/pc.dump" 2>/dev/null
t_eq "load again: every entry" "$(grep -c '^triplet ' "$W/pl.dump")" 5000
t_same "load again: the dump is a clean run's" "$W/pl.dump" "$W/pc.dump"
redis-cli -s "$O" FLUSHALL >/dev/null
conf ip "redis+unix:$O" "ip:"
conf ic "redis+unix:$O" "ic:"
nimp=$("$BIN/greyspf-import" -n -c "$W/ic.conf" "$W/tree" | sed -n 's/^files: [0-9]*; entries: \([0-9]*\);.*/\1/p')
oom_limit
t_rc "import failing part-way: exit 1" 1 "$BIN/greyspf-import" -q -c "$W/ip.conf" "$W/tree"
t_grep "import failing part-way: the reason" 'OOM command not allowed' "$T/.err"
partway ip: import "$nimp"
redis-cli -s "$O" CONFIG SET maxmemory 0 >/dev/null
t_ok "import again, Redis recovered: completes" "$BIN/greyspf-import" -q -c "$W/ip.conf" "$W/tree"
t_ok "import into a clean prefix" "$BIN/greyspf-import" -q -c "$W/ic.conf" "$W/tree"
"$BIN/greyspf-dump" -c "$W/ip.conf" >"$W/ip.dump" 2>/dev/null
"$BIN/greyspf-dump" -c "$W/ic.conf" >"$W/ic.dump" 2>/dev/null
t_ok "import again: entries there" test "$(grep -c '^triplet ' "$W/ip.dump")" -gt 0
t_same "import again: the dump is a clean run's" "$W/ip.dump" "$W/ic.dump"
redis_kill oom

# --- hostile data under the prefix ----------------------------------------
conf ho "redis+unix:$R" "tools:" "storeFallback = defer"
redis-cli -s "$R" EVAL "for _, k in ipairs(redis.call('KEYS', 'tools:*')) do
    if k:byte(7) ~= 0 and string.find(k, 's7@', 1, true) then
      redis.call('SET', k, 'not a record') end
    if k:byte(7) ~= 0 and string.find(k, 's8@', 1, true) then
      redis.call('DEL', k); redis.call('HSET', k, 'f', 'v') end end
    return 1" 0 >/dev/null
req 10.0.0.7 s7@example.com r@example.org >"$W/q7"
t_ok "an undecodable value: answered" sh -c "'$BIN/greyspf' -L -c '$W/ho.conf' <'$W/q7'"
t_grep "an undecodable value: treated as absent, greylisted" "$GREY" "$T/.out"
t_grep "an undecodable value: logged" 'undecodable greylist record replaced' "$T/.err"
req 10.0.0.8 s8@example.com r@example.org >"$W/q8"
t_ok "a foreign key (a hash) under the prefix: answered" sh -c "'$BIN/greyspf' -L -c '$W/ho.conf' <'$W/q8'"
t_grep "a foreign key: treated as absent, greylisted" "$GREY" "$T/.out"
t_grep "a foreign key: logged" 'foreign key under the prefix' "$T/.err"
redis-cli -s "$R" SET "foreign:x" "someone else's" >/dev/null
conf fo "redis+unix:$R" "foreign:" "storeFallback = defer"
t_ok "a foreign database: the service answers" sh -c "'$BIN/greyspf' -L -c '$W/fo.conf' <'$W/q1'"
t_grep "a foreign database: storeErrorAction" "$STOREERR" "$T/.out"
t_grep "a foreign database: said so" 'not a greyspf database' "$T/.err"
t_rc "a foreign database: greyspf-dump refuses it" 1 "$BIN/greyspf-dump" -c "$W/fo.conf"

# --- AUTH from databasePasswordFile; SELECT ----------------------------------
redis_start pw --requirepass 'Sesame-0pen'
printf 'Sesame-0pen\n' >"$W/pw.right"
printf 'WrongSecret9\n' >"$W/pw.wrong"
chmod 644 "$W/pw.right" "$W/pw.wrong"
conf pwok "redis+unix:$T/pw.sock?db=3" "pw:" "storeFallback = defer" "databasePasswordFile = $W/pw.right"
conf pwbad "redis+unix:$T/pw.sock" "pw:" "storeFallback = defer" "databasePasswordFile = $W/pw.wrong"
t_ok "password: the right one, answered" sh -c "'$BIN/greyspf' -L -c '$W/pwok.conf' <'$W/q1'"
t_grep "password: the right one, greylisted" "$GREY" "$T/.out"
t_eq "password: the entry in database 3" "$(nkeys "$T/pw.sock -a Sesame-0pen --no-auth-warning -n 3" pw:)" 1
t_ok "password: a wrong one, answered" sh -c "'$BIN/greyspf' -L -c '$W/pwbad.conf' <'$W/q1'"
t_grep "password: a wrong one, storeErrorAction" "$STOREERR" "$T/.out"
t_grep "password: a wrong one, said so" 'WRONGPASS|invalid' "$T/.err"
t_nogrep "password: never in a log" 'WrongSecret9|Sesame-0pen' "$T/.err"
t_rc "password: a tool with a wrong one fails" 1 "$BIN/greyspf-dump" -c "$W/pwbad.conf"
t_nogrep "password: never in a tool's message" 'WrongSecret9' "$T/.err"

# --- hostile servers --------------------------------------------------------
# The timeouts are the subject: 100 ms each. A server that never ends its
# reply holds a client without a deadline for ever: timeout 30 ends it,
# and the whole run (ASan's start and exit included, on a loaded
# machine) stays well under 10 s.
for mode in garbage silent drip hugearray hugebulk wrongtype; do
	python3 "$HERE/fakeredis.py" "$T/fake-$mode.sock" $mode &
	PIDS="$PIDS $!"
	wait_for 10 test -S "$T/fake-$mode.sock"
	conf "f$mode" "redis+unix:$T/fake-$mode.sock" "x:" "storeFallback = defer" \
	    "databaseConnectTimeout = 100" "databaseCommandTimeout = 100"
	s=$(date +%s%3N)
	t_ok "hostile server ($mode): answered, no crash" sh -c "timeout 30 '$BIN/greyspf' -L -c '$W/f$mode.conf' <'$W/q1'"
	t_grep "hostile server ($mode): storeErrorAction" "$STOREERR" "$T/.out"
	t_ok "hostile server ($mode): within the timeouts ($(($(date +%s%3N) - s)) ms)" \
	    test $(($(date +%s%3N) - s)) -lt 10000
done

# A load into a server that stops answering: how far it got, exit 1.
conf lsilent "redis+unix:$T/fake-silent.sock" "x:" \
    "databaseConnectTimeout = 100" "databaseCommandTimeout = 100"
t_rc "load, the server silent: exit 1" 1 "$BIN/greyspf-load" -c "$W/lsilent.conf" "$W/in.dump"
t_grep "load, the server silent: the reason" 'database server unavailable: .*no answer within 100 ms' "$T/.err"

# A reply without end, small arrays (or big strings) inside one array:
# each round trip has a budget of bytes read and of reply elements made,
# and fails past it, in bounded memory (the peak RSS; ASan's quarantine
# off: it keeps what is freed). The command timeout (30 s) is far
# away: the budget alone must stop the read, however slow the machine.
for mode in nested nestedbulk; do
	python3 "$HERE/fakeredis.py" "$T/fake-$mode.sock" $mode &
	PIDS="$PIDS $!"
	wait_for 10 test -S "$T/fake-$mode.sock"
	conf "f$mode" "redis+unix:$T/fake-$mode.sock" "x:" \
	    "storeFallback = defer" "databaseCommandTimeout = 30000"
	t_ok "a reply without end ($mode): answered" \
	    env ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=0:thread_local_quarantine_size_kb=0" \
	    /usr/bin/time -f %M -o "$W/$mode.kb" \
	    "$BIN/greyspf" -L -c "$W/f$mode.conf" <"$W/q1"
	t_grep "a reply without end ($mode): storeErrorAction" "$STOREERR" "$T/.out"
	t_grep "a reply without end ($mode): the budget said" \
	    'a reply of more than [0-9]+ (bytes|elements)' "$T/.err"
	kb=$(tail -1 "$W/$mode.kb")
	t_ok "a reply without end ($mode): peak memory under 64 MiB ($kb KiB)" \
	    test "$kb" -lt 65536
done

# Server text reaches the log (and greyspf-stat's output) only through
# log_safe(): an error reply with a newline, a forged line and a
# terminal escape in it, at the connection (evil) and after it
# (evilget); INFO's fields; a sentinel naming a host with the same.
noctl() {	# noctl FILE - the control characters in FILE, newlines aside
	tr -d '\n' <"$1" | LC_ALL=C tr -d '[:print:]' | wc -c
}
python3 "$HERE/fakeredis.py" tcp:27999 evilsentinel &
PIDS="$PIDS $!"
wait_for 10 python3 -c 'import socket
socket.create_connection(("127.0.0.1", 27999))' 2>/dev/null
conf fevilsentinel "redis-sentinel://127.0.0.1:27999/gm" "x:" "storeFallback = defer"
for mode in evil evilget evilsentinel; do
	if [ $mode != evilsentinel ]; then
		python3 "$HERE/fakeredis.py" "$T/fake-$mode.sock" $mode &
		PIDS="$PIDS $!"
		wait_for 10 test -S "$T/fake-$mode.sock"
		conf "f$mode" "redis+unix:$T/fake-$mode.sock" "x:" \
		    "storeFallback = defer"
	fi
	t_ok "server text ($mode): answered" sh -c "'$BIN/greyspf' -L -c '$W/f$mode.conf' <'$W/q1'"
	t_grep "server text ($mode): storeErrorAction" "$STOREERR" "$T/.out"
	t_grep "server text ($mode): logged" 'evil|FORGED' "$T/.err"
	t_eq "server text ($mode): no forged log line (each is greyspf's)" \
	    "$(grep -vc '^greyspf: ' "$T/.err")" 0
	t_eq "server text ($mode): no control character in the log" "$(noctl "$T/.err")" 0
done
t_grep "a sentinel's host name: refused, said why" \
    'sentinel 127.0.0.1:27999: the master.s host is not an address or a host name: "10.0.0.1\?\[31m\?FORGED"' "$T/.err"
t_ok "server text: greyspf-stat, INFO with escapes" "$BIN/greyspf-stat" -c "$W/fevilget.conf"
t_grep "server text: greyspf-stat, the field shown" '^ *Redis version: 7.0' "$T/.out"
t_eq "server text: greyspf-stat, no control character" "$(noctl "$T/.out")" 0

# --- greyspf-configtest on a Redis spec ---------------------------------
t_ok "configtest: Redis answering" "$BIN/greyspf-configtest" -c "$W/ra.conf"
conf ctbad "redis://127.0.0.1:1" "x:" "storeFallback = defer"
t_rc "configtest: Redis not answering: exit 1" 1 "$BIN/greyspf-configtest" -c "$W/ctbad.conf"
t_grep "configtest: the reason" 'database server unavailable: 127.0.0.1:1: connecting' "$T/.err"
t_rc "configtest: a bad spec: exit 1" 1 "$BIN/greyspf-configtest" -c "$W/ctbad.conf" -d "redis://127.0.0.1:6379/x"
t_grep "configtest: a bad spec, said why" 'expected /DB' "$T/.err"

# --- Redis killed mid-run, then back --------------------------------------
# One long-lived process: a request on Redis, Redis killed, 20 requests
# (the fallback for each, none waiting on a connection attempt, one log
# line), Redis back: used again within seconds. Timeouts of 2 s: a
# request that waits on a connection attempt or a command takes 2 s or
# more, one that fails fast well under 1 s, even on a loaded machine.
down_run() {	# down_run FALLBACK
	conf "d$1" "redis+unix:$R" "down$1:" "storeFallback = $1" \
	    "databaseCommandTimeout = 2000" "databaseConnectTimeout = 2000"
	{
		echo "req 192.0.2.50 before@example.com r@example.org"
		echo "sh kill -9 \$(cat $T/r.pid)"
		i=0
		while [ $i -lt 20 ]; do
			echo "req 192.0.2.$((60 + i)) during@example.com r@example.org"
			i=$((i + 1))
		done
		echo "sh redis-server --port 0 --unixsocket $R --unixsocketperm 777 --save '' --appendonly no --dir $T --logfile $T/r.log --daemonize yes --pidfile $T/r.pid"
		echo "until 10 redis-cli -s $R ping >/dev/null"
		echo "retry 25 192.0.2.99 after@example.com r@example.org $HAS down$1: after@ -s $R"
	} >"$W/down.script"
	python3 "$HERE/policydrive.py" "$W/down.script" "$BIN/greyspf" -L -c "$W/d$1.conf" \
	    >"$W/down.$1.out" 2>"$W/down.$1.err"
	PIDS="$PIDS $(cat "$T/r.pid")"
}
down_run defer
t_eq "Redis down, defer: storeErrorAction for every request" \
    "$(grep -c 'during@example.com: action=defer_if_permit Service temporarily unavailable, greylist database error\. in' "$W/down.defer.out")" 20
t_eq "Redis down: one log line for the outage" \
    "$(grep -c 'greylist database: database server unavailable' "$W/down.defer.err")" 1
t_eq "Redis down: no request waited on a timeout" \
    "$(awk '/during@/ && $(NF - 1) + 0 > 1000' "$W/down.defer.out" | wc -l)" 0
t_grep "Redis back: used again within seconds" '^retry: ok after' "$W/down.defer.out"
t_grep "Redis back: the outage's cost told" 'working again; 2[0-9] requests were answered storeErrorAction' "$W/down.defer.err"
down_run dunno
t_eq "Redis down, dunno: every request let through" \
    "$(grep -c 'during@example.com: action=dunno in' "$W/down.dunno.out")" 20
t_eq "Redis down, dunno: one log line" \
    "$(grep -c 'greylist database: database server unavailable' "$W/down.dunno.err")" 1
t_grep "Redis back, dunno: used again" '^retry: ok after' "$W/down.dunno.out"
down_run local
t_eq "Redis down, local: every request greylisted on the local LMDB" \
    "$(grep -c "during@example.com: action=defer_if_permit Service unavailable, greylisted" "$W/down.local.out")" 20
t_eq "Redis down, local: one log line" \
    "$(grep -c 'greylisting against the local database' "$W/down.local.err")" 1
t_ok "Redis down, local: the entries are in the local LMDB" sh -c \
    "'$BIN/greyspf-dump' -c '$W/dlocal.conf' -d 'lmdb:$T/dlocal.fb' | grep -c during@ | grep -qx 20"
t_grep "Redis back, local: used again" '^retry: ok after' "$W/down.local.out"
t_grep "Redis back, local: the outage's cost told" 'working again; 2[0-9] requests were answered storeFallback local' "$W/down.local.err"

# --- daemon mode: a connection per loop process, kept ----------------------
# A greyspf daemon (-l, daemonProcesses = 2) on the same Redis, its
# clock read from a file (libfaketime's FAKETIME_TIMESTAMP_FILE, read at
# every call): time is injected by writing the file. (a) requests on
# many connections, greylisted then accepted after GREYLISTTIME, the
# entries in Redis; (b) each loop process connects to Redis once, at its
# first request, and keeps the connection for every later one; (c) Redis
# killed: every request answered from the local LMDB, one log line per
# loop process, none waits on a timeout; Redis back: written to again,
# said once per loop process.
DMS=$T/dm.sock
DCLOCK=$W/dm.clock
FAKELIB=${FAKELIB:-/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1}
need "$BUILD/tests/polclient"
t_ok "daemon: libfaketime found ($FAKELIB)" test -f "$FAKELIB"
conf dm "redis+unix:$R" "dmn:" "storeFallback = local" \
    "daemonProcesses = 2" "databaseCommandTimeout = 2000" \
    "databaseConnectTimeout = 2000"
dclock() {	# dclock SECONDS - the daemon's clock, frozen there
	TZ=UTC date -d "@$1" '+%Y-%m-%d %H:%M:%S' >"$DCLOCK"
}
dclock "$NOW"
# conns - the connections Redis has accepted so far (this one counted)
conns() {
	redis-cli -s "$R" INFO stats |
	    sed -n 's/^total_connections_received:\([0-9]*\).*/\1/p'
}
c0=$(conns)
TZ=UTC LD_PRELOAD="$FAKELIB" FAKETIME_TIMESTAMP_FILE="$DCLOCK" \
    FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 \
    "$BIN/greyspf" -L -c "$W/dm.conf" -l "unix:$DMS" 2>"$W/dm.log" &
DPID=$!
PIDS="$PIDS $DPID"
t_ok "daemon: started" wait_for 20 grep -q 'started 2 loop processes' "$W/dm.log"
dpc() { "$BUILD/tests/polclient" -a "unix:$DMS" "$@"; }
i=0
while [ $i -lt 5 ]; do req 192.0.2.$((150 + i)) dm@example.com r@example.org; i=$((i + 1)); done >"$W/qdm"
# Five triplets on three connections, one after the other, then 200
# connections at once, 10 requests each, over 50 other triplets.
for n in 1 2 3; do dpc -f "$W/qdm" >"$W/dm.a$n"; done
t_eq "daemon: five new triplets, greylisted on each of three connections" \
    "$(cat "$W"/dm.a[123] | grep -c "$GREY")" 15
dpc -c 200 -r 10 -t 50 >"$W/dm.c1" 2>&1
t_eq "daemon: 200 connections at once: no error" "$?" 0
t_grep "daemon: 200 connections at once: 2,000 greylisted" \
    '^2000 action=defer_if_permit$' "$W/dm.c1"
dclock $((NOW + 700))
dpc -f "$W/qdm" >"$W/dm.a4"
t_eq "daemon, after GREYLISTTIME: the five retries accepted" \
    "$(grep -c '^action=dunno$' "$W/dm.a4")" 5
dpc -c 200 -r 10 -t 50 -o 0 >"$W/dm.c2" 2>&1
t_eq "daemon, after GREYLISTTIME, 200 connections: no error" "$?" 0
t_grep "daemon, after GREYLISTTIME, 200 connections: all 2,000 accepted" \
    '^2000 action=dunno$' "$W/dm.c2"
# 4,020 requests on 204 Postfix connections: a Redis connection for
# each loop process that served (and the one that asks), no more. The
# kernel, not the test, deals the connections out: on a loaded machine
# one loop process may have taken them all, and the other never
# connected (a connection a request would make thousands).
dmconns=$(($(conns) - c0 - 1))
t_ok "daemon: one Redis connection per loop process at most, kept and reused ($dmconns)" \
    test "$dmconns" -ge 1 -a "$dmconns" -le 2
t_eq "daemon: the 55 entries in Redis, under the prefix" "$(nkeys "$R" dmn:)" 55
t_eq "daemon: none in the local LMDB (Redis answered)" \
    "$(test -e "$T/dm.fb" && echo there || echo absent)" absent
# Which process holds each connection Redis has (ss: the server's end
# names its peer's inode): each loop process one, nobody else.
rpids() {
	ss -xpn | awk -v r="$R" '$5 == r { peer[$8] = 1 }
	    $5 == "*" { s = $0; sub(/.*pid=/, "", s); sub(/,.*/, "", s)
		own[$6] = s }
	    END { for (i in peer) if (i in own) print own[i] }' | sort -n
}
t_eq "daemon: each Redis connection held by a loop process, one each" \
    "$(rpids | sort -u | wc -l) $(rpids | wc -l) $(rpids | grep -cvxF "$(pgrep -P "$DPID")")" \
    "$dmconns $dmconns 0"
# (c) Redis killed while the daemon runs.
kill -9 "$(cat "$T/r.pid")"
t_ok "daemon: Redis killed" wait_for 10 sh -c "! redis-cli -s '$R' ping >/dev/null 2>&1"
dclock $((NOW + 800))
i=0
while [ $i -lt 20 ]; do req 192.0.2.$((170 + i)) dmdown@example.com r@example.org; i=$((i + 1)); done >"$W/qdmd"
dcl=
for n in 1 2 3 4 5 6 7 8 9 10; do
	dpc -f "$W/qdmd" >"$W/dm.d$n" &
	dcl="$dcl $!"
done
for p in $dcl; do wait "$p"; done
t_eq "daemon, Redis down: 200 requests on 10 connections greylisted on the local LMDB" \
    "$(cat "$W"/dm.d* | grep -c "$GREY")" 200
# 200 more, each timed: with 2 s timeouts, one that waited on a
# connection attempt or a command would take 2 s or more.
dpc -c 10 -r 20 -t 20 -o 500 -m 1000 >"$W/dm.c3" 2>&1
t_eq "daemon, Redis down: no request waited on a timeout (none over 1 s)" \
    "$?" 0
t_grep "daemon, Redis down: those 200 greylisted too" \
    '^200 action=defer_if_permit$' "$W/dm.c3"
# served - the loop processes that fell back (the local LMDB mapped)
served() {
	for p in $(pgrep -P "$DPID"); do
		grep -q "$T/dm.fb" "/proc/$p/maps" && echo "$p"
	done | wc -l
}
nserved=$(served)
t_ok "daemon, Redis down: the local LMDB used ($nserved loop processes)" \
    test "$nserved" -ge 1
t_eq "daemon, Redis down: one log line per loop process that fell back" \
    "$(grep -c 'greylisting against the local database' "$W/dm.log")" "$nserved"
t_ok "daemon, Redis down: the 20 entries in the local LMDB" sh -c \
    "'$BIN/greyspf-dump' -c '$W/dm.conf' -d 'lmdb:$T/dm.fb' | grep -c dmdown@ | grep -qx 20"
t_nogrep "daemon, Redis down: not said to work again before Redis is back" \
    'working again' "$W/dm.log"
redis-server --port 0 --unixsocket "$R" --unixsocketperm 777 --save '' \
    --appendonly no --dir "$T" --logfile "$T/r.log" --daemonize yes \
    --pidfile "$T/r.pid"
wait_for 10 redis-cli -s "$R" ping >/dev/null
PIDS="$PIDS $(cat "$T/r.pid")"
# back - a request on a new triplet per loop process's chance (20
# connections); true once every loop process that fell back has said
# it works again
bk=0
back() {
	bk=$((bk + 1))
	dpc -c 20 -r 1 -t 20 -o $((1000 + 20 * bk)) >/dev/null 2>&1
	test "$(grep -c 'greylist database: working again' "$W/dm.log")" \
	    -ge "$nserved"
}
t_ok "daemon, Redis back: every loop process that fell back says so" \
    wait_for 30 back
t_eq "daemon, Redis back: said once per loop process, with the outage's cost" \
    "$(grep -c 'greylist database: working again; [0-9]* requests were answered storeFallback local' "$W/dm.log")" "$nserved"
t_ok "daemon, Redis back: new entries written to Redis" \
    test "$(nkeys "$R" dmn:)" -ge 1
# Every loop process that fell back has a connection again (it said it
# works again), one each, and only loop processes hold one.
t_ok "daemon, Redis back: each loop process that fell back holds one connection again" \
    test "$(rpids | sort -u | wc -l)" -ge "$nserved" -a \
    "$(rpids | sort -u | wc -l)" -eq "$(rpids | wc -l)" -a \
    "$(rpids | grep -cvxF "$(pgrep -P "$DPID")")" -eq 0
kill "$DPID"
wait "$DPID"
t_eq "daemon: SIGTERM, exit 0" "$?" 0

# --- sentinel failover ------------------------------------------------------
# A master, a replica, one sentinel deciding alone and fast.
redis-server --port 7001 --bind 127.0.0.1 --save '' --appendonly no --dir "$T" \
    --dbfilename m.rdb --logfile "$T/m.log" --repl-diskless-sync-delay 0 &
M=$!
redis-server --port 7002 --bind 127.0.0.1 --save '' --appendonly no --dir "$T" \
    --dbfilename s.rdb --logfile "$T/s.log" --replicaof 127.0.0.1 7001 &
PIDS="$PIDS $M $!"
# The sentinel has a password of its own (requirepass), the servers none.
printf 'port 27001\nbind 127.0.0.1\ndir %s\nlogfile %s/sentinel.log\nrequirepass Sentinel-9pw\nsentinel monitor gm 127.0.0.1 7001 1\nsentinel down-after-milliseconds gm 300\nsentinel failover-timeout gm 2000\n' \
    "$T" "$T" >"$T/sentinel.conf"
redis-sentinel "$T/sentinel.conf" &
PIDS="$PIDS $!"
SENT="redis-cli -p 27001 -a Sentinel-9pw --no-auth-warning"
t_ok "sentinel: the replica in sync" wait_for 20 sh -c "redis-cli -p 7002 info replication | grep -q master_link_status:up"
t_ok "sentinel: the sentinel knows the replica" wait_for 20 sh -c "$SENT sentinel replicas gm | grep -q 7002"
printf 'Sentinel-9pw\n' >"$W/sentinel.pw"
printf 'Wrong-Sentinel5\n' >"$W/sentinel.wrong"
chmod 644 "$W/sentinel.pw" "$W/sentinel.wrong"
# Without databaseSentinelPasswordFile, or with a wrong one: the
# sentinel's refusal is the reason logged (it was "no master named gm"),
# the request gets storeFallback, no password is logged.
conf senopw "redis-sentinel://127.0.0.1:27001/gm" "se:" "storeFallback = defer"
conf sewrong "redis-sentinel://127.0.0.1:27001/gm" "se:" "storeFallback = defer" \
    "databaseSentinelPasswordFile = $W/sentinel.wrong"
req 192.0.2.69 nopw@example.com r@example.org >"$W/q69"
t_ok "sentinel with a password, none given: answered" sh -c "'$BIN/greyspf' -L -c '$W/senopw.conf' <'$W/q69'"
t_grep "... storeFallback defer" "$STOREERR" "$T/.out"
t_grep "... the sentinel's refusal logged" 'sentinel 127\.0\.0\.1:27001: NOAUTH' "$T/.err"
t_ok "sentinel with a password, a wrong one given: answered" sh -c "'$BIN/greyspf' -L -c '$W/sewrong.conf' <'$W/q69'"
t_grep "... storeFallback defer" "$STOREERR" "$T/.out"
t_grep "... AUTH's refusal logged" 'sentinel 127\.0\.0\.1:27001: AUTH: (WRONGPASS|ERR invalid password)' "$T/.err"
t_nogrep "... no password in the log" 'Wrong-Sentinel5|Sentinel-9pw' "$T/.err"
conf sp "redis+unix:$R" "two:" "databaseSentinelPasswordFile = $W/sentinel.pw"
t_rc "configtest: a sentinel password for a database not behind sentinels" 1 \
    sh -c "'$BIN/greyspf-configtest' -c '$W/sp.conf' 2>&1"
t_grep "... said so" 'databaseSentinelPasswordFile: the database is not behind sentinels' "$T/.out"
conf se "redis-sentinel://127.0.0.1:27001/gm" "se:" "storeFallback = defer" \
    "databaseSentinelPasswordFile = $W/sentinel.pw"
t_ok "configtest: the sentinels' password file" "$BIN/greyspf-configtest" -c "$W/se.conf"
{
	echo "req 192.0.2.70 first@example.com r@example.org"
	echo "until 10 $HAS se: first@ -p 7002"
	echo "sh kill -9 $M"
	echo "until 30 $SENT sentinel get-master-addr-by-name gm | grep -q 7002"
	echo "retry 25 192.0.2.71 second@example.com r@example.org $HAS se: second@ -p 7002"
} >"$W/failover.script"
python3 "$HERE/policydrive.py" "$W/failover.script" "$BIN/greyspf" -L -c "$W/se.conf" \
    >"$W/failover.out" 2>"$W/failover.err"
t_grep "sentinel: the first request greylisted on the master" "192.0.2.70 first@example.com: action=defer_if_permit Service unavailable, greylisted" "$W/failover.out"
t_grep "sentinel: after the failover, the same process writes to the new master" '^retry: ok after' "$W/failover.out"
t_ok "sentinel: the first entry survived (replicated)" $HAS se: first@ -p 7002
