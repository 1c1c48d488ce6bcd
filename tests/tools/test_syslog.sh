#!/bin/sh
# requires: root
# test_syslog.sh - without -L greyspf logs to syslog: facility mail,
# ident greyspf with its pid, tumgreyspf's lines, and nothing on the
# protocol stream but replies. /dev/log is a test sink in a private
# mount namespace (a tmpfs over /dev, with /dev/null and /dev/log only).
. "$(dirname "$0")/lib.sh"
need unshare mount mknod

W=$T/w
mkdir -p "$W/config"
chmod 1777 "$W"
printf 'CHECKERS = greylist\nOTHERCONFIGS = client_address\n' >"$W/config/__default__"
chmod -R a+rX "$W/config"
printf 'configPath = %s/config\ndatabase = %s/db\nuser = nobody\n' "$W" "$W" >"$W/g.conf"
printf 'client_address=192.0.2.1\nsender=a@x\nrecipient=b@y\n\nbroken line\n\n' >"$W/in"
cat >"$W/run.sh" <<EOS
set -e
mount -t tmpfs tmpfs /dev
mknod -m 666 /dev/null c 1 3
"$BUILD/tests/logsink" /dev/log "$W/syslog" 2 >"$W/ready" &
sink=\$!
while ! grep -q ready "$W/ready" 2>/dev/null; do :; done
chmod 666 /dev/log
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
