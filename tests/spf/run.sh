#!/bin/sh
# run.sh - run SPF suites in a network and mount namespace of their own:
# lo up, a resolv.conf naming 127.0.0.1 over /etc/resolv.conf, and
# spfsuite (with its DNS server on 127.0.0.1:53) inside.
#	run.sh spfsuite [spfsuite options] suite.yml
set -eu
if [ "${GREYSPF_IN_NS:-}" != 1 ]; then
	export GREYSPF_IN_NS=1
	exec unshare -m -n sh "$0" "$@"
fi
ip link set lo up
conf=$(mktemp)
trap 'rm -f "$conf"' EXIT
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$conf"
chmod 644 "$conf"	# read by greyspf as nobody, too
mount --bind "$conf" /etc/resolv.conf
"$@"
