#!/bin/sh
# requires: root
# test_spf_suites.sh - the RFC 7208 and RFC 4408 SPF test suites, and
# greyspf's own hardening cases, through greyspf's SPF module (libspf2's
# resolver path, glibc, a DNS server of the test's own in a network
# namespace; tests/spf/run.sh). Each suite must reach its floor; the
# floors are where greyspf is, so any regression fails.
. "$(dirname "$0")/lib.sh"
need unshare ip

SUITES=${SPF_SUITES:-tests/spf/suite}
# suite file, result floor, explanation floor
for s in "$SUITES/rfc7208-tests.yml 203 22" "$SUITES/rfc4408-tests.yml 191 22" \
    "tests/spf/greyspf-tests.yml 42 4"; do
	set -- $s
	name=$(basename "$1" .yml)
	if [ ! -f "$1" ]; then
		_notok "$name: suite file $1 missing"
		continue
	fi
	sh tests/spf/run.sh "$BUILD/tests/spfsuite" -f "$2" -e "$3" "$1" \
	    >"$T/$name.out" 2>&1
	rc=$?
	sed -n 's/^.*\/\([^/]*\)\.yml\( explanations\)\{0,1\}: /# report: \1\2: /p' \
	    "$T/$name.out"
	t_eq "$name: at least $2 results and $3 explanations right" "$rc" 0
	[ "$rc" -eq 0 ] || _show "$T/$name.out"
done

