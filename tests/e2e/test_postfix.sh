#!/bin/sh
# requires: root
# test_postfix.sh - greyspf end to end, as a site runs it: Debian's
# Postfix spawns greyspf for its check_policy_service, Debian's NSD
# answers the SPF queries, swaks (XCLIENT) plays the sending clients.
#
# Everything runs in namespaces of the test's own (unshare: mount,
# network, PID): loopback only, a resolv.conf naming 127.0.0.1 bound over
# /etc/resolv.conf, and a "greyspf" user added to bound copies of
# /etc/passwd and /etc/group when the machine has none. Postfix uses
# conf/postfix-main.cf and conf/postfix-master.cf as shipped, only the
# two paths of the argv= changed; greyspf reads conf/greyspf.conf with
# the test's paths and a few keys added. The clock is injected: greyspf
# runs under libfaketime reading the time from a file the test writes,
# so "after GREYLISTTIME" is a line in a file, not a sleep.
#
# Asserted from SMTP replies, delivered messages and Postfix's log:
# greylisting (450, retry before and after GREYLISTTIME), Received-SPF
# in delivered mail behind greylisting, SPF fail 550, softfail and
# temperror as configured, a record over 512 bytes (TCP), a client
# whitelisted by greyspf-addip, IPv6 clients (over IPv6) grouped by /64,
# a network auto-whitelisted after two passes,
# a tumgreyspf tree imported with greyspf-import (a passed triplet
# accepted at once, a new one greylisted), greyspf running as the
# unprivileged user, no protocol error in Postfix's log, sanitizers
# silent. postgrey's features: clients whitelisted by name (a file of
# the test's, and Debian's postgrey whitelist_clients), the X-Greylist
# header on a message delivered after greylisting.
# Then the same sessions and assertions with greyspf's daemon
# (greyspf -D, started as root) and conf/postfix-main-daemon.cf as shipped:
# a unix socket under Postfix's queue directory (greyspf:postfix 0660),
# then a few on inet:127.0.0.1:10040; SIGTERM ends it, socket removed.
. "$(dirname "$0")/../tools/lib.sh"
need unshare ip mount getent id nsd postfix postconf swaks ps awk
. "$(dirname "$0")/e2elib.sh"
e2e_faketime_lib
e2e_namespaces "$@"

E=$T
PORT=2525
mkdir -p "$E/out" "$E/nsd" "$E/postfix" "$E/sbin" "$E/mail" "$E/asan"
chmod 1777 "$E/asan"

# --- the namespace: loopback, resolver, the greyspf user ---------------
ip link set lo up
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
    >"$E/resolv.conf"
chmod 644 "$E/resolv.conf"
mount --bind "$E/resolv.conf" /etc/resolv.conf
e2e_greyspf_user "$E"
GUID=$(id -u greyspf)
MAILUID=$(id -u nobody)
MAILGID=$(id -g nobody)
t_ok "greyspf user is unprivileged" test "$GUID" -ne 0

# --- DNS: NSD with the test zones --------------------------------------
sed "s|@E@|$E|g" tests/e2e/nsd.conf.in >"$E/nsd/nsd.conf"
cp tests/e2e/e2e.test.zone tests/e2e/example.com.zone "$E/nsd/"
t_ok "nsd starts" nsd -c "$E/nsd/nsd.conf"
t_ok "nsd answers" wait_for 10 getent hosts ns.e2e.test

# --- greyspf: binary behind the test clock, config, tree, database -----
clock() { printf '%s\n' "$1" >"$E/clock"; }
clock "2026-11-22 04:39:01"
chmod 644 "$E/clock"
e2e_greyspf_wrapper "$E"

mkdir -p "$E/config"
cp conf/config/__default__ "$E/config/"
sed -i 's/^GREYLISTTIME = .*/GREYLISTTIME = 300/' "$E/config/__default__"
sed -e "s|^database = .*|database = $E/db|" \
    -e "s|^configPath = .*|configPath = file://$E/config|" \
    conf/greyspf.conf >"$E/greyspf.conf"
cat >>"$E/greyspf.conf" <<EOF

# --- the end-to-end test's settings ---
# Networks: IPv4 /24 (as the imported tumgreyspf tree), IPv6 /64.
ignoreLastByte = 1
spfMailFromSoftfail = defer
spfMailFromTemperror = defer
spfReceiver = mx.e2e.test
spfTimeout = 5
# Auto-whitelisting: a /24 whose triplets passed twice, an hour apart.
autoWhitelistClients = 2
EOF
# postgrey's features: whitelist files, the X-Greylist header.
printf '# whitelisted by name, and every name under it\nwhitelisted.e2e.test\n' \
    >"$E/whitelist_clients"
cat >>"$E/greyspf.conf" <<EOF
whitelistClients = /etc/postgrey/whitelist_clients, $E/whitelist_clients
xGreylistHeader = 1
EOF
chmod -R a+rX "$E/config" "$E/greyspf.conf"
t_ok "greyspf-addip whitelists 198.51.100.0/24" \
    "$BIN/greyspf-addip" -c "$E/greyspf.conf" 198.51.100.0/24

# Migration, as the README says: import the tumgreyspf tree, give the
# database to the greyspf user.
fixture tumgreyspf-v2-triplet-ignorelastbyte "$E/legacy"
t_ok "greyspf-import reads the tumgreyspf tree" \
    "$BIN/greyspf-import" -q -c "$E/greyspf.conf" "$E/legacy/data"
chown -R greyspf "$E/db"
# With the database in place: configtest checks that the greyspf user
# can write it.
t_ok "greyspf-configtest accepts the configuration" \
    "$BIN/greyspf-configtest" -q -c "$E/greyspf.conf"

# --- Postfix: its own instance, the shipped snippets -------------------
P=$E/postfix
sed -e "s|@E@|$E|g" -e "s|@MAILUID@|$MAILUID|" -e "s|@MAILGID@|$MAILGID|" \
    tests/e2e/main.cf.in >"$P/main.cf"
cat conf/postfix-main.cf >>"$P/main.cf"
cp tests/e2e/master.cf.in "$P/master.cf"
sed -e "s|/usr/local/sbin/greyspf|$E/sbin/greyspf|" \
    -e "s|/etc/greyspf/greyspf.conf|$E/greyspf.conf|" \
    conf/postfix-master.cf >>"$P/master.cf"
chown nobody "$E/mail"
# What Postfix makes of the snippets.
postconf -c "$P" smtpd_recipient_restrictions greyspf_time_limit \
    >"$E/out/postconf" 2>&1
postconf -c "$P" -M greyspf/unix >>"$E/out/postconf" 2>&1
t_grep "main.cf asks greyspf after reject_unauth_destination" \
    'reject_unauth_destination, check_policy_service unix:private/greyspf$' \
    "$E/out/postconf"
t_line "main.cf: greyspf_time_limit" "greyspf_time_limit = 3600" \
    "$E/out/postconf"
t_grep "master.cf: greyspf spawned as user greyspf" \
    "^greyspf +unix .* spawn user=greyspf argv=$E/sbin/greyspf $E/greyspf.conf\$" \
    "$E/out/postconf"
mkdir -p "$E/queue" "$E/data"
chown postfix "$E/data"
if ! postfix -c "$P" start >"$E/out/postfix-start" 2>&1; then
	_notok "postfix starts"
	_show "$E/out/postfix-start" "$E/maillog"
	exit 1
fi
_ok "postfix starts"
wait_for 10 swaks --server 127.0.0.1 --port $PORT --quit-after CONNECT \
    >/dev/null 2>&1

# --- SMTP sessions -----------------------------------------------------
# send NAME CLIENT FROM TO [swaks options]: one message through XCLIENT;
# the reply to RCPT TO goes to $E/out/NAME.rcpt.
send() {
	name=$1 client=$2 from=$3 to=$4
	shift 4
	swaks --server 127.0.0.1 --port $PORT \
	    --xclient-addr "$client" --xclient-name client.e2e.test \
	    --helo client.e2e.test --from "$from" --to "$to" \
	    --header "Subject: e2e $name" "$@" >"$E/out/$name.log" 2>&1
	awk '/^ *-> RCPT TO/ { getline; sub(/^<[-*~]+ +/, ""); print; exit }' \
	    "$E/out/$name.log" >"$E/out/$name.rcpt"
}
# reply NAME DESCRIPTION PATTERN: the RCPT reply matches PATTERN
reply() {
	if grep -Eq -- "$3" "$E/out/$1.rcpt"; then _ok "$2"
	else _notok "$2 (no /$3/)"; _show "$E/out/$1.log"; fi
}
# delivered NAME DESCRIPTION: the message reaches the mailbox; it is
# kept as $E/out/NAME.msg. Delivery is asynchronous: wait up to 60 s.
delivered() {
	: >"$E/out/$1.msg"
	if ! grep -q '^250 ' "$E/out/$1.rcpt"; then
		_notok "$2 (the message was not accepted)"
		return
	fi
	if wait_for 60 mailbox_has "$1"; then
		cp "$mail" "$E/out/$1.msg"
		_ok "$2"
		return
	fi
	_notok "$2 (not delivered in 20 s)"
	_show "$E/out/$1.log"
	tail -20 "$E/maillog" | sed 's/^/# /'
}
# mailbox_has NAME: $mail is the delivered message of session NAME.
mailbox_has() {
	mail=$(grep -l -x "Subject: e2e $1" "$E"/mail/box/new/* 2>/dev/null |
	    head -1)
	[ -n "$mail" ]
}
GREY='^450 4\.7\.1 .*Recipient address rejected: Service unavailable, greylisted'

# sessions: the SMTP sessions and their assertions, names prefixed with
# $PF: once with greyspf spawned by Postfix, once with its daemon.
sessions() {
# At T0 (2026-11-22 04:39:01 UTC, a day after the fixture's run).
clock "2026-11-22 04:39:01"
send ${PF}grey 192.0.2.10 alice@pass.e2e.test u1@rcpt.e2e.test
reply ${PF}grey "${PF}first attempt: 450 greylisted" "$GREY"
send ${PF}big 192.0.2.20 bob@big.e2e.test u2@rcpt.e2e.test
reply ${PF}big "${PF}record over 512 bytes (TCP): greylisted after SPF pass" "$GREY"
send ${PF}fail 192.0.2.30 carol@fail.e2e.test u3@rcpt.e2e.test
reply ${PF}fail "${PF}SPF fail: 550" \
    "^550 5\.7\.23 .*SPF fail - not authorized: fail\.e2e\.test does not designate 192\.0\.2\.30 "
send ${PF}soft 192.0.2.31 dave@softfail.e2e.test u3@rcpt.e2e.test
reply ${PF}soft "${PF}SPF softfail: configured defer, 450" \
    "^450 4\.7\.23 .*SPF softfail: softfail\.e2e\.test does not designate 192\.0\.2\.31 "
send ${PF}temp 192.0.2.32 erin@temperror.e2e.test u3@rcpt.e2e.test
reply ${PF}temp "${PF}SPF temperror (SERVFAIL): configured defer, 451" \
    "^451 4\.4\.3 .*temperror.e2e.test"
send ${PF}none 192.0.2.33 frank@none.e2e.test u3@rcpt.e2e.test
reply ${PF}none "${PF}SPF none: greylisted, not rejected" "$GREY"
send ${PF}white 198.51.100.7 gina@fail.e2e.test u4@rcpt.e2e.test
reply ${PF}white "${PF}client whitelisted by greyspf-addip: accepted at once" '^250 '
delivered ${PF}white "${PF}whitelisted client's message delivered"
send ${PF}mig 203.0.113.5 alice@example.com bob@example.org
reply ${PF}mig "${PF}migrated: tumgreyspf's passed triplet accepted at once" '^250 '
delivered ${PF}mig "${PF}migrated triplet's message delivered"
t_grep "${PF}migrated triplet: Received-SPF pass" \
    '^Received-SPF: pass .*client-ip=203\.0\.113\.5; envelope-from="?alice@example\.com' \
    "$E/out/${PF}mig.msg"
send ${PF}mignew 203.0.113.5 newbie@example.com bob@example.org
reply ${PF}mignew "${PF}migrated: a new triplet on the same network greylisted" "$GREY"
send ${PF}v6 'IPV6:2001:db8:1::10' henry@pass.e2e.test u5@rcpt.e2e.test \
    --server ::1
reply ${PF}v6 "${PF}IPv6 client over IPv6: greylisted" "$GREY"
t_grep "${PF}the IPv6 session went over ::1" 'Connected to ::1' "$E/out/${PF}v6.log"

# greyspf processes are still there, kept by smtpd for the next session:
# each runs as greyspf, with no way back to root.
e2e_greyspf_pids >"$E/out/pids"
t_grep "${PF}greyspf runs under Postfix" '[0-9]' "$E/out/pids"
: >"$E/out/uids"
while read -r pid; do
	awk '/^(Uid|Gid):/ { print $1, $2, $3, $4, $5 }' "/proc/$pid/status" \
	    >>"$E/out/uids" 2>/dev/null
done <"$E/out/pids"
GGID=$(id -g greyspf)
awk -v u="$GUID" -v g="$GGID" '
	$1 == "Uid:" && ($2 != u || $3 != u || $4 != u || $5 != u) ||
	$1 == "Gid:" && ($2 != g || $3 != g || $4 != g || $5 != g)' \
    "$E/out/uids" >"$E/out/baduids"
t_grep "${PF}uids read from /proc" '^Uid:' "$E/out/uids"
t_eq "${PF}every greyspf process (and SPF worker) runs as greyspf: real, effective, saved uid and gid" \
    "$(cat "$E/out/baduids")" ""

# T0 + 100 s: the retry is still too early.
clock "2026-11-22 04:40:41"
send ${PF}grey-early 192.0.2.10 alice@pass.e2e.test u1@rcpt.e2e.test
reply ${PF}grey-early "${PF}retry before GREYLISTTIME: still 450" "$GREY"

# T0 + 301 s: past GREYLISTTIME (300 s).
clock "2026-11-22 04:44:02"
send ${PF}grey-retry 192.0.2.10 alice@pass.e2e.test u1@rcpt.e2e.test
reply ${PF}grey-retry "${PF}retry after GREYLISTTIME: accepted" '^250 '
delivered ${PF}grey-retry "${PF}greylisted message delivered after the retry"
t_grep "${PF}delivered message: Received-SPF pass behind greylisting" \
    '^Received-SPF: pass \(mx\.e2e\.test: .*\) client-ip=192\.0\.2\.10; envelope-from="?alice@pass\.e2e\.test' \
    "$E/out/${PF}grey-retry.msg"
send ${PF}big-retry 192.0.2.20 bob@big.e2e.test u2@rcpt.e2e.test
reply ${PF}big-retry "${PF}record over 512 bytes: accepted after GREYLISTTIME" '^250 '
delivered ${PF}big-retry "${PF}message under the long record delivered"
t_grep "${PF}long record: Received-SPF pass" \
    '^Received-SPF: pass .*client-ip=192\.0\.2\.20' "$E/out/${PF}big-retry.msg"
send ${PF}v6-same 'IPV6:2001:db8:1::20' henry@pass.e2e.test u5@rcpt.e2e.test \
    --server ::1
reply ${PF}v6-same "${PF}IPv6: another address of the same /64 passes" '^250 '
delivered ${PF}v6-same "${PF}IPv6 client's message delivered"
t_grep "${PF}IPv6: Received-SPF pass for the client" \
    '^Received-SPF: pass .*client-ip=2001:db8:1::20' "$E/out/${PF}v6-same.msg"
send ${PF}v6-other 'IPV6:2001:db8:1:1::10' henry@pass.e2e.test u5@rcpt.e2e.test \
    --server ::1
reply ${PF}v6-other "${PF}IPv6: the next /64 is a new client, greylisted" "$GREY"
send ${PF}none-retry 192.0.2.33 frank@none.e2e.test u3@rcpt.e2e.test
reply ${PF}none-retry "${PF}SPF none: accepted after GREYLISTTIME" '^250 '
delivered ${PF}none-retry "${PF}SPF none message delivered"
t_nogrep "${PF}SPF none: no Received-SPF added" '^Received-SPF' \
    "$E/out/${PF}none-retry.msg"

}

PF=
sessions

# --- postgrey's features: whitelist files, X-Greylist ------------------
# sendn NAME CLIENT CLIENT_NAME FROM TO: send with Postfix's verified
# client name (XCLIENT NAME) set.
sendn() {
	swaks --server 127.0.0.1 --port $PORT --xclient-addr "$2" \
	    --xclient-name "$3" --helo "$3" --from "$4" --to "$5" \
	    --header "Subject: e2e $1" >"$E/out/$1.log" 2>&1
	awk '/^ *-> RCPT TO/ { getline; sub(/^<[-*~]+ +/, ""); print; exit }' \
	    "$E/out/$1.log" >"$E/out/$1.rcpt"
}
clock "2026-11-22 04:45:00"
sendn wlname 192.0.2.60 mx7.whitelisted.e2e.test wl@pass.e2e.test \
    u6@rcpt.e2e.test
reply wlname "client whitelisted by name (whitelistClients): accepted at once" '^250 '
delivered wlname "name-whitelisted client's message delivered"
t_grep "name-whitelisted: SPF still checked" '^Received-SPF: pass' \
    "$E/out/wlname.msg"
sendn wldeb 192.0.2.61 mail-ej1-f45.google.com deb@pass.e2e.test \
    u6@rcpt.e2e.test
reply wldeb "a google.com host (Debian's postgrey whitelist_clients): accepted at once" '^250 '
sendn wlnot 192.0.2.62 mx.notlisted.e2e.test not@pass.e2e.test \
    u6@rcpt.e2e.test
reply wlnot "a name in no whitelist: greylisted" "$GREY"
# X-Greylist: a message to two recipients, greylisted, then retried
# after GREYLISTTIME: Received-SPF goes on the first RCPT's reply, the
# X-Greylist header on the second's (one header a policy reply).
swaks2() {
	swaks --server 127.0.0.1 --port $PORT --xclient-addr 192.0.2.70 \
	    --xclient-name client.e2e.test --helo client.e2e.test \
	    --from xg@pass.e2e.test --to u7@rcpt.e2e.test,u8@rcpt.e2e.test \
	    --header "Subject: e2e $1" >"$E/out/$1.log" 2>&1
}
swaks2 xg
t_grep "two recipients: greylisted" '450 4\.7\.1 .*greylisted' "$E/out/xg.log"
clock "2026-11-22 04:50:02"
swaks2 xg-retry
t_nogrep "retried after GREYLISTTIME: both recipients accepted" \
    '^ *<\*\* +4[0-9][0-9] ' "$E/out/xg-retry.log"
if wait_for 60 mailbox_has xg-retry; then
	cp "$mail" "$E/out/xg-retry.msg"
	_ok "the greylisted message is delivered"
else
	_notok "the greylisted message is delivered"
	_show "$E/out/xg-retry.log"
	: >"$E/out/xg-retry.msg"
fi
t_grep "delivered message: X-Greylist, postgrey's form, the delay" \
    '^X-Greylist: delayed 302 seconds by greyspf-[0-9.]+ at mx\.e2e\.test; Sun, 22 Nov 2026 04:50:02 \+0000$' \
    "$E/out/xg-retry.msg"
t_grep "delivered message: Received-SPF too" '^Received-SPF: pass' \
    "$E/out/xg-retry.msg"
t_eq "one X-Greylist header" "$(grep -c '^X-Greylist:' "$E/out/xg-retry.msg")" 1

# --- auto-whitelisting (autoWhitelistClients = 2) ----------------------
# 100.64.1.0/24, a network of its own, SPF none: a triplet's first pass
# at 05:05, another's at 06:10 (an hour on, so both count), then a new
# triplet of the network is accepted at once.
clock "2026-11-22 05:00:00"
send awl1 100.64.1.10 awl1@none.e2e.test u6@rcpt.e2e.test
reply awl1 "auto-whitelist: a first triplet greylisted" "$GREY"
clock "2026-11-22 05:05:01"
send awl1-retry 100.64.1.10 awl1@none.e2e.test u6@rcpt.e2e.test
reply awl1-retry "auto-whitelist: its retry passes (one pass)" '^250 '
clock "2026-11-22 06:05:02"
send awl2 100.64.1.11 awl2@none.e2e.test u6@rcpt.e2e.test
reply awl2 "auto-whitelist: one pass of two: a new triplet greylisted" \
    "$GREY"
clock "2026-11-22 06:10:03"
send awl2-retry 100.64.1.11 awl2@none.e2e.test u6@rcpt.e2e.test
reply awl2-retry "auto-whitelist: its retry passes (two passes)" '^250 '
send awl3 100.64.1.12 awl3@none.e2e.test u6@rcpt.e2e.test
reply awl3 "auto-whitelisted after two passes: a new triplet accepted at once" \
    '^250 '
delivered awl3 "auto-whitelisted client's message delivered"
t_ok "greyspf-stat lists the network as whitelisted" sh -c \
    "'$BIN/greyspf-stat' -c '$E/greyspf.conf' --client 100.64.1.0/24 |
    grep -q '^TYPE=awl IP=100\\.64\\.1\\.0/24 .* PASSES=2 STATE=whitelisted'"

# --- what Postfix and the sanitizers saw -------------------------------
postfix -c "$P" stop >/dev/null 2>&1
# greyspf reads end of input when smtpd goes, and exits (then the
# sanitizers have said all they will).
wait_for 30 e2e_no_greyspf
t_eq "every greyspf exits when Postfix stops" "$(e2e_greyspf_pids)" ""
t_grep "Postfix logged greyspf's answers" \
    'reject: RCPT from .*greylisted' "$E/maillog"
t_nogrep "no policy protocol failure in Postfix's log" \
    '451 4\.3\.5|problem talking to server|policy service .*(error|malformed)' \
    "$E/maillog"
t_nogrep "no Postfix warnings or fatal errors" \
    'postfix/[a-z/]+\[[0-9]+\]: (warning|fatal|panic):' "$E/maillog"
t_eq "ASan/UBSan reports from greyspf under Postfix" \
    "$(ls "$E/asan")" ""

# --- the same with greyspf's daemon ------------------------------------
# Postfix takes conf/postfix-main-daemon.cf as shipped: a unix socket
# under its queue directory (its smtpd may be chrooted there). The daemon
# (started as root, as systemd does; it drops to greyspf) listens there
# and on inet:127.0.0.1:10040, with a database of its own made as for the
# spawn run, and the clock back at T0.
D=$E/greyspf-daemon.conf
sed -e "s|^database = .*|database = $E/ddb|" "$E/greyspf.conf" >"$D"
printf 'listen = unix:%s, inet:127.0.0.1:10040\nsocketGroup = postfix\n' \
    "$E/queue/greyspf/greyspf.sock" >>"$D"
chmod a+r "$D"
t_ok "daemon: greyspf-addip into its database" \
    "$BIN/greyspf-addip" -c "$D" 198.51.100.0/24
t_ok "daemon: greyspf-import into its database" \
    "$BIN/greyspf-import" -q -c "$D" "$E/legacy/data"
chown -R greyspf "$E/ddb"
install -d -o greyspf -g postfix -m 0750 "$E/queue/greyspf"
clock "2026-11-22 04:39:01"
"$E/sbin/greyspf" -L -D "$D" 2>"$E/out/daemon.log" &
DPID=$!
wait_for 10 grep -q 'started .* loop processes' "$E/out/daemon.log"
t_grep "daemon: started" 'started 2 loop processes' "$E/out/daemon.log"
stat -c '%U:%G %a' "$E/queue/greyspf/greyspf.sock" >"$E/out/sockmode" 2>&1
t_line "daemon: its socket is greyspf:postfix 0660" 'greyspf:postfix 660' \
    "$E/out/sockmode"
sed -e "s|@E@|$E|g" -e "s|@MAILUID@|$MAILUID|" -e "s|@MAILGID@|$MAILGID|" \
    tests/e2e/main.cf.in >"$P/main.cf"
cat conf/postfix-main-daemon.cf >>"$P/main.cf"
cp tests/e2e/master.cf.in "$P/master.cf"
postconf -c "$P" smtpd_recipient_restrictions >"$E/out/postconf-d" 2>&1
t_grep "daemon: main.cf asks the socket under the queue directory" \
    'reject_unauth_destination, check_policy_service unix:greyspf/greyspf.sock$' \
    "$E/out/postconf-d"
if ! postfix -c "$P" start >"$E/out/postfix-start-d" 2>&1; then
	_notok "daemon: postfix starts"
	_show "$E/out/postfix-start-d" "$E/maillog"
	exit 1
fi
wait_for 10 swaks --server 127.0.0.1 --port $PORT --quit-after CONNECT \
    >/dev/null 2>&1
PF=daemon-
sessions
# The inet wiring: the same daemon, Postfix told to use TCP.
postconf -c "$P" -e "smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination, check_policy_service inet:127.0.0.1:10040"
postfix -c "$P" reload >/dev/null 2>&1
clock "2026-11-22 05:00:00"
send inet-grey 192.0.2.40 ida@pass.e2e.test u6@rcpt.e2e.test
reply inet-grey "inet:127.0.0.1:10040: first attempt greylisted" "$GREY"
send inet-white 198.51.100.8 jo@fail.e2e.test u6@rcpt.e2e.test
reply inet-white "inet:127.0.0.1:10040: whitelisted client accepted" '^250 '
clock "2026-11-22 05:05:01"
send inet-retry 192.0.2.40 ida@pass.e2e.test u6@rcpt.e2e.test
reply inet-retry "inet:127.0.0.1:10040: accepted after GREYLISTTIME" '^250 '
delivered inet-retry "inet:127.0.0.1:10040: message delivered"
t_grep "inet:127.0.0.1:10040: Received-SPF pass" \
    '^Received-SPF: pass .*client-ip=192\.0\.2\.40' "$E/out/inet-retry.msg"
postfix -c "$P" stop >/dev/null 2>&1
kill "$DPID"
wait "$DPID"
t_eq "daemon: SIGTERM, exit 0" "$?" 0
t_eq "daemon: every greyspf process gone" "$(e2e_greyspf_pids)" ""
t_ok "daemon: its socket removed" test ! -e "$E/queue/greyspf/greyspf.sock"
t_nogrep "daemon: no policy protocol failure in Postfix's log" \
    '451 4\.3\.5|problem talking to server|policy service .*(error|malformed)' \
    "$E/maillog"
t_nogrep "daemon: no bad request, crash or kill logged" \
    'closing the connection|killed|exited with' "$E/out/daemon.log"
t_eq "daemon: ASan/UBSan reports" "$(ls "$E/asan")" ""
