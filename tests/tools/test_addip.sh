#!/bin/sh
# test_addip.sh - greyspf-addip's input: a line longer than its buffer
# is an error with its line number (never two networks), a read error on
# standard input is a failure, and -d (no database here) is refused.
. "$(dirname "$0")/lib.sh"

A=$T/a
mkdir -p "$A/config"
printf 'configPath = %s/config\n' "$A" >"$A/g.conf"

# A line of 1100 bytes: a network, blanks, and what fgets would have
# taken for a second network.
{
	echo 198.51.100.7
	printf '192.0.2.0/24%1100s10.1\n' ''
} >"$A/long"
t_rc "addip: over-long line fails" 1 sh -c \
    "'$BIN/greyspf-addip' -c '$A/g.conf' <'$A/long'"
t_grep "addip: over-long line named by its number" \
    '^greyspf-addip: stdin:2: line longer than 1023 bytes$' "$T/.err"
t_rc "addip: over-long line: nothing written" 1 \
    test -e "$A/config/client_address"
echo not-a-network >>"$A/long"
t_rc "addip: over-long line, then a bad one" 1 sh -c \
    "'$BIN/greyspf-addip' -c '$A/g.conf' <'$A/long'"
t_grep "addip: the next line keeps its number" 'stdin:3: "not-a-network"' \
    "$T/.err"

# A line of exactly 1023 bytes and one without a newline at the end.
rm -rf "$A/config/client_address"
{
	printf '192.0.2.0/24%1011s\n' ''
	printf '198.51.100.7'
} >"$A/edge"
t_ok "addip: 1023-byte line and unterminated last line" sh -c \
    "'$BIN/greyspf-addip' -n -c '$A/g.conf' <'$A/edge'"
t_grep "addip: 1023-byte line read" 'would write: .*/192/0/2/__default__' \
    "$T/.out"
t_grep "addip: unterminated last line read" \
    'would write: .*/198/51/100/7/__default__' "$T/.out"

printf '192.0.2.0/24%1012s\n' '' >"$A/edge2"
t_rc "addip: a 1024-byte line is one too many" 1 sh -c \
    "'$BIN/greyspf-addip' -n -c '$A/g.conf' <'$A/edge2'"
t_grep "addip: 1024-byte line refused" 'stdin:1: line longer than 1023' \
    "$T/.err"

# A read error on standard input (a directory) is a failure, not an
# empty list.
t_rc "addip: read error on stdin fails" 1 sh -c \
    "'$BIN/greyspf-addip' -c '$A/g.conf' <'$A'"
t_grep "addip: read error named" '^greyspf-addip: stdin: Is a directory' \
    "$T/.err"

# addip writes no database: -d is a usage error, not silently ignored.
rm -rf "$A/config/client_address"
t_rc "addip -d is a usage error" 2 "$BIN/greyspf-addip" -c "$A/g.conf" \
    -d "$T/db" 192.0.2.0/24
t_grep "addip -d: usage on stderr" '^usage: greyspf-addip ' "$T/.err"
t_rc "addip -d: nothing written" 1 test -e "$A/config/client_address"
