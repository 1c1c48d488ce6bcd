#!/bin/sh
# test_version.sh - the version is the Makefile's VERSION: CHANGES' top
# entry and debian/changelog's top entry agree with it, and the built
# programs print it (-V).
. "$(dirname "$0")/lib.sh"
V=$(sed -n 's/^VERSION[ \t]*=[ \t]*//p' Makefile)
t_ok "the Makefile sets VERSION" test -n "$V"
t_eq "CHANGES' top entry is VERSION" \
    "$(grep -m 1 '^[0-9]' CHANGES | cut -d ' ' -f 1)" "$V"
t_eq "debian/changelog's top entry is VERSION" \
    "$(sed -n '1s/^greyspf (\([^)]*\)).*/\1/p' debian/changelog)" "$V"
t_eq "greyspf -V prints VERSION" "$("$BIN/greyspf" -V)" "greyspf $V"
