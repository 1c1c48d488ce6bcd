#!/bin/sh
# requires: root
# test_spf_service.sh - the spf checker in greyspf, over the policy
# protocol, against a DNS server of the test's own (a network namespace;
# tests/spf/run.sh): replies per result and per configured action, the
# header surviving "spf,greylist", once per message, HELO identity,
# trusted relays, loopback, pass skipping greylisting, hostile text, an
# exp= past the budget or the deadline (never looked up), and a crashed
# or stuck SPF worker.
. "$(dirname "$0")/lib.sh"
need unshare ip

if [ "${GREYSPF_IN_NS:-}" != 1 ]; then
	exec sh tests/spf/run.sh sh "$0"
fi
"$BUILD/tests/spfsuite" -s tests/spf/service-zone.yml 2>"$T/dns.err" &
DNS=$!
trap 'kill $DNS 2>/dev/null' EXIT
# The server binds before it forks; wait until it answers.
wait_for 5 getent hosts none.example >/dev/null 2>&1

W=$T/w
mkdir -p "$W/config/envelope_recipient/spf-only.test" \
    "$W/config/envelope_recipient/mx2.test"
chmod 1777 "$W"
printf 'CHECKERS = spf,greylist\nGREYLISTTIME = 0\nOTHERCONFIGS = envelope_recipient\n' \
    >"$W/config/__default__"
printf 'CHECKERS = spf\n' >"$W/config/envelope_recipient/spf-only.test/__default__"
printf 'CHECKERS = spf\nSPFTRUSTEDRELAYS = 198.51.100.0/24, 2001:db8:77::/48\n' \
    >"$W/config/envelope_recipient/mx2.test/__default__"
chmod -R a+rX "$W/config"
conf() {
	cat >"$W/g.conf" <<EOC
configPath = $W/config
database = $W/db
user = nobody
spfReceiver = mx.greyspf.test
spfTimeout = 3
spfDnsTimeout = 1
spfDnsAttempts = 1
$1
EOC
}
gs() { "$BUILD/tests/sockdrive" "$BIN/greyspf" -L -c "$W/g.conf"; }
# req CLIENT SENDER RECIPIENT [HELO] [INSTANCE]
req() {
	printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=%s\nsender=%s\nrecipient=%s\nqueue_id=\n' "$1" "$2" "$3"
	[ -n "${4:-}" ] && printf 'helo_name=%s\n' "$4"
	[ -n "${5:-}" ] && printf 'instance=%s\n' "$5"
	printf '\n'
}
# one NAME WANT-REGEX: the first reply of $W/in; is NAME TEXT: exactly
one() {
	gs <"$W/in" >"$W/out" 2>"$W/err"
	t_grep "$1" "$2" "$W/out"
}
is() {
	gs <"$W/in" >"$W/out" 2>"$W/err"
	t_line "$1" "$2" "$W/out"
}

conf ""
req 203.0.113.5 user@pass.example bob@spf-only.test mx.pass.example >"$W/in"
is "pass: Received-SPF header (RFC 7208 9.1)" \
    'action=prepend Received-SPF: pass (mx.greyspf.test: domain of user@pass.example designates 203.0.113.5 as permitted sender) client-ip=203.0.113.5; envelope-from=user@pass.example; helo=mx.pass.example; receiver=mx.greyspf.test; identity=mailfrom;'
t_grep "pass: logged" 'SPF pass: QUEUE_ID=""; identity=mailfrom; client-ip=203.0.113.5' "$W/err"
req 192.0.2.9 user@fail.example bob@spf-only.test mx.fail.example >"$W/in"
is "fail: 550 5.7.23 with greyspf's text" \
    "action=550 5.7.23 QUEUE_ID=\"\" SPF Reports: 'SPF fail - not authorized: fail.example does not designate 192.0.2.9 as permitted sender'"
req 192.0.2.9 user@exp.example bob@spf-only.test h.example >"$W/in"
one "fail with a CR LF exp=: no DNS text in the reply" \
    "^action=550 5.7.23 QUEUE_ID=\"\" SPF Reports: 'SPF fail - not authorized: exp.example does not"
t_eq "fail with a CR LF exp=: one reply line" "$(grep -c . "$W/out")" 1
req 192.0.2.9 user@softfail.example bob@spf-only.test h.example >"$W/in"
is "softfail: header by default" 'action=prepend Received-SPF: softfail (mx.greyspf.test: transitioning domain of user@softfail.example does not designate 192.0.2.9 as permitted sender) client-ip=192.0.2.9; envelope-from=user@softfail.example; helo=h.example; receiver=mx.greyspf.test; identity=mailfrom;'
req 192.0.2.9 user@neutral.example bob@spf-only.test h.example >"$W/in"
is "neutral: header" 'action=prepend Received-SPF: neutral (mx.greyspf.test: 192.0.2.9 is neither permitted nor denied by domain of user@neutral.example) client-ip=192.0.2.9; envelope-from=user@neutral.example; helo=h.example; receiver=mx.greyspf.test; identity=mailfrom;'
req 192.0.2.9 user@none.example bob@spf-only.test h.example >"$W/in"
one "none: no decision" '^action=dunno$'
req 192.0.2.9 user@permerror.example bob@spf-only.test h.example >"$W/in"
is "permerror: header with problem=" 'action=prepend Received-SPF: permerror (mx.greyspf.test: permanent error in processing during lookup of user@permerror.example) client-ip=192.0.2.9; envelope-from=user@permerror.example; helo=h.example; receiver=mx.greyspf.test; identity=mailfrom; problem="unknown mechanism \"foo:bar\"";'
req 192.0.2.9 user@temperror.example bob@spf-only.test h.example >"$W/in"
one "temperror (SERVFAIL): 451 4.4.3" "^action=451 4.4.3 QUEUE_ID=\"\" SPF Reports: 'SPF Temporary Error: DNS lookups for temperror.example failed"
req 203.0.113.5 '' bob@spf-only.test pass.example >"$W/in"
is "null sender: HELO identity" 'action=prepend Received-SPF: pass (mx.greyspf.test: domain of pass.example designates 203.0.113.5 as permitted sender) client-ip=203.0.113.5; envelope-from=""; helo=pass.example; receiver=mx.greyspf.test; identity=helo;'
req ::ffff:203.0.113.5 user@pass.example bob@spf-only.test >"$W/in"
one "IPv4-mapped client, no HELO: checked as IPv4" '^action=prepend Received-SPF: pass .*client-ip=203.0.113.5; .*helo=""'
req 2001:db8:5::9 user@pass.example bob@spf-only.test h.example >"$W/in"
one "IPv6 client" '^action=prepend Received-SPF: pass .*client-ip=2001:db8:5::9;'
req 127.0.0.1 user@fail.example bob@spf-only.test h.example >"$W/in"
one "loopback: not checked" '^action=dunno$'
req 198.51.100.7 user@fail.example bob@mx2.test h.example >"$W/in"
one "trusted relay (per entity, IPv4): not checked" '^action=dunno$'
req 2001:db8:77::1 user@fail.example bob@mx2.test h.example >"$W/in"
one "trusted relay (per entity, IPv6): not checked" '^action=dunno$'
{ req 203.0.113.5 user@pass.example bob@spf-only.test h.example m1
  req 203.0.113.5 user@pass.example carol@spf-only.test h.example m1
  req 203.0.113.5 user@pass.example bob@spf-only.test h.example m2; } >"$W/in"
gs <"$W/in" >"$W/out" 2>"$W/err"
t_eq "one header per message (instance)" "$(grep '^action' "$W/out" | cut -c1-20 | tr '\n' ' ')" \
    "action=prepend Recei action=dunno action=prepend Recei "
req '192.0.2.9' 'a"b(c)\\d@fail.example' bob@spf-only.test 'h"x' >"$W/in"
conf "spfMailFromFail = header"
is "hostile sender and HELO: quoted in the header" \
    'action=prepend Received-SPF: fail (mx.greyspf.test: domain of a?b?c???d@fail.example does not designate 192.0.2.9 as permitted sender) client-ip=192.0.2.9; envelope-from="a\"b?c?\\\\d@fail.example"; helo="h\"x"; receiver=mx.greyspf.test; identity=mailfrom;'

# The header survives greylisting: first deferred, then let through.
conf ""
req 203.0.113.5 user@pass.example bob@grey.test h.example >"$W/in"
one "spf,greylist: a new triplet is deferred" '^action=defer_if_permit Service unavailable, greylisted'
one "spf,greylist: let through with the header" '^action=prepend Received-SPF: pass'
conf "spfPassSkipsGreylist = yes"
req 203.0.113.5 user@pass.example new@grey.test h.example >"$W/in"
one "spfPassSkipsGreylist: pass is not greylisted" '^action=prepend Received-SPF: pass'
req 192.0.2.9 user@neutral.example new@grey.test h.example >"$W/in"
one "spfPassSkipsGreylist: neutral still is" '^action=defer_if_permit Service unavailable, greylisted'

conf "spfMailFromSoftfail = reject
spfMailFromTemperror = dunno
spfMailFromPermerror = defer"
req 192.0.2.9 user@softfail.example bob@spf-only.test h.example >"$W/in"
one "spfMailFromSoftfail = reject" "^action=550 5.7.23 QUEUE_ID=\"\" SPF Reports: 'SPF softfail: softfail.example"
req 192.0.2.9 user@temperror.example bob@spf-only.test h.example >"$W/in"
one "spfMailFromTemperror = dunno" '^action=dunno$'
req 192.0.2.9 user@permerror.example bob@spf-only.test h.example >"$W/in"
one "spfMailFromPermerror = defer" '^action=451 4.7.24 '
conf "spfAcceptOnPermError = False"
req 192.0.2.9 user@permerror.example bob@spf-only.test h.example >"$W/in"
one "spfAcceptOnPermError = False: permerror rejected" '^action=550 5.7.24 '
conf "spfHeloCheck = yes
spfHeloFail = reject"
req 192.0.2.9 user@pass.example bob@spf-only.test fail.example >"$W/in"
one "spfHeloCheck: a failing HELO is rejected first" "^action=550 5.7.23 QUEUE_ID=\"\" SPF Reports: 'SPF fail - not authorized: fail.example"
conf "spfHeader = Authentication-Results
spfAuthservId = mx.example.org"
req 203.0.113.5 user@pass.example bob@spf-only.test h.example >"$W/in"
one "Authentication-Results (RFC 8601)" '^action=prepend Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=user@pass.example$'
# RFC 7208 6.2: a problem with the explanation leaves the result as it is.
# greyspf never shows exp= text, so it never looks it up at all.
conf "spfQueryBudget = 10"
req 192.0.2.9 user@expbudget.example bob@spf-only.test h.example >"$W/in"
one "fail with exp= past the query budget: still fail" '^action=550 5.7.23 '
# spfTimeout 3: time for the check itself on a loaded machine; a lookup
# of the exp= that never answers (spfDnsTimeout 10) would still outlast
# it, and the answer be a temperror.
conf "spfTimeout = 3
spfDnsTimeout = 10"
req 192.0.2.9 user@exphang.example bob@spf-only.test h.example >"$W/in"
one "fail with an exp= that never answers: still fail" '^action=550 5.7.23 '
conf "spfTrustedRelays = 192.0.2.0/24"
req 192.0.2.9 user@fail.example bob@spf-only.test h.example >"$W/in"
one "spfTrustedRelays: not checked" '^action=dunno$'

"$BUILD/tests/spfcrash" >"$T/crash" 2>&1
t_eq "a crashed or stuck worker costs one check (tests/spf/spfcrash.c)" "$?" 0
grep -v '^ok' "$T/crash" | sed 's/^/# /'
