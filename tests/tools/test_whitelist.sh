#!/bin/sh
# test_whitelist.sh - whitelistClients and whitelistRecipients in the
# service and in greyspf-configtest: Debian's postgrey whitelist_clients
# (from the postgrey package) loads without a problem, and hosts it lists
# (by name, a subdomain of one of its domains; by a regular expression;
# by address) are not greylisted, while others are; reverse_client_name
# and "unknown" never match; a file with bad lines still answers, and
# logs one line for its problems; greyspf-configtest prints each as
# file:line and exits 1.
. "$(dirname "$0")/lib.sh"
need faketime

DEB=/etc/postgrey/whitelist_clients
W=$T/w
mkdir -p "$W/config"
chmod 1777 "$W"
printf 'CHECKERS = greylist\nGREYLISTTIME = 600\n' >"$W/config/__default__"
printf 'postmaster@\nlists.example.org\n' >"$W/rcpt"
chmod -R a+rX "$W/config" "$W/rcpt"
cat >"$W/g.conf" <<EOC
configPath = $W/config
database = $W/db
user = nobody
whitelistClients = $DEB, $DEB.local
whitelistRecipients = $W/rcpt
EOC
NOW="2026-11-21 04:38:57"
gs() { TZ=UTC faketime -f "$NOW" "$BUILD/tests/sockdrive" "$BIN/greyspf" -L -c "$1"; }
# req ADDRESS NAME RECIPIENT [REVERSE_NAME]
req() { printf 'request=smtpd_access_policy\nclient_address=%s\nclient_name=%s\nreverse_client_name=%s\nsender=s@sender.example\nrecipient=%s\n\n' "$1" "$2" "${4:-$2}" "$3"; }
NEW='action=defer_if_permit Service unavailable, greylisted (http://projects.puremagic.com/greylisting/).'

t_ok "Debian's whitelist_clients is installed (postgrey)" test -r "$DEB"
{
	req 192.0.2.1 mail-ej1-f45.google.com r1@example.net
	req 192.0.2.2 ms-smtp-07.nyroc.rr.com r2@example.net
	req 51.4.72.9 unknown r3@example.net
	req 2a01:4180:4051:800::25 unknown r4@example.net
	req 192.0.2.5 mx.example.net r5@example.net
	req 192.0.2.6 unknown r6@example.net mail-ej1-f45.google.com
	req 192.0.2.7 google.com.example.net r7@example.net
	req 192.0.2.8 mx.example.net postmaster@example.net
	req 192.0.2.9 mx.example.net someone@lists.example.org
} >"$W/in"
gs "$W/g.conf" <"$W/in" >"$W/out" 2>"$W/err"
t_eq "exits 0" "$?" 0
printf 'action=dunno\n\naction=dunno\n\naction=dunno\n\naction=dunno\n\n%s\n\n%s\n\n%s\n\naction=dunno\n\naction=dunno\n\n' \
    "$NEW" "$NEW" "$NEW" >"$W/want"
t_same "listed clients and recipients pass, the others are greylisted" \
    "$W/out" "$W/want"
t_nogrep "Debian's file loads without a problem" ':[0-9]+: |problems' "$W/err"
t_grep "a subdomain of a listed domain, logged with file:line" \
    "Whitelisted \(client, $DEB:[0-9]+\): REMOTEIP=\"192.0.2.1\"" "$W/err"
t_grep "a name matched by a regular expression" \
    "Whitelisted \(client, $DEB:[0-9]+\): REMOTEIP=\"192.0.2.2\"" "$W/err"
t_grep "an IPv4 network" "Whitelisted \(client, $DEB:[0-9]+\): REMOTEIP=\"51.4.72.9\"" "$W/err"
t_grep "an IPv6 network" "Whitelisted \(client, $DEB:[0-9]+\): REMOTEIP=\"2a01:4180:4051:800::25\"" "$W/err"
t_grep "reverse_client_name is never used" 'Initial greylisting: REMOTEIP="192.0.2.6"' "$W/err"
t_grep "user@ in a recipient file" \
    "Whitelisted \(recipient, $W/rcpt:1\): REMOTEIP=\"192.0.2.8\"" "$W/err"
t_grep "a recipient domain's subdomain" \
    "Whitelisted \(recipient, $W/rcpt:2\): REMOTEIP=\"192.0.2.9\"" "$W/err"
t_ok "configtest: Debian's file is clean" "$BIN/greyspf-configtest" -q -c "$W/g.conf"

# Bad lines: skipped, one log line for them all, answers go on.
printf '192.0.2.0/24\n1.2.3.999\nfoo bar\n/(unclosed/\n' >"$W/bad"
chmod a+r "$W/bad"
sed "s|^whitelistClients = .*|whitelistClients = $W/bad, $W/missing|" \
    "$W/g.conf" >"$W/bad.conf"
{ req 192.0.2.10 unknown r@example.net; req 198.51.100.1 unknown r@example.net; } >"$W/in"
gs "$W/bad.conf" <"$W/in" >"$W/out" 2>"$W/err"
t_eq "bad lines: exits 0" "$?" 0
printf 'action=dunno\n\n%s\n\n' "$NEW" >"$W/want"
t_same "bad lines: the good ones still apply" "$W/out" "$W/want"
t_grep "bad lines: the first problem with file:line" \
    "$W/bad:2: bad IPv4 address or network \"1.2.3.999\"; the line is skipped" "$W/err"
t_grep "bad lines: their count" 'whitelist files: 3 problems, the first above' "$W/err"
t_eq "bad lines: one line for them, not one each" \
    "$(grep -c "$W/bad:3\|$W/missing" "$W/err")" 0
"$BIN/greyspf-configtest" -c "$W/bad.conf" >"$W/ct" 2>&1
t_eq "configtest: exits 1 on whitelist problems" "$?" 1
t_grep "configtest: a bad network at file:line" "$W/bad:2: bad IPv4" "$W/ct"
t_grep "configtest: a line of neither form" "$W/bad:3: not a host name" "$W/ct"
t_grep "configtest: a bad regular expression" "$W/bad:4: bad regular expression" "$W/ct"
t_grep "configtest: a missing file" "$W/missing:0: No such file" "$W/ct"
