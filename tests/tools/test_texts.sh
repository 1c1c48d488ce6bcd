#!/bin/sh
# test_texts.sh - greylistAction, greylistText and xGreylistHeader in the
# service: the configured reply with its variables, what the client sends
# filtered out of it, a bad action refused at start with file:line, and
# the X-Greylist header on the first pass of a message (once), its delay
# in the log line. The clock is faketime's.
. "$(dirname "$0")/lib.sh"
need faketime

W=$T/w
mkdir -p "$W/config"
chmod 1777 "$W"
printf 'CHECKERS = greylist\nGREYLISTTIME = 300\n' >"$W/config/__default__"
chmod -R a+rX "$W/config"
cat >"$W/g.conf" <<EOC
configPath = $W/config
database = $W/db
user = nobody
spfReceiver = mx.test
greylistAction = 450 4.7.1
greylistText = Greylisted for %s s, see http://example.org/%r.html (%a, %h, 100%%)
xGreylistHeader = 1
EOC
at() { TZ=UTC faketime -f "$1" "$BUILD/tests/sockdrive" "$BIN/greyspf" -L -c "$W/g.conf"; }
# req ADDRESS RECIPIENT INSTANCE
req() { printf 'request=smtpd_access_policy\nclient_address=%s\nsender=s@sender.example\nrecipient=%s\ninstance=%s\n\n' "$1" "$2" "$3"; }

long=$(printf '%0300d' 0 | tr 0 d)
{
	req 192.0.2.1 r1@example.org i1
	req 192.0.2.1 r2@example.org i1
	printf 'request=smtpd_access_policy\nclient_address=192.0.2.2\nsender=s@x\nrecipient=r@ex\001ample.org\n\n'
	req 192.0.2.3 "r@$long" i3
} >"$W/in"
at "2026-11-28 08:00:00" <"$W/in" >"$W/out" 2>"$W/err"
t_eq "first requests: exit 0" "$?" 0
t_line "the configured action and text, its variables filled" \
    'action=450 4.7.1 Greylisted for 300 s, see http://example.org/example.org.html (192.0.2.1, mx.test, 100%)' "$W/out"
t_line "a control byte in the recipient domain is replaced" \
    'action=450 4.7.1 Greylisted for 300 s, see http://example.org/ex?ample.org.html (192.0.2.2, mx.test, 100%)' "$W/out"
t_eq "a 300-byte domain is cut to 255" \
    "$(sed -n 's|.*example.org/\(d*\)\.html.*|\1|p' "$W/out" | awk '{ print length }')" 255

req 192.0.2.1 r1@example.org i2 >"$W/in"
at "2026-11-28 08:03:20" <"$W/in" >"$W/out" 2>"$W/err"
t_line "retried too early: seconds left" \
    'action=450 4.7.1 Greylisted for 100 s, see http://example.org/example.org.html (192.0.2.1, mx.test, 100%)' "$W/out"

# The message passes: r1 then r2 of one message (instance i4).
{ req 192.0.2.1 r1@example.org i4; req 192.0.2.1 r2@example.org i4; req 192.0.2.1 r1@example.org i5; } >"$W/in"
at "2026-11-28 08:10:05" <"$W/in" >"$W/out" 2>"$W/err"
printf 'action=prepend X-Greylist: delayed 605 seconds by greyspf-%s at mx.test; Sat, 28 Nov 2026 08:10:05 +0000\n\naction=dunno\n\naction=dunno\n\n' \
    "$("$BIN/greyspf" -V | awk '{ print $NF }')" >"$W/want"
t_same "X-Greylist on the first pass, once per message, not again" \
    "$W/out" "$W/want"
t_grep "the pass is logged with its delay" \
    'Allowed greylisting \(delay=605\): REMOTEIP="192.0.2.1"' "$W/err"

# A greylist action that is not a temporary failure is refused.
printf 'greylistAction = 550 5.7.1\n' >>"$W/g.conf"
req 192.0.2.1 r1@example.org i6 >"$W/in"
at "2026-11-28 08:20:00" <"$W/in" >"$W/out" 2>"$W/err"
t_eq "a 5xx greylistAction: greyspf exits 1" "$?" 1
t_grep "with file:line" "g.conf:8: greylistAction must be a temporary failure" "$W/err"
