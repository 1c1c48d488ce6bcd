#!/bin/sh
# requires: root
# test_daemon.sh - greyspf as a daemon (-l), in a network and mount
# namespace of its own (tests/spf/run.sh: lo up, resolv.conf naming
# 127.0.0.1, where a DNS server that never answers runs): the fixtures'
# transcripts give spawn mode's replies byte for byte on a unix socket and
# on TCP; 1,000 concurrent connections over overlapping triplets; slow,
# silent, half-closed and dropped connections beside normal ones; an SPF
# check hanging on DNS while greylist requests go on; maxConnections;
# SIGHUP with a bad and a good configuration (a whitelist file read
# again); SIGTERM with a request in flight; kill -9 of a loop process
# and of an SPF worker. Greylist time is injected (faketime, frozen),
# never slept for.
. "$(dirname "$0")/lib.sh"
need unshare ip faketime python3 pgrep

if [ "${GREYSPF_IN_NS:-}" != 1 ]; then
	exec sh tests/spf/run.sh sh "$0"
fi
dns_sink
PID=
WPID=
trap 'kill $DNS $PID 2>/dev/null; [ "${KEEP_T:-}" = 1 ] || rm -rf "$T"' EXIT
ulimit -n 20000 2>/dev/null

W=$T/w
mkdir -p "$W/config/envelope_recipient/spf.test"
chmod 1777 "$W" "$T"
printf 'CHECKERS = greylist\nOTHERCONFIGS = envelope_recipient\n' \
    >"$W/config/__default__"
printf 'CHECKERS = spf\n' >"$W/config/envelope_recipient/spf.test/__default__"
chmod -R a+rX "$W/config"
SOCK=$W/s.sock
TCP=127.0.0.1:10040
# conf [EXTRA...] - the daemon's configuration
conf() {
	{
		printf 'configPath = %s\ndatabase = %s\nuser = nobody\n' \
		    "$W/config" "$W/db"
		printf 'spfTimeout = 6\nspfDnsTimeout = 5\nspfDnsAttempts = 1\n'
		printf 'requestTimeout = 3\nidleTimeout = 3\n'
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$W/g.conf"
}
# start [faketime-date] - the daemon, on both sockets, ready: PID is
# the daemon, WPID what to wait for (faketime runs it as its child)
start() {
	rm -f "$W/log"
	if [ -n "${1:-}" ]; then
		FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=UTC faketime -f "$1" \
		    "$BIN/greyspf" -L -c "$W/g.conf" -l "inet:$TCP" \
		    -l "unix:$SOCK" 2>"$W/log" &
		WPID=$!
		wait_for 10 pgrep -P $WPID >/dev/null
		PID=$(pgrep -P $WPID)
	else
		"$BIN/greyspf" -L -c "$W/g.conf" -l "inet:$TCP" \
		    -l "unix:$SOCK" 2>"$W/log" &
		WPID=$!
		PID=$WPID
	fi
	wait_for 10 grep -q 'started .* loop processes' "$W/log"
}
stop() {
	kill "$PID"
	wait "$WPID"
	STOP_RC=$?
	PID=
}
pc() { "$BUILD/tests/polclient" "$@"; }
# loops - the daemon's loop processes
loops() { pgrep -P "$PID" | sort; }
# gone PID... - none of them runs (a zombie, not yet reaped, has ended)
gone() {
	for p in "$@"; do
		_st=$(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null)
		[ -z "$_st" ] || [ "$_st" = Z ] || return 1
	done
}

# phase_time FIXTURE N - when the original got phase N (run-info.json)
phase_time() {
	awk -v n="$2" '/"sent_at"/ { if (++i == n) { gsub(/[^0-9.]/, ""); print } }' \
	    "$FIXTURES/$1/run-info.json"
}

# 1. Transcripts: spawn mode's replies, byte for byte; unix socket with
# the whole input then a half-close, TCP a request at a time.
for fx in tumgreyspf-v2-triplet-ignorelastbyte tumgreyspf-v3-iponly; do
	for via in unix tcp; do
		X=$T/$fx.$via
		mkdir -p "$X"
		chmod 1777 "$X"
		sed -e "s|/srv/tumgreyspf/config|$X/config|" \
		    "$FIXTURES/$fx/config/tumgreyspf.conf" >"$X/spawn.conf"
		cp -r "$FIXTURES/$fx/config" "$X/config"
		chmod -R u+w,a+rX "$X/config"
		cp "$X/spawn.conf" "$W/g.conf"
		printf "database = '%s'\nuser = nobody\n" "$X/db" >>"$X/spawn.conf"
		printf "database = '%s'\nuser = nobody\n" "$X/ddb" >>"$W/g.conf"
		: >"$X/spawn"
		: >"$X/daemon"
		for n in 1 2 3; do
			in=$FIXTURES/$fx/requests-phase$n.txt
			ts=$(TZ=UTC date -d "@$(phase_time "$fx" $n)" '+%Y-%m-%d %H:%M:%S.%N')
			TZ=UTC faketime -f "$ts" "$BUILD/tests/sockdrive" \
			    "$BIN/greyspf" -L -c "$X/spawn.conf" <"$in" \
			    >>"$X/spawn" 2>/dev/null
			start "$ts"
			if [ $via = unix ]; then
				pc -a "unix:$SOCK" -h -f "$in" >>"$X/daemon"
			else
				pc -a "inet:$TCP" -f "$in" >>"$X/daemon"
			fi
			stop
		done
		t_same "$fx over $via: the daemon's replies are spawn mode's" \
		    "$X/daemon" "$X/spawn"
		t_eq "$fx over $via: every request answered" \
		    "$(grep -c '^action=' "$X/daemon")" \
		    "$(grep -c '^action=' "$FIXTURES/$fx/replies.txt")"
	done
done

# 2. 1,000 concurrent connections, 10 requests each, over 500 triplets
# shared between them and between the two loop processes; then, 700 s
# later, every triplet passes: no entry was lost.
conf
start "2026-01-01 00:00:00"
pc -a "unix:$SOCK" -c 1000 -r 10 -t 500 >"$T/c1" 2>&1
t_eq "1,000 connections: no error" "$?" 0
t_grep "1,000 connections: 10,000 deferred" '^10000 action=defer_if_permit$' "$T/c1"
stop
"$BIN/greyspf-stat" -d "$W/db" >"$T/stat" 2>&1
t_grep "1,000 connections: 500 entries, none lost" '^  Entries: 500$' "$T/stat"
start "2026-01-01 00:11:40"
pc -a "inet:$TCP" -c 1000 -r 10 -t 500 >"$T/c2" 2>&1
t_eq "1,000 connections over TCP, later: no error" "$?" 0
t_grep "1,000 connections, later: all 10,000 pass" '^10000 action=dunno$' "$T/c2"
stop
t_eq "SIGTERM: exit 0" "$STOP_RC" 0
t_ok "SIGTERM: the unix socket removed" test ! -e "$SOCK"
t_nogrep "no request logged as bad" 'closing the connection|ERROR' "$W/log"

# 3. Slow, silent, half-closed and dropped connections; the others keep
# their pace. requestTimeout 5: the slow request (261 bytes, 2.6 s) is
# well within it; the silent one is closed after 5 to 6 s (timers run on
# a 1 s tick). A loop blocked on the slow client (>= 2.6 s) or on the
# silent one (>= 5 s) holds a busy request over the 2 s bound; a reply
# that is only late on a loaded machine stays under it.
rm -rf "$W/db"
conf 'requestTimeout = 5'
start
pc -a "unix:$SOCK" -s 10 >"$T/slow" 2>&1 &
SLOW=$!
pc -a "unix:$SOCK" -k 9000 >"$T/silent" 2>&1 &
SILENT=$!
pc -a "inet:$TCP" -x 10000 >"$T/drop" 2>&1 &
DROP=$!
pc -a "unix:$SOCK" -c 10 -r 300 -t 50 -m 2000 >"$T/busy" 2>&1
t_eq "beside slow, silent and dropped ones: 3,000 replies, none over 2 s" \
    "$?" 0
wait $DROP
t_eq "10,000 connections opened and dropped" "$?" 0
wait $SLOW
t_eq "a byte every 10 ms: answered" "$?" 0
wait $SILENT
t_eq "no empty line: closed without a reply (requestTimeout)" "$?" 0
t_grep "no empty line: logged" 'request timeout; closing the connection without a reply' "$W/log"
printf 'client_address=192.0.2.1\nsender=a@b.example\nrecipient=c@d.example\n\n' >"$T/one"
cat "$T/one" "$T/one" >"$T/two"
pc -a "unix:$SOCK" -h -f "$T/two" >"$T/half"
t_eq "half-closed after two requests: both answered" \
    "$(grep -c '^action=' "$T/half")" 2
# idleTimeout 3: closed after 3 to 4 s; polclient stops waiting then.
pc -a "unix:$SOCK" -i 1 -w 6500 >"$T/idle" 2>&1
t_eq "idle past idleTimeout: closed" "$?" 1
stop
conf

# 4. An SPF check hanging on DNS on one connection; greylist requests on
# others keep their latency. A request stuck behind the hanging check
# would wait for its DNS timeout (5 s): well over the 2.5 s bound.
start
pc -a "unix:$SOCK" -H hang.example >"$T/spf" 2>&1 &
SPF=$!
wait_for 5 sh -c "for p in \$(pgrep -P $PID); do pgrep -P \$p; done | grep -q ."
pc -a "inet:$TCP" -c 4 -r 250 -t 50 -m 2500 >"$T/grey" 2>&1
t_eq "greylist requests while SPF hangs: none over 2.5 s" "$?" 0
t_ok "the SPF check was still waiting then" kill -0 $SPF
wait $SPF
t_eq "the hanging SPF check answered" "$?" 0
t_grep "... with the temperror action" '^1 action=451$' "$T/spf"
t_grep "... after waiting for DNS (a second at least)" '^max_us [0-9]{7}' "$T/spf"

# 5. SPF workers killed while idle: reaped, no spinning loop; then kill -9
# of the worker of a check in flight: that check is a temperror at once.
# spf_workers - the loop processes' children
spf_workers() { for p in $(pgrep -P "$PID"); do pgrep -P "$p"; done; }
idle=$(spf_workers | tr '\n' ' ')
t_ok "an idle SPF worker is there" test -n "$idle"
c0=$(cat $(for p in $(loops); do echo /proc/$p/stat; done) | awk '{t += $14 + $15} END {print t}')
kill -9 $idle
wait_for 5 grep -q 'ended while idle' "$W/log"
t_grep "SPF worker killed while idle: reaped, logged" 'SPF worker [0-9]+ ended while idle \(signal 9\)' "$W/log"
sleep 1	# an interval to measure CPU over, not a wait for an event
c1=$(cat $(for p in $(loops); do echo /proc/$p/stat; done) | awk '{t += $14 + $15} END {print t}')
t_ok "SPF worker killed while idle: no busy loop (CPU ticks $c0 -> $c1)" \
    test $((c1 - c0)) -lt 30
pc -a "unix:$SOCK" -H hang.example -o 1 >"$T/spf2" 2>&1 &
SPF=$!
wait_for 5 sh -c "for p in \$(pgrep -P $PID); do pgrep -P \$p; done | grep -q ."
kill -9 $(spf_workers)
wait $SPF
t_eq "SPF worker killed: the check answered" "$?" 0
t_grep "SPF worker killed: logged" 'SPF engine crashed \(signal 9\)' "$W/log"
# Under 4 s (the kill, seen through wait_for and pgrep, is part of it): a
# worker's death that went unnoticed waits for the DNS timeout (5 s).
t_grep "SPF worker killed: answered before its DNS timeout" \
    '^max_us ([0-9]{1,6}|[1-3][0-9]{6})$' "$T/spf2"

# 6. kill -9 of a loop process: replaced; the service goes on.
before=$(loops | tr '\n' ' ')
kill -9 "$(loops | head -1)"
wait_for 5 grep -q 'killed by signal 9; replacing it' "$W/log"
t_grep "loop process killed: logged" 'killed by signal 9; replacing it' "$W/log"
wait_for 10 sh -c "[ \$(pgrep -P $PID | wc -l) -eq 2 ]"
after=$(loops | tr '\n' ' ')
t_eq "loop process killed: two again" "$(loops | wc -l)" 2
t_ok "loop process killed: a new one" test "$before" != "$after"
# Its replacement killed at once, well within DAEMON_STABLE_MS (5 s) of
# its start: the next waits (no crash loop spin).
for p in $after; do
	case " $before " in *" $p "*) ;; *) new=$p ;; esac
done
kill -9 "$new"
wait_for 10 grep -q 'the next in [0-9]* ms' "$W/log"
t_grep "a quick death: the next start delayed" 'it lived [0-9]+ ms: the next in [0-9]+ ms' "$W/log"
wait_for 10 sh -c "[ \$(pgrep -P $PID | wc -l) -eq 2 ]"
t_eq "a quick death: replaced after the delay" "$(loops | wc -l)" 2
pc -a "unix:$SOCK" -c 20 -r 20 -t 50 >"$T/after" 2>&1
t_eq "loop processes killed: the service answers" "$?" 0

# 7. SIGHUP: a bad configuration is reported and the old one kept; a
# good one replaces the loop processes, which use it.
cp "$W/g.conf" "$W/good.conf"
printf 'bogusKey = 1\n' >>"$W/g.conf"
before=$(loops | tr '\n' ' ')
kill -HUP "$PID"
wait_for 5 grep -q 'keeping the old configuration' "$W/log"
t_grep "SIGHUP, bad configuration: file:line" 'g\.conf:[0-9]+: .*bogusKey' "$W/log"
t_grep "SIGHUP, bad configuration: the old one kept" 'keeping the old configuration' "$W/log"
t_eq "SIGHUP, bad configuration: the same loop processes" "$(loops | tr '\n' ' ')" "$before"
pc -a "unix:$SOCK" -c 2 -r 5 >/dev/null 2>&1
t_eq "SIGHUP, bad configuration: still answering" "$?" 0
cp "$W/good.conf" "$W/g.conf"
printf 'debugLevel = 2\n' >>"$W/g.conf"
# The client whitelist (whitelistClients) is read at start and at
# SIGHUP: 192.0.2.77, greylisted before, is whitelisted after.
printf '192.0.2.1\n' >"$W/wl"
printf 'whitelistClients = %s\n' "$W/wl" >>"$W/g.conf"
printf 'client_address=192.0.2.77\nsender=wl@example.com\nrecipient=r@example.net\n\n' >"$T/wlreq"
pc -a "unix:$SOCK" -f "$T/wlreq" >"$T/wl.before" 2>&1
t_grep "before SIGHUP: 192.0.2.77 greylisted" '^action=defer_if_permit' "$T/wl.before"
printf '192.0.2.77\n' >>"$W/wl"
kill -HUP "$PID"
wait_for 5 grep -q 'configuration read again' "$W/log"
wait_for 5 sh -c "[ \"\$(pgrep -P $PID | sort | tr '\n' ' ')\" != '$before' ] && [ \$(pgrep -P $PID | wc -l) -eq 2 ]"
pc -a "unix:$SOCK" -c 1 -r 1 >/dev/null 2>&1
t_eq "SIGHUP, good configuration: answering" "$?" 0
t_grep "SIGHUP, good configuration: applied (debugLevel 2)" 'Config: SPFSEEDONLY=' "$W/log"
pc -a "unix:$SOCK" -f "$T/wlreq" >"$T/wl.after" 2>&1
t_grep "SIGHUP: the whitelist file read again, 192.0.2.77 whitelisted" \
    '^action=dunno$' "$T/wl.after"
t_grep "... logged with the file and line" 'Whitelisted \(client, [^ ]*/wl:2\)' "$W/log"

# 8. SIGTERM with a request in flight: it is answered, then the daemon
# exits.
pc -a "unix:$SOCK" -H hang.example -o 2 >"$T/spf3" 2>&1 &
SPF=$!
wait_for 5 sh -c "for p in \$(pgrep -P $PID); do pgrep -P \$p; done | grep -q ."
kill "$PID"
wait $SPF
t_eq "SIGTERM with an SPF check in flight: it is answered" "$?" 0
wait "$WPID"
t_eq "SIGTERM with a request in flight: exit 0" "$?" 0
PID=

# 9. maxConnections 5 in one loop process: 40 connections queue in the
# kernel's backlog and are all served in turn.
conf 'maxConnections = 5' 'daemonProcesses = 1'
start
pc -a "unix:$SOCK" -c 40 -r 3 -t 10 >"$T/max" 2>&1
t_eq "maxConnections 5, 40 connections: all served" "$?" 0
t_grep "maxConnections 5: 120 replies" '^replies 120$' "$T/max"
stop
t_nogrep "no sanitizer report" 'Sanitizer|runtime error' "$W/log"

# 10. kill -9 of the supervisor: its loop processes stop (parent-death
# signal); every entry committed before is there when a new daemon, which
# binds at once, answers 700 s later.
conf
rm -rf "$W/db"
start "2026-02-01 00:00:00"
pc -a "unix:$SOCK" -c 50 -r 20 -t 300 >"$T/k1" 2>&1
t_grep "before kill -9: 1,000 deferred" '^1000 action=defer_if_permit$' "$T/k1"
L=$(loops | tr '\n' ' ')
kill -9 "$PID"
wait "$WPID" 2>/dev/null
wait_for 10 gone $L
t_ok "supervisor killed: its loop processes gone" gone $L
start "2026-02-01 00:11:40"
t_grep "supervisor killed: a new daemon starts at once" 'started 2 loop processes' "$W/log"
pc -a "inet:$TCP" -c 50 -r 20 -t 300 >"$T/k2" 2>&1
t_grep "supervisor killed: no committed entry lost (all pass)" '^1000 action=dunno$' "$T/k2"
stop

# 11. Few descriptors (ulimit -n 40): fewer connections are accepted, so
# that every request can still open its files; all served in turn.
conf 'daemonProcesses = 1'
rm -f "$W/log"
(ulimit -n 40 && exec "$BIN/greyspf" -L -c "$W/g.conf" -l "unix:$SOCK" \
    2>"$W/log") &
WPID=$!
PID=$WPID
wait_for 10 grep -q 'started .* loop processes' "$W/log"
pc -a "unix:$SOCK" -c 100 -r 3 -t 10 >"$T/emfile" 2>&1
t_eq "descriptors: 100 connections at a limit of 40, all served" "$?" 0
t_grep "descriptors: maxConnections lowered to what the limit allows" \
    'maxConnections 1100: only [0-9]+ with 40 descriptors' "$W/log"
t_nogrep "descriptors: none short for a request (per-entity files, database)" \
    'Too many open files' "$W/log"
stop
t_nogrep "no sanitizer report (few descriptors)" 'Sanitizer|runtime error' "$W/log"
