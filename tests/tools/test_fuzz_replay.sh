#!/bin/sh
# test_fuzz_replay.sh - every fuzz target over its seed corpus plus a
# fixed set of mutations, in the sanitizer build: a crash, a sanitizer
# report or a broken round-trip property (abort) fails the test.
. "$(dirname "$0")/lib.sh"

C=$(dirname "$0")/../fuzz/corpus
M=${GREYSPF_FUZZ_MUTATIONS:-20000}
for t in legacy_path dump_line record config proto spf entity \
    whitelist_clients whitelist_recipients redis_spec listen template; do
	m=$M
	# A file per input; the whitelists compile expressions.
	case $t in config|proto|entity|whitelist_*) m=$((M / 10)) ;; esac
	t_ok "fuzz target $t: corpus and $m mutations" \
	    "$BUILD/tests/fuzzrun_$t" -m "$m" "$C/$t"/*
done
