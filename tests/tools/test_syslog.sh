#!/bin/sh
# requires: root
# test_syslog.sh - without -L greyspf logs to syslog: facility mail,
# ident greyspf with its pid, tumgreyspf's lines, and nothing on the
# protocol stream but replies. In daemon mode, each process logs its
# own pid (the ident is written at each fork, not asked of getpid() at
# every line). /dev/log is a test sink in a private mount namespace (a
# tmpfs over /dev, with /dev/null and /dev/log only).
. "$(dirname "$0")/lib.sh"
need unshare mount mknod

W=$T/w
mkdir -p "$W/config"
chmod 1777 "$W"
printf 'CHECKERS = greylist\nOTHERCONFIGS = client_address\n' >"$W/config/__default__"
chmod -R a+rX "$W/config"
printf 'configPath = %s/config\ndatabase = %s/db\nuser = nobody\n' "$W" "$W" >"$W/g.conf"
printf 'client_address=192.0.2.1\nsender=a@x\nrecipient=b@y\n\nbroken line\n\n' >"$W/in"
# sink_script OUT COUNT - a script's start: the namespace's /dev, and a
# sink at /dev/log writing COUNT messages to OUT, its pid in $sink
sink_script() {
	cat <<EOS
set -e
mount -t tmpfs tmpfs /dev
mknod -m 666 /dev/null c 1 3
"$BUILD/tests/logsink" /dev/log "$1" $2 >"$1.ready" &
sink=\$!
while ! grep -q ready "$1.ready" 2>/dev/null; do :; done
chmod 666 /dev/log
EOS
}
sink_script "$W/syslog" 2 >"$W/run.sh"
cat >>"$W/run.sh" <<EOS
"$BUILD/tests/sockdrive" "$BIN/greyspf" -c "$W/g.conf" <"$W/in" >"$W/out"
wait \$sink
EOS
t_ok "greyspf under a syslog sink" unshare -m sh "$W/run.sh"
t_grep "mail.info priority and ident with pid" \
    '^<22>.* greyspf\[[0-9]+\]: Initial greylisting: REMOTEIP="192.0.2.1" HELO="<UNKNOWN>" SENDER="a@x" RECIPIENT="b@y" QUEUEID="<UNKNOWN>"$' \
    "$W/syslog"
t_grep "warnings at mail.warning" '^<20>.* greyspf\[[0-9]+\]: ERROR: Could not match line "broken line"$' "$W/syslog"
printf 'action=defer_if_permit Service unavailable, greylisted (http://projects.puremagic.com/greylisting/).\n\naction=dunno\n\n' >"$W/want"
t_same "only replies on the protocol stream" "$W/out" "$W/want"

sink_script "$W/dsyslog" 5 >"$W/drun.sh"
cat >>"$W/drun.sh" <<EOS
"$BIN/greyspf" -c "$W/g.conf" -l "unix:$W/d.sock" &
d=\$!
echo \$d >"$W/dpid"
i=0
until "$BUILD/tests/polclient" -a "unix:$W/d.sock" -c 1 -r 1 >/dev/null 2>&1; do
	i=\$((i + 1)); [ \$i -lt 500 ] || exit 1
	sleep 0.01
done
kill \$d
wait \$d
wait \$sink
EOS
t_ok "daemon under a syslog sink" unshare -m sh "$W/drun.sh"
dpid=$(cat "$W/dpid")
t_grep "daemon: the supervisor's pid" "^<2[0-9]>.* greyspf\\[$dpid\\]: daemon: listening on unix:" "$W/dsyslog"
lpid=$(sed -n 's/.* greyspf\[\([0-9]*\)\]: Initial greylisting: .*/\1/p' "$W/dsyslog")
t_ok "daemon: a request logged with its loop process's pid ($lpid, not $dpid)" \
    test -n "$lpid" -a "$lpid" != "$dpid"

# The ident carries the pid: no getpid() a line (LMDB asks at open and
# at close, log.c once at start, ASan's runtime once; LeakSanitizer,
# which does not work under ptrace, off), here 20 requests, 20 lines.
if command -v strace >/dev/null 2>&1; then
	awk 'BEGIN { for (i = 0; i < 20; i++)
	    printf "client_address=192.0.2.%d\nsender=a@x\nrecipient=b@y\n\n", i + 10 }' >"$W/in20"
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
	    strace -f -qq -e trace=getpid -o "$W/getpid" "$BIN/greyspf" -c "$W/g.conf" \
	    <"$W/in20" >"$W/out20"
	t_ok "20 replies" test "$(grep -c '^action=' "$W/out20")" -eq 20
	n=$(grep -c getpid "$W/getpid" || :)
	t_ok "no getpid() a log line ($n calls for 20 lines)" test "$n" -le 5
fi
