#!/bin/sh
# test_fixtures.sh - the original's own data trees through import, dump
# --legacy, the text dump and load: same entries, same times to the
# microsecond; IPv4-mapped paths merge into their IPv4 twin (documented).
. "$(dirname "$0")/lib.sh"
need tar touch find

for fx in tumgreyspf-v2-triplet-ignorelastbyte tumgreyspf-v3-iponly \
    tumgreyspf-v5-spf; do
	d=$T/$fx
	fixture "$fx" "$d"
	t_ok "$fx: import" "$BIN/greyspf-import" -q -d "$d/db" "$d/data"
	cp "$T/.out" "$d/report1"
	t_grep "$fx: report counts" '^files: [0-9]+; entries: [0-9]+; imported: [0-9]+ new' "$d/report1"
	t_nogrep "$fx: nothing skipped" '^skipped:' "$d/report1"
	t_nogrep "$fx: access times taken as they are" 'access times' \
	    "$d/report1"
	t_ok "$fx: import again" "$BIN/greyspf-import" -q -d "$d/db" "$d/data"
	cp "$T/.out" "$d/report2"
	t_grep "$fx: second import changes nothing" \
	    'imported: 0 new, 0 merged into existing, [0-9]+ already present' \
	    "$d/report2"
	t_ok "$fx: dump --legacy" "$BIN/greyspf-dump" -d "$d/db" --legacy "$d/back"
	listing "$d/data" | grep -v '::ffff:' >"$d/want"
	listing "$d/back" >"$d/got"
	t_same "$fx: legacy round trip, mtime and atime to the microsecond" \
	    "$d/got" "$d/want"
	t_ok "$fx: text dump" "$BIN/greyspf-dump" -d "$d/db"
	cp "$T/.out" "$d/dump1"
	t_ok "$fx: load" "$BIN/greyspf-load" -d "$d/db2" "$d/dump1"
	t_ok "$fx: dump again" "$BIN/greyspf-dump" -d "$d/db2"
	t_same "$fx: dump, load, dump is byte-identical" "$T/.out" "$d/dump1"
	t_ok "$fx: re-import of the dumped tree" "$BIN/greyspf-import" -q \
	    -d "$d/db3" "$d/back"
	t_ok "$fx: dump of the re-import" "$BIN/greyspf-dump" -d "$d/db3"
	# first-seen is inferred again from the new tree: compare the rest.
	cut -d' ' -f1-4,6- "$T/.out" >"$d/d3"
	cut -d' ' -f1-4,6- "$d/dump1" >"$d/d1"
	t_same "$fx: legacy dump re-imports as the same entries" "$d/d3" "$d/d1"
done

d=$T/tumgreyspf-v2-triplet-ignorelastbyte
r=$d/report1
t_grep "v2: collapsed IPv6 reported" \
    'note: client_address/greylist/zed@example.com/bob@example.org: every IPv6 client shared' "$r"
t_grep "v2: mapped merged into IPv4" \
    '^merged: client_address/::ffff:203/0/113/greylist/alice@example.com/bob@example.org: same entry as client_address/203/0/113/greylist/alice@example.com/bob@example.org' "$r"
t_grep "v2: layouts named" '^layout: triplet, IPv4 /24 \(a/b/c, ignoreLastByte\): 27$' "$r"
t_grep "v2: counts" '^files: 30; entries: 29; imported: 29 new' "$r"
t_grep "v2: escapes decoded and re-encoded" \
    '^triplet 203.0.113.0/24 %C3%A9quipe@ex%C3%A4mple.com bob@example.org ' "$d/dump1"
t_grep "v2: collapsed IPv6 kept as ::/0" '^triplet ::/0 zed@example.com bob@example.org ' "$d/dump1"
# A passed entry: atime 04:39:00.733530 after mtime 04:38:59.
t_grep "v2: passed entry" \
    '^triplet 127.0.0.0/24 local@example.com bob@example.org [0-9.]+ 1795235939.000000 1795235940.733530 1 inferred$' \
    "$d/dump1"
# A pending entry, never re-checked: mtime keeps its fraction.
t_grep "v2: pending entry keeps fractional allow time" \
    '^triplet 203.0.113.0/24 split@example.com bob@example.org [0-9.]+ 1795235939.224289 1795235937.224289 0 inferred$' \
    "$d/dump1"

d=$T/tumgreyspf-v3-iponly
t_grep "v3: IP-only layout named" '^layout: IP only \(check_file\), IPv4 /24' "$d/report1"
t_grep "v3: top-level check_file is the collapsed IPv6 entry" '^iponly ::/0 ' "$d/dump1"
t_grep "v3: counts" '^files: 6; entries: 5;' "$d/report1"

# With the fixture's own configuration, first-seen is allow minus the
# GREYLISTTIME that applies (2 s in v2's __default__).
d=$T/tumgreyspf-v2-triplet-ignorelastbyte
cp -r "$FIXTURES/tumgreyspf-v2-triplet-ignorelastbyte/config" "$d/config"
chmod -R u+w "$d/config"
sed "s|/srv/tumgreyspf/config|$d/config|" "$d/config/tumgreyspf.conf" \
    >"$d/master.conf"
t_ok "v2: import with -c" "$BIN/greyspf-import" -q -c "$d/master.conf" \
    -d "$d/dbc" "$d/data"
t_ok "v2: dump of -c import" "$BIN/greyspf-dump" -d "$d/dbc"
t_grep "v2: first-seen inferred with GREYLISTTIME from the tree" \
    '^triplet 203.0.113.0/24 erin@example.com frank@example.org 1795235937.000000 1795235939.000000 ' \
    "$T/.out"
