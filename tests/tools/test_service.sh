#!/bin/sh
# requires: root
# test_service.sh - greyspf as Postfix's spawn runs it, over a socket:
# hostile input (one named case each), bad configuration, a store that
# cannot be written, privilege drop, and 100 processes at once.
. "$(dirname "$0")/lib.sh"
need faketime awk stat

W=$T/w
mkdir -p "$W/config"
chmod 1777 "$W"
printf 'CHECKERS = greylist\nGREYLISTTIME = 600\nOTHERCONFIGS = client_address\n' \
    >"$W/config/__default__"
chmod -R a+rX "$W/config"
cat >"$W/g.conf" <<EOC
configPath = $W/config
database = $W/db
user = nobody
EOC
NOW="2026-11-21 04:38:57"
gs() { TZ=UTC faketime -f "$NOW" "$BUILD/tests/sockdrive" "$@" "$BIN/greyspf" -L -c "$W/g.conf"; }
req() { printf 'request=smtpd_access_policy\nclient_address=%s\nsender=%s\nrecipient=%s\n\n' "$1" "$2" "$3"; }
# The greylist entries (the statistics counters move with every request).
dump() { "$BIN/greyspf-dump" -d "$W/db" 2>&1 | grep -v '^counters ' >"$1"; }
NEW='action=defer_if_permit Service unavailable, greylisted (http://projects.puremagic.com/greylisting/).'
PEND='action=defer_if_permit Service unavailable, greylisted.'

req 192.0.2.1 a@x b@y >"$W/in"
t_ok "first request" gs <"$W/in"
t_eq "first request: new entry deferred" "$(head -1 "$T/.out")" "$NEW"
t_eq "reply ends with an empty line" "$(od -An -c "$T/.out" | tr -d ' \n' | tail -c 4)" '\n\n'
t_ok "db owned by the dropped user" test "$(stat -c %U "$W/db/data.mdb")" = nobody
dump "$W/base"

# hostile NAME DIAGNOSTIC - $W/in must get no reply beyond $W/want;
# the process exits 0 and the database is unchanged.
hostile() {
	gs $SD_OPTS <"$W/in" >"$W/out" 2>"$W/err"
	rc=$?
	t_eq "$1: exits 0" "$rc" 0
	t_same "$1: replies" "$W/out" "$W/want"
	t_grep "$1: logged" "$2" "$W/err"
	dump "$W/now"
	t_same "$1: database unchanged" "$W/now" "$W/base"
}
SD_OPTS=
: >"$W/want"
{ printf 'client_address=192.0.2.2\nsender='; head -c 3000 /dev/zero | tr '\0' a; printf '\n\n'; } >"$W/in"
hostile "over-long line" 'line too long; closing the connection without a reply'
printf 'client_address=192.0.2.2\nsender=a\000b@x\nrecipient=b@y\n\n' >"$W/in"
hostile "NUL byte" 'NUL byte in request; closing'
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "attr%d=v\n", i; print "" }' >"$W/in"
hostile "10,000 attributes" 'too many attributes in one request'
awk 'BEGIN { s = sprintf("%1500s", ""); gsub(/ /, "v", s); for (i = 0; i < 20; i++) printf "a%d=%s\n", i, s; print "" }' >"$W/in"
hostile "request over 16 KiB" 'request too large'
printf 'client_address=192.0.2.3\nsender=a@x\nrecipient=b@y\n' >"$W/in"
gs <"$W/in" >"$W/out" 2>"$W/err"
t_eq "no trailing blank line: exits 0" "$?" 0
t_same "no trailing blank line: no reply" "$W/out" "$W/want"
dump "$W/now"
t_same "no trailing blank line: database unchanged" "$W/now" "$W/base"
# Binary junk: printable-free bytes, newlines among them, no NUL; the
# lines that are not name=value are ignored, then the junk is too long.
awk 'BEGIN { srand(42); for (i = 0; i < 4000; i++) { c = int(rand() * 255) + 1; printf "%c", c } }' >"$W/in"
hostile "binary junk" 'closing the connection without a reply|Could not match line'
# A good request, then a bad one: the first is answered, then close.
{ req 192.0.2.1 a@x b@y; head -c 3000 /dev/zero | tr '\0' x; echo; } >"$W/in"
echo "$PEND" >"$W/want"; echo >>"$W/want"
hostile "good then bad" 'line too long'
# A client that drips one byte a write gets the same answers.
{ req 192.0.2.1 a@x b@y; req 192.0.2.1 a@x b@y; } >"$W/in"
printf '%s\n\n%s\n\n' "$PEND" "$PEND" >"$W/want"
SD_OPTS="-c 1"
hostile "slow client, one byte a write" 'Pending greylisting'
# A client that says nothing: the idle limit (1 s here) ends it.
SD_OPTS=-k
printf 'client_address=192.0.2.1\n' >"$W/in"
: >"$W/want"
cp "$W/g.conf" "$W/g.save"
echo "idleTimeout = 1" >>"$W/g.conf"
hostile "silent client hits the idle limit" 'idle timeout; closing'
cp "$W/g.save" "$W/g.conf"
SD_OPTS=

# Limits on the real clock (no faketime: its clock stands still), kept
# small: a second at most each.
# A client that drips a byte every 100 ms, so that no read waits the
# idle limit: requestTimeout (1 s) ends the request begun, long before
# its 9 s of bytes are sent.
req 192.0.2.1 a@x b@y >"$W/in"
cp "$W/g.conf" "$W/g.save"
printf 'requestTimeout = 1\nidleTimeout = 5\n' >>"$W/g.conf"
"$BUILD/tests/sockdrive" -c 1 -w 100 -k "$BIN/greyspf" -L -c "$W/g.conf" \
    <"$W/in" >"$W/out" 2>"$W/err"
t_eq "dripping client: exits 0" "$?" 0
t_eq "dripping client: no reply" "$(wc -c <"$W/out")" 0
t_grep "dripping client: requestTimeout ends it" \
    'request timeout; closing the connection without a reply' "$W/err"
dump "$W/now"
t_same "dripping client: database unchanged" "$W/now" "$W/base"
# A request at a byte every 5 ms (under half a second) is served: with
# requestTimeout 5, so that a loaded machine's late wake-ups in the drip
# do not reach it.
req 192.0.2.99 a@x b@y >"$W/in"
cp "$W/g.conf" "$W/g.quick"
printf 'requestTimeout = 5\n' >>"$W/g.quick"
"$BUILD/tests/sockdrive" -c 1 -w 5 "$BIN/greyspf" -L -c "$W/g.quick" \
    <"$W/in" >"$W/out" 2>"$W/err"
t_eq "quick dripping client: answered" "$(head -1 "$W/out")" "$NEW"
# A peer that sends 20,000 requests and never reads a reply: once the
# socket is full, the reply that waits idleTimeout (1 s) ends the
# process (timeout(1) stops a process blocked for ever).
printf 'idleTimeout = 1\n' >>"$W/g.conf"
awk 'BEGIN { for (i = 0; i < 20000; i++) print "" }' >"$W/in"
timeout 30 "$BUILD/tests/sockdrive" -n "$BIN/greyspf" -L -c "$W/g.conf" \
    <"$W/in" >"$W/out" 2>"$W/err"
t_eq "peer that never reads: greyspf exits 0 within the limit" "$?" 0
t_grep "peer that never reads: the stuck reply logged" \
    'writing reply: Connection timed out' "$W/err"
cp "$W/g.save" "$W/g.conf"

# CRLF, duplicate attributes, case: tumgreyspf's reading.
printf 'client_address=192.0.2.1\r\nsender=X@Y\r\nsender=A@X\r\nrecipient=B@Y\r\n\r\n' >"$W/in"
t_ok "CRLF request" gs <"$W/in"
t_eq "CRLF, last duplicate wins, lower-cased" "$(head -1 "$T/.out")" "$PEND"
printf '\n' >"$W/in"
t_ok "empty request" gs <"$W/in"
t_eq "empty request answered dunno, as the original" "$(head -1 "$T/.out")" "action=dunno"

# Closed standard descriptors (issue 11 F4): /dev/null takes their
# numbers before anything is opened, so no reply or message ever lands
# in the database's files; the closed one still fails, and says so.
F=$T/fds
mkdir -p "$F"
chmod 1777 "$F"
sed "s|^database = .*|database = $F/db|" "$W/g.conf" >"$F/g.conf"
req 192.0.2.7 a@x b@y >"$F/in"
"$BIN/greyspf" -L -c "$F/g.conf" <"$F/in" >&- 2>"$F/err"
t_eq "stdout closed: exits 0" "$?" 0
t_grep "stdout closed: the failed reply logged" 'writing reply' "$F/err"
"$BIN/greyspf" -L -c "$F/g.conf" <"$F/in" >"$F/out" 2>&-
t_eq "stderr closed: exits 0" "$?" 0
t_eq "stderr closed: the reply on stdout" "$(head -1 "$F/out")" "$PEND"
"$BIN/greyspf" -L -c "$F/g.conf" <&- >"$F/out" 2>"$F/err"
t_eq "stdin closed: exits 0" "$?" 0
t_eq "stdin closed: no reply" "$(wc -c <"$F/out")" 0
cat "$F"/db/* >"$F/dbfiles"
t_nogrep "closed descriptors: nothing written into the database's files" \
    'action=|greylisting|REMOTEIP' "$F/dbfiles"

# Bad configuration: start-up fails with file:line, nothing on stdout.
printf 'database = %s\nnoSuchKey = 1\n' "$W/db" >"$W/bad.conf"
req 192.0.2.1 a@x b@y >"$W/in"
t_rc "bad config: exit 1" 1 sh -c "'$BUILD/tests/sockdrive' '$BIN/greyspf' -L -c '$W/bad.conf' <'$W/in'"
t_grep "bad config: file:line" 'bad.conf:2: unknown key "noSuchKey"' "$T/.err"
t_eq "bad config: nothing on the protocol stream" "$(wc -c <"$T/.out")" 0
t_rc "usage: two config files" 2 "$BIN/greyspf" -c "$W/g.conf" "$W/g.conf"

# A store that cannot be written: the configured temporary answer.
mkdir -p "$W/ro"
chmod 555 "$W/ro"
sed "s|^database = .*|database = $W/ro/db|" "$W/g.conf" >"$W/ro.conf"
t_ok "unwritable store" sh -c "TZ=UTC faketime -f '$NOW' '$BUILD/tests/sockdrive' '$BIN/greyspf' -L -c '$W/ro.conf' <'$W/in'"
t_eq "unwritable store: storeErrorAction" "$(head -1 "$T/.out")" \
    'action=defer_if_permit Service temporarily unavailable, greylist database error.'
t_grep "unwritable store: reason logged" "greylist database: permission denied: $W/ro/db: creating the directory: Permission denied" "$T/.err"
printf 'storeErrorAction = dunno\n' >>"$W/ro.conf"
t_ok "store error action configurable" sh -c "'$BUILD/tests/sockdrive' '$BIN/greyspf' -L -c '$W/ro.conf' <'$W/in'"
t_eq "store error action: dunno" "$(head -1 "$T/.out")" 'action=dunno'

# greylistRetryWindow: a retry later than the window after the first
# request starts over; within it, passes.
sed "s|^database = .*|database = $W/rw/db|" "$W/g.conf" >"$W/rw.conf"
printf 'greylistRetryWindow = 172800\n' >>"$W/rw.conf"
mkdir -p "$W/rw"
chmod 1777 "$W/rw"
rw() {	# rw TIME CLIENT: one request at that time, its reply
	req "$2" late@example.com r@example.org |
	    TZ=UTC faketime -f "$1" "$BUILD/tests/sockdrive" "$BIN/greyspf" \
	    -L -c "$W/rw.conf" 2>/dev/null | head -1
}
t_eq "retry window: first request" "$(rw "2026-11-21 00:00:00" 192.0.2.71)" "$NEW"
t_eq "retry window: retry after 3 days starts over" "$(rw "2026-11-24 00:00:00" 192.0.2.71)" "$NEW"
t_eq "retry window: first request, another client" "$(rw "2026-11-21 00:00:00" 192.0.2.72)" "$NEW"
t_eq "retry window: retry within 2 days passes" "$(rw "2026-11-22 00:00:00" 192.0.2.72)" "action=dunno"

# A per-entity tree without __default__: configErrorAction, with the
# file named in the log, not every check silently off.
mkdir -p "$W/nodefault"
sed "s|^configPath = .*|configPath = $W/nodefault|" "$W/g.conf" >"$W/nd.conf"
t_ok "no __default__: answered" sh -c "'$BUILD/tests/sockdrive' '$BIN/greyspf' -L -c '$W/nd.conf' <'$W/in'"
t_eq "no __default__: configErrorAction" "$(head -1 "$T/.out")" \
    'action=defer_if_permit Service temporarily unavailable, configuration error.'
t_grep "no __default__: the file named" "$W/nodefault/__default__: missing" "$T/.err"

# Privileges: as root, greyspf becomes the configured user.
printf 'user = no-such-user-here\n' >"$W/nouser.conf"
t_rc "unknown user: refuse to run as root" 1 "$BIN/greyspf" -L -c "$W/nouser.conf"
t_grep "unknown user: reason" 'user "no-such-user-here" .* does not exist' "$T/.err"

# 100 processes at once, 1,000 requests each, over 2,000 shared
# triplets: exactly one "new" answer per triplet, every other one
# "pending", every triplet stored once.
C=$T/conc
mkdir -p "$C"
chmod 1777 "$C"
sed "s|^database = .*|database = $C/db|" "$W/g.conf" >"$C/g.conf"
for p in $(seq 1 100); do
	awk -v p="$p" 'BEGIN { for (i = 0; i < 1000; i++) { t = (p * 37 + i * 13) % 2000;
	    printf "request=smtpd_access_policy\nclient_address=10.%d.%d.1\nsender=s%d@example.com\nrecipient=r%d@example.org\n\n",
	    int(t / 256), t % 256, t, t } }' >"$C/in.$p"
done
for p in $(seq 1 100); do
	{ TZ=UTC faketime -f "$NOW" "$BUILD/tests/sockdrive" "$BIN/greyspf" -L \
	    -c "$C/g.conf" <"$C/in.$p" >"$C/out.$p" 2>"$C/err.$p"
	  echo $? >"$C/rc.$p"; } &
done
wait
cat "$C"/out.* | grep -c '^action=' >"$C/n"
t_eq "100 processes: every request answered" "$(cat "$C/n")" 100000
cat "$C"/out.* | grep -cF "$NEW" >"$C/n"
t_eq "100 processes: one new entry per triplet" "$(cat "$C/n")" 2000
cat "$C"/out.* | grep -cF "$PEND" >"$C/n"
t_eq "100 processes: all others pending" "$(cat "$C/n")" 98000
cat "$C"/err.* | grep -v 'greylisting: ' >"$C/errors" || true
t_eq "100 processes: no error logged" "$(wc -l <"$C/errors")" 0
# The evidence, when a process fell short: its exit, its log's lines.
for p in $(seq 1 100); do
	n=$(grep -c '^action=' "$C/out.$p")
	[ "$n" -eq 1000 ] && [ -z "$(grep -v 'greylisting: ' "$C/err.$p")" ] &&
	    continue
	echo "# process $p: $n answers, exit $(cat "$C/rc.$p" 2>/dev/null)"
	grep -v 'greylisting: ' "$C/err.$p" | head -10 | sed 's/^/#   /'
done
"$BIN/greyspf-stat" -s -d "$C/db" >"$C/stat"
t_grep "100 processes: 2,000 entries stored" '^  Entries: 2000$' "$C/stat"
