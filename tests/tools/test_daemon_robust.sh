#!/bin/sh
# requires: root
# test_daemon_robust.sh - the daemon against faults and stuck peers: a
# fault inside the database (a file cut short) answers only the request
# that met it, never another connection that took its descriptor's
# number, nor the supervisor's standard output; one that faults when it
# is opened leaves the loop process serving (storeErrorAction); a client
# that stops reading its replies is closed after idleTimeout.
. "$(dirname "$0")/lib.sh"
need python3 pgrep truncate

W=$T/w
mkdir -p "$W/config"
chmod 1777 "$W" "$T"
printf 'CHECKERS = greylist\n' >"$W/config/__default__"
chmod -R a+rX "$W/config"
SOCK=$W/s.sock
PID=
trap 'kill $PID 2>/dev/null; [ "${KEEP_T:-}" = 1 ] || rm -rf "$T"' EXIT
# conf [EXTRA...] - the daemon's configuration, one loop process
conf() {
	{
		printf 'configPath = %s\ndatabase = %s\nuser = nobody\n' \
		    "$W/config" "$W/db"
		printf 'daemonProcesses = 1\n'
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$W/g.conf"
}
# start - the daemon on a unix socket, ready; its stdout in $W/out
start() {
	rm -f "$W/log"
	"$BIN/greyspf" -L -c "$W/g.conf" -l "unix:$SOCK" 2>"$W/log" \
	    >"$W/out" &
	PID=$!
	wait_for 10 grep -q 'started .* loop processes' "$W/log"
}
stop() {
	kill "$PID" 2>/dev/null
	wait "$PID"
	PID=
}
# fill N - a database of N old entries (3,000: past the first pages)
fill() {
	rm -rf "$W/db"
	mkdir "$W/db"
	awk -v n="$1" -v t="$(date +%s)" 'BEGIN {
		print "VERSION=1\nformat=greyspf-greylist\nHEADER=END"
		for (i = 0; i < n; i++)
			printf "triplet 10.%d.%d.%d/32 s%d@example.com " \
			    "r@example.org %d.000000 %d.000000 %d.000000 0 -\n",
			    int(i / 65536) % 256, int(i / 256) % 256, i % 256,
			    i, t - 86400, t - 86400 + 300, t - 86400
		print "DATA=END" }' | "$BIN/greyspf-load" -d "$W/db" >/dev/null
	chown -R nobody "$W/db"
}

# 1. The database cut short while the daemon runs: a request that does
# not touch it (no client_address) is answered; the counters' flush
# after it faults, and the connection that took the closed one's
# descriptor number (it sent nothing) receives nothing.
conf
fill 3000
start
truncate -s 8192 "$W/db/data.mdb"
python3 - "$SOCK" >"$T/fault1" <<'PY'
import socket, sys, time
p = sys.argv[1]
a = socket.socket(socket.AF_UNIX); a.connect(p); a.settimeout(3)
a.sendall(b"request=smtpd_access_policy\nsender=a@example.com\n\n")
print("A", a.recv(4096))
a.close(); time.sleep(0.05)
b = socket.socket(socket.AF_UNIX); b.connect(p); b.settimeout(2.5)
try:
    print("B received", b.recv(4096))
except socket.timeout:
    print("B nothing")
PY
t_grep "fault in the counters' flush: the first request answered" "^A b'action=" "$T/fault1"
t_grep "fault in the counters' flush: no reply to a connection that asked nothing" '^B (nothing|received b.?.?$)' "$T/fault1"
t_grep "fault in the counters' flush: logged" 'a fault inside it' "$W/log"
stop
t_eq "fault in the counters' flush: nothing on the supervisor's stdout" \
    "$(cat "$W/out")" ""

# 2. A client pipelines requests and reads no reply: once its replies
# cannot be written for idleTimeout it is closed, and the only
# connection slot (maxConnections 1) serves another client.
conf 'maxConnections = 1' 'idleTimeout = 2'
rm -rf "$W/db"
start
python3 - "$SOCK" >"$T/stall" <<'PY'
import socket, sys, time
p = sys.argv[1]
req = (b"request=smtpd_access_policy\nclient_address=192.0.2.1\n"
    b"sender=a@example.com\nrecipient=b@example.org\n\n")
a = socket.socket(socket.AF_UNIX); a.connect(p); a.settimeout(1)
try:
    while True:
        a.sendall(req)
except socket.timeout:
    pass
time.sleep(3)
b = socket.socket(socket.AF_UNIX); b.connect(p); b.settimeout(3)
b.sendall(req)
try:
    print("B", b.recv(4096))
except socket.timeout:
    print("B no answer")
PY
t_grep "a client that reads no reply: another is served" "^B b'action=" "$T/stall"
t_grep "a client that reads no reply: logged" 'reply not read within idleTimeout' "$W/log"
stop

# 3. A database that faults as soon as it is opened (cut short before
# the daemon starts): requests are still answered, storeErrorAction as in
# spawn mode, not left in the listen backlog while loop processes die
# before they serve.
conf
fill 3000
truncate -s 8192 "$W/db/data.mdb"
start
printf 'request=smtpd_access_policy\nclient_address=192.0.2.1\nsender=a@example.com\nrecipient=b@example.org\n\n' >"$T/req"
timeout 5 "$BUILD/tests/polclient" -a "unix:$SOCK" -f "$T/req" >"$T/open1" 2>&1
t_grep "a database that faults at open: the request answered storeErrorAction" \
    '^action=defer_if_permit Service temporarily unavailable, greylist database error\.$' "$T/open1"
timeout 5 "$BUILD/tests/polclient" -a "unix:$SOCK" -f "$T/req" >"$T/open2" 2>&1
t_grep "a database that faults at open: the next one too" \
    '^action=defer_if_permit Service temporarily unavailable, greylist database error\.$' "$T/open2"
t_grep "a database that faults at open: logged" 'a fault inside it when opened' "$W/log"
t_nogrep "a database that faults at open: the loop process lives on" 'replacing it' "$W/log"
stop
t_eq "a database that faults at open: nothing on the supervisor's stdout" \
    "$(cat "$W/out")" ""
t_nogrep "no sanitizer report" 'Sanitizer|runtime error' "$W/log"
