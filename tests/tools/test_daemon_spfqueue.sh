#!/bin/sh
# requires: root
# test_daemon_spfqueue.sh - SPF checks in line for a worker (spfWorkers
# 1, a DNS server that never answers, in a network and mount namespace of
# its own, tests/spf/run.sh): one in line longer than a check may take
# is answered temperror; one whose client has gone is never asked, so
# it does not hold the worker from the next.
. "$(dirname "$0")/lib.sh"
need unshare ip python3 pgrep

if [ "${GREYSPF_IN_NS:-}" != 1 ]; then
	exec sh tests/spf/run.sh sh "$0"
fi
dns_sink
PID=
trap 'kill $DNS $PID 2>/dev/null; [ "${KEEP_T:-}" = 1 ] || rm -rf "$T"' EXIT

W=$T/w
mkdir -p "$W/config/envelope_recipient/spf.test"
chmod 1777 "$W" "$T"
printf 'CHECKERS = greylist\nOTHERCONFIGS = envelope_recipient\n' \
    >"$W/config/__default__"
printf 'CHECKERS = spf\n' >"$W/config/envelope_recipient/spf.test/__default__"
chmod -R a+rX "$W/config"
SOCK=$W/s.sock
# A check hangs on DNS until its deadline: spfTimeout 2 plus a second.
printf 'configPath = %s\ndatabase = %s\nuser = nobody\n' "$W/config" \
    "$W/db" >"$W/g.conf"
printf 'spfTimeout = 2\nspfDnsTimeout = 5\nspfDnsAttempts = 1\n' >>"$W/g.conf"
printf 'spfWorkers = 1\ndaemonProcesses = 1\n' >>"$W/g.conf"
"$BIN/greyspf" -L -c "$W/g.conf" -l "unix:$SOCK" 2>"$W/log" &
PID=$!
wait_for 10 grep -q 'started .* loop processes' "$W/log"
pc() { "$BUILD/tests/polclient" -a "unix:$SOCK" -H hang.example "$@"; }
# hold - the worker busy with a check until it expires (3 s)
hold() {
	pc -o 0 >"$T/hold" 2>&1 &
	HOLD=$!
	wait_for 5 sh -c "pgrep -P \$(pgrep -P $PID) >/dev/null"
	sleep 0.2	# its query sent before the next comes
}

# 1. In line longer than a check may take: answered temperror, before
# the check ahead of it ends and it would start its own (6 s).
hold
pc -o 1 >"$T/first" 2>&1 &
FIRST=$!
sleep 0.2	# in line behind the first
pc -o 2 >"$T/late" 2>&1
t_grep "in line past spfTimeout + 1 s: answered temperror" '^1 action=451$' "$T/late"
t_grep "... within that time, not after a check of its own" '^max_us [1-4][0-9]{6}$' "$T/late"
t_grep "... logged" 'no SPF worker free in time; answering temperror' "$W/log"
wait $HOLD $FIRST

# 2. A client gone while its check is in line: the worker goes to the
# next request at once, not to a check for nobody.
hold
python3 - "$SOCK" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"request=smtpd_access_policy\nclient_address=192.0.2.9\n"
    b"helo_name=h.hang.example\nsender=x@hang.example\n"
    b"recipient=r@spf.test\n\n")
time.sleep(0.2)
s.close()
PY
wait $HOLD
pc -o 3 >"$T/next" 2>&1
t_grep "after a client gone from the line: the next check is answered" '^1 action=451$' "$T/next"
t_grep "... after its own check only (3 s), not one for nobody first" '^max_us [1-4][0-9]{6}$' "$T/next"
kill $PID
wait $PID
PID=
t_nogrep "no sanitizer report" 'Sanitizer|runtime error' "$W/log"
