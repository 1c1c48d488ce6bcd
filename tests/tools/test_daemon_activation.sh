#!/bin/sh
# test_daemon_activation.sh - the daemon under systemd's protocols, with
# systemd-socket-activate (package systemd) in systemd's place: socket
# activation (LISTEN_FDS, LISTEN_PID: the first connection to the socket
# it made starts greyspf, which serves on it and binds nothing of its
# listen key, and leaves that socket in place when it stops) and
# readiness (NOTIFY_SOCKET, a unix datagram socket a python3 listener
# of the test's owns: READY=1 once the loop processes run; RELOADING=1
# then READY=1 at SIGHUP, a bad configuration too; STOPPING=1 at
# SIGTERM; each from the main process, as systemd's NotifyAccess=main
# wants). Unix sockets only, no network; as root greyspf drops to
# nobody before it notifies, as under systemd, and any user can run it.
. "$(dirname "$0")/lib.sh"
need systemd-socket-activate python3 timeout

W=$T/w
mkdir -p "$W/config"
chmod 1777 "$W" "$T"
printf 'CHECKERS = greylist\n' >"$W/config/__default__"
chmod -R a+rX "$W/config"
ACT=$W/act.sock		# systemd-socket-activate's
OWN=$W/own.sock		# the listen key's, never bound
NOTIFY=$W/notify.sock	# the notify listener's
printf 'configPath = %s\ndatabase = %s\nuser = nobody\n' "$W/config" \
    "$W/db" >"$W/g.conf"
printf 'listen = unix:%s\ndaemonProcesses = 2\n' "$OWN" >>"$W/g.conf"
chmod a+r "$W/g.conf"
SA=
NL=
# gone PID - it runs no more (a zombie, not yet reaped, has ended)
gone() {
	_st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)
	[ -z "$_st" ] || [ "$_st" = Z ]
}
# cleanup - whatever happened: greyspf stopped (its loop processes
# follow their supervisor: PR_SET_PDEATHSIG), killed if it will not;
# the listener killed.
cleanup() {
	if [ -n "$SA" ]; then
		kill "$SA" 2>/dev/null
		wait_for 15 gone "$SA" || kill -9 "$SA" 2>/dev/null
	fi
	[ -n "$NL" ] && kill "$NL" 2>/dev/null
	wait
	if [ "${KEEP_T:-}" = 1 ]; then echo "kept $T" >&2
	else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

# request SENDER - one request through systemd's socket; the reply in
# $T/reply (no answer within 10 s: none)
request() {
	printf '%s\n' request=smtpd_access_policy protocol_state=RCPT \
	    client_address=192.0.2.1 client_name=unknown helo_name=h.test \
	    "sender=$1" recipient=bob@example.net instance=1 "" >"$T/req"
	timeout 10 "$BUILD/tests/polclient" -a "unix:$ACT" -f "$T/req" \
	    >"$T/reply" 2>&1
}
# notes - the notify socket's messages so far, "PID STATE" a line
notes() { cat "$W/notes"; }
# notes_ge N - at least N messages so far
notes_ge() { [ "$(wc -l <"$W/notes")" -ge "$1" ]; }

# The notify listener: one line per state in each datagram, with the
# sender's pid from the kernel (SO_PASSCRED), as systemd reads it. It
# exits when the test's shell is gone, even killed.
: >"$W/notes"
python3 -c '
import os, socket, struct, sys
parent = os.getppid()
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
s.settimeout(1)
open(sys.argv[2], "w").close()
out = open(sys.argv[3], "a")
while os.getppid() == parent:
    try:
        msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
    except socket.timeout:
        continue
    pid = "-"
    for lev, typ, data in anc:
        if lev == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", data[:12])[0]
    for line in msg.decode(errors="replace").split("\n"):
        if line:
            out.write("%s %s\n" % (pid, line))
    out.flush()
' "$NOTIFY" "$W/notify-up" "$W/notes" &
NL=$!
wait_for 10 test -e "$W/notify-up"

# systemd-socket-activate passes on only the variables it is given.
set -- -E "NOTIFY_SOCKET=$NOTIFY"
for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	eval "[ -n \"\${$v+x}\" ]" && set -- "$@" -E "$v"
done
systemd-socket-activate -l "$ACT" "$@" "$BIN/greyspf" -D -L -c "$W/g.conf" \
    2>"$W/log" &
SA=$!
MAIN=$SA	# greyspf's pid, once systemd-socket-activate execs it
wait_for 10 test -S "$ACT"

# 1. Socket activation: the first connection starts greyspf, as the
# process systemd-socket-activate started (LISTEN_PID is its pid).
request alice@example.org
t_grep "activated: a request through systemd's socket is greylisted" \
    '^action=defer_if_permit .*[Gg]reylisted' "$T/reply"
t_eq "activated: greyspf is the process LISTEN_PID names" \
    "$(readlink "/proc/$SA/exe")" "$(readlink -f "$BIN/greyspf")"
t_grep "activated: greyspf took the socket from systemd" \
    'daemon: 1 listening sockets from systemd' "$W/log"
t_ok "activated: the listen key's socket is not bound" test ! -e "$OWN"
t_nogrep "activated: ... nor named in the log" "listening on unix:" "$W/log"

# 2. Readiness: READY=1, once, from the main process.
wait_for 10 notes_ge 1
t_eq "ready: READY=1 from the main process, once" "$(notes)" "$SA READY=1"

# 3. SIGHUP: RELOADING=1, then READY=1 once the new loop processes run;
# a bad configuration too (the old one kept).
kill -HUP "$SA"
wait_for 10 notes_ge 3
t_eq "SIGHUP: RELOADING=1 then READY=1, from the main process" \
    "$(notes | sed 1d)" "$(printf '%s RELOADING=1\n%s READY=1' "$SA" "$SA")"
t_grep "SIGHUP: the configuration read again" \
    'SIGHUP: configuration read again' "$W/log"
request carol@example.org
t_grep "SIGHUP: the new loop processes answer on systemd's socket" \
    '^action=defer_if_permit .*[Gg]reylisted' "$T/reply"
printf 'noSuchKey = 1\n' >>"$W/g.conf"
kill -HUP "$SA"
wait_for 10 notes_ge 5
t_eq "SIGHUP, a bad configuration: RELOADING=1 then READY=1" \
    "$(notes | sed 1,3d)" "$(printf '%s RELOADING=1\n%s READY=1' "$SA" "$SA")"
t_grep "SIGHUP, a bad configuration: kept the old one" \
    'keeping the old configuration' "$W/log"

# 4. SIGTERM: STOPPING=1, exit 0; systemd's socket is systemd's (left),
# the listen key's never made.
kill "$SA"
wait "$SA"
t_eq "SIGTERM: exit 0" "$?" 0
SA=
wait_for 10 notes_ge 6
t_eq "SIGTERM: STOPPING=1 from the main process, last" \
    "$(notes | sed 1,5d)" "$MAIN STOPPING=1"
t_ok "SIGTERM: systemd's socket left in place" test -S "$ACT"
t_ok "SIGTERM: nothing at the listen key's path" test ! -e "$OWN"
t_nogrep "no sanitizer report" 'Sanitizer|runtime error' "$W/log"
