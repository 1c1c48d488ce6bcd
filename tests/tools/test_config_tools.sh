#!/bin/sh
# test_config_tools.sh - greyspf-configtest finds every problem of a
# configuration with its file:line, and agrees with the service on what
# it cannot run with or reads otherwise (the user, access as that user,
# a missing __default__, links, comment forms); greyspf-addip writes
# what the lookups read (IPv4 and IPv6), all or nothing, and the
# service then lets those clients through. As root, configtest checks
# access as the configured user (nobody); as another user, as itself:
# the modes below deny both.
. "$(dirname "$0")/lib.sh"
need faketime

# A directory where the configured user may create the database.
V=$T/var
mkdir -p "$V"
chmod 1777 "$V"
C=$T/config
cp -r "$FIXTURES/tumgreyspf-v2-triplet-ignorelastbyte/config" "$C"
chmod -R u+w,a+rX "$C"
sed -i "s|/srv/tumgreyspf/config|$C|" "$C/tumgreyspf.conf"
printf 'user = "nobody"\ndatabase = "%s/db"\n' "$V" >>"$C/tumgreyspf.conf"
t_rc "configtest on the fixture tree: problems found" 1 \
    "$BIN/greyspf-configtest" "$C/tumgreyspf.conf"
t_grep "unknown name, with file:line" 'unknownkey.example/__default__:1: unknown name: FOO' "$T/.err"
t_grep "bad line, with file:line" 'unknownkey.example/__default__:2: ERROR parsing line' "$T/.err"
t_grep "bad value, with file:line" 'broken.example/__default__:1: GREYLISTTIME must be whole seconds' "$T/.err"
t_nogrep "the master file in the tree is not an entity file" 'tumgreyspf.conf: not read' "$T/.err"
t_grep "counts" ': 14 files, 3 problems$' "$T/.out"
mkdir -p "$C/envelope_sender/Example.COM" "$C/elsewhere"
echo "GREYLISTTIME=1" >"$C/envelope_sender/Example.COM/__default__"
echo "GREYLISTTIME=1" >"$C/elsewhere/__default__"
echo "GREYLISTTIME=1" >"$C/envelope_sender/tilde~user"
t_rc "configtest: unreachable files" 1 "$BIN/greyspf-configtest" -q "$C/tumgreyspf.conf"
t_grep "upper-case domain never matches" 'Example.COM/__default__: never matches: domain' "$T/.err"
t_grep "unknown top directory" 'elsewhere/__default__: not read: not under client_address' "$T/.err"
t_grep "wrong depth" 'envelope_sender/tilde~user: not read: expected TYPE/DOMAIN' "$T/.err"
printf 'debugLevel = 7\n' >"$T/bad.conf"
t_rc "configtest: bad master file" 1 "$BIN/greyspf-configtest" -c "$T/bad.conf"
t_grep "master error with file:line" 'bad.conf:1: debugLevel must be an integer from 0 to 4' "$T/.err"
mkdir -p "$T/clean"
printf 'CHECKERS = greylist\n' >"$T/clean/__default__"
printf 'configPath = %s/clean\nuser = nobody\ndatabase = %s/db\n' "$T" "$V" \
    >"$T/clean.conf"
t_ok "configtest: a clean configuration" "$BIN/greyspf-configtest" -c "$T/clean.conf"
t_grep "clean counts" 'clean: 1 files, 0 problems$' "$T/.out"
# dpkg and ucf leave their copies beside a changed conffile (the Debian
# package's __default__): noted, not read, not a problem.
mkdir -p "$T/clean/client_address/192"
for f in __default__.dpkg-dist __default__.dpkg-old __default__.ucf-dist \
    client_address/192/__default__.dpkg-new; do
	printf 'CHECKERS = greylist\n' >"$T/clean/$f"
done
t_ok "configtest: dpkg's and ucf's copies are no problem" \
    "$BIN/greyspf-configtest" -c "$T/clean.conf"
t_grep "dpkg's copy noted" \
    '^note: .*/clean/__default__\.dpkg-dist: left by dpkg or ucf' "$T/.out"
t_grep "ucf's copy noted" '/clean/__default__\.ucf-dist: left by' "$T/.out"
t_grep "a copy in the tree noted" '192/__default__\.dpkg-new: left by' \
    "$T/.out"
t_grep "copies not counted" 'clean: 1 files, 0 problems$' "$T/.out"
t_ok "configtest -q: the copies are not printed" \
    "$BIN/greyspf-configtest" -q -c "$T/clean.conf"
t_eq "configtest -q: nothing printed" "$(cat "$T/.out" "$T/.err")" ""
rm -r "$T/clean/client_address" "$T/clean/__default__".*

# What the service would refuse or read otherwise fails configtest too.
# ct NAME PATTERN LINE...: configtest on a master file of configPath
# and the LINEs exits 1 and says PATTERN.
ct() {
	ct_name=$1 ct_pattern=$2
	shift 2
	printf 'configPath = %s/clean\n' "$T" >"$T/ct.conf"
	printf '%s\n' "$@" >>"$T/ct.conf"
	t_rc "configtest: $ct_name" 1 "$BIN/greyspf-configtest" -q -c "$T/ct.conf"
	t_grep "configtest: $ct_name, reported" "$ct_pattern" "$T/.err"
}
ct "user root" 'user "root" \(key user\) is root: greyspf refuses' \
    "database = $V/db" "user = root"
ct "user missing" 'user "nosuchuserxyz" \(key user\) does not exist' \
    "database = $V/db" "user = nosuchuserxyz"
mkdir -p "$T/ro"
chmod 555 "$T/ro"
ct "database cannot be created" \
    "database $T/ro/db: does not exist, and cannot be created in $T/ro: Permission denied" \
    "database = $T/ro/db" "user = nobody"
ct "database not writable" \
    "database $T/ro: cannot write the directory: Permission denied" \
    "database = $T/ro" "user = nobody"
ct "continuation line" 'ct.conf:3: indented line' \
    "database = /a" "    $V/db" "user = nobody"
ct "inline ; comment" 'ct.conf:3: " ;" would cut the value' \
    "database = $V/db" "user = nobody ; the greyspf user"
t_rc "service: an inline ; refused too" 1 sh -c \
    "'$BIN/greyspf' -L -c '$T/ct.conf' </dev/null"
t_grep "service: with file:line" 'ct.conf:3: " ;"' "$T/.err"
# The per-entity tree as the user and the service see it.
G=$T/g
printf 'configPath = %s\ndatabase = %s/db\nuser = nobody\n' "$G" "$V" >"$T/g.conf"
tree() { rm -rf "$G"; mkdir -p "$G/client_address/10"; printf 'CHECKERS = greylist\n' >"$G/__default__"; }
tree
printf 'GREYLISTTIME = abc\nCHECKERS = greylist\n' >"$T/garbage"
ln -sf "$T/garbage" "$G/__default__"
t_rc "configtest: a linked __default__ is read" 1 "$BIN/greyspf-configtest" -c "$T/g.conf"
t_grep "configtest: its bad line, with file:line" "$G/__default__:1: GREYLISTTIME must be" "$T/.err"
tree
rm "$G/__default__"
t_rc "configtest: no __default__" 1 "$BIN/greyspf-configtest" -c "$T/g.conf"
t_grep "configtest: no __default__, reported" "$G/__default__: missing: greyspf answers configErrorAction" "$T/.err"
tree
ln -s "$G/nowhere" "$G/client_address/10/__default__"
t_rc "configtest: a link to nothing" 1 "$BIN/greyspf-configtest" -c "$T/g.conf"
t_grep "configtest: a link to nothing, reported" "10/__default__: a link to nothing" "$T/.err"
tree
ln -s .. "$G/client_address/10/11"
t_rc "configtest: a link back up the tree" 1 "$BIN/greyspf-configtest" -c "$T/g.conf"
t_grep "configtest: a link back up the tree, reported" "10/11: a link to a directory above it" "$T/.err"
tree
printf 'GREYLISTTIME = 5\n' >"$G/client_address/10/__default__"
chmod 000 "$G/client_address/10/__default__"
t_rc "configtest: a file the user cannot read" 1 "$BIN/greyspf-configtest" -c "$T/g.conf"
t_grep "configtest: unreadable file, with the cause" "10/__default__: cannot read: Permission denied" "$T/.err"
tree
chmod 000 "$G/client_address/10"
t_rc "configtest: a directory the user cannot search" 1 "$BIN/greyspf-configtest" -c "$T/g.conf"
t_grep "configtest: unsearchable directory, with the cause" "client_address/10: cannot (search|list) the directory: Permission denied" "$T/.err"
chmod 755 "$G/client_address/10"
tree
chmod 600 "$T/g.conf"
if [ "$(id -u)" = 0 ]; then
	t_rc "configtest: a master file the user cannot read" 1 "$BIN/greyspf-configtest" -c "$T/g.conf"
	t_grep "configtest: unreadable master file, named" "g.conf: user nobody cannot read it" "$T/.err"
fi
chmod 644 "$T/g.conf"
t_ok "configtest: the tree restored is clean" "$BIN/greyspf-configtest" -c "$T/g.conf"

# addip: all or nothing.
A=$T/a
mkdir -p "$A/config"
printf 'CHECKERS = greylist\nOTHERCONFIGS = client_address\n' >"$A/config/__default__"
chmod -R a+rwX "$A"
chmod 1777 "$A"
printf 'configPath = %s/config\ndatabase = %s/db\nuser = nobody\n' "$A" "$A" >"$A/g.conf"
t_rc "addip: one bad network writes nothing" 1 "$BIN/greyspf-addip" \
    -c "$A/g.conf" 192.0.2.0/24 10.0.0.0/12
t_grep "addip: bad network named" 'argument 2|argument:2: "10.0.0.0/12": IPv4 prefix must be /8, /16, /24 or /32' "$T/.err"
t_rc "addip: nothing written" 1 test -e "$A/config/client_address"
printf '# whitelist\n192.0.2\n198.51.100.7 host\n2001:db8:1::/48\n\n' >"$A/list"
t_ok "addip from stdin" sh -c "'$BIN/greyspf-addip' -c '$A/g.conf' <'$A/list'"
t_grep "IPv4 /24 as octets" "wrote: $A/config/client_address/192/0/2/__default__" "$T/.out"
t_grep "IPv4 host" "wrote: $A/config/client_address/198/51/100/7/__default__" "$T/.out"
t_grep "IPv6 /48 as groups" "wrote: $A/config/client_address/2001/db8/1/__default__" "$T/.out"
t_grep "content as tumgreyspf-addip wrote it" '^CHECKERS=$' "$A/config/client_address/2001/db8/1/__default__"
t_ok "addip again" "$BIN/greyspf-addip" -c "$A/g.conf" 192.0.2.0/24
t_grep "existing file left alone" 'exists, left as is' "$T/.out"
t_ok "configtest agrees" "$BIN/greyspf-configtest" -c "$A/g.conf"
# The service lets the exempted clients through, greylists the others.
q() { printf 'client_address=%s\nsender=a@x\nrecipient=b@y\n\n' "$1"; }
{ q 192.0.2.9; q 2001:db8:1:ffff::1; q 2001:db8:2::1; } >"$A/in"
TZ=UTC faketime -f "2026-11-21 04:38:57" "$BUILD/tests/sockdrive" \
    "$BIN/greyspf" -L -c "$A/g.conf" <"$A/in" >"$A/out" 2>/dev/null
grep '^action=' "$A/out" | tr '\n' '|' >"$A/got"
t_eq "service honours addip (IPv4 /24, IPv6 /48)" "$(cat "$A/got")" \
    "action=dunno|action=dunno|action=defer_if_permit Service unavailable, greylisted (http://projects.puremagic.com/greylisting/).|"
