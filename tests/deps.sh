#!/bin/sh
# deps.sh - install the Debian packages greyspf's build and tests need.
# "make deps" and .ci/run call it; it is safe to run again.
set -eu
# "deps.sh bench" adds what make bench compares against.
PKGS="build-essential liblmdb-dev lmdb-utils libinih-dev libcmocka-dev
    faketime python3 util-linux tar findutils bc libspf2-dev libyaml-dev
    iproute2"
[ "${1:-}" = bench ] && PKGS="$PKGS postgrey postfix-policyd-spf-python \
    python3-dnspython time"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' \
	    || missing="$missing $p"
done
if [ -n "$missing" ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi
