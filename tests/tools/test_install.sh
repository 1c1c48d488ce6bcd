#!/bin/sh
# test_install.sh - make install with PREFIX and DESTDIR puts every
# program, man page and sample where the README says; the installed
# programs run; a site's own configuration survives a second install; every man page renders without a groff warning, names
# its program, and greyspf.conf(5) names every key the configuration
# reader accepts.
. "$(dirname "$0")/lib.sh"
need make groff install
R=$T/root
TOOLS=$(sed -n '/^TOOLS/,/[^\\]$/p' Makefile | sed 's/^TOOLS\t=//; s/\\//' |
    tr -s ' \t\n' '   ')
t_ok "the Makefile lists the tools" test -n "$TOOLS"
# What make test built is installed as it is: nothing compiled again.
make -n install DESTDIR="$R" PREFIX=/usr B="$BUILD" BIN="$BIN" \
    >"$T/plan" 2>&1
t_nogrep "make install after make test compiles nothing" '^(cc|gcc|clang) ' \
    "$T/plan"
t_ok "make install PREFIX=/usr DESTDIR=..." \
    make -s install DESTDIR="$R" PREFIX=/usr B="$BUILD" BIN="$BIN"
for p in greyspf $TOOLS; do
	t_ok "$p installed in sbin, mode 755" \
	    sh -c "[ \"\$(stat -c %a '$R/usr/sbin/$p')\" = 755 ]"
	t_rc "installed $p -V runs" 0 "$R/usr/sbin/$p" -V
	t_ok "man page $p(8) installed" test -f "$R/usr/share/man/man8/$p.8"
	t_grep "$p(8) names it" "^$p \\\\- " "$R/usr/share/man/man8/$p.8"
done
t_ok "greyspf.conf(5) installed" test -f "$R/usr/share/man/man5/greyspf.conf.5"
S=$R/usr/share/greyspf
for f in greyspf.conf config/__default__ postfix-main.cf postfix-master.cf \
    postfix-main-daemon.cf greyspf.service greyspf.socket; do
	t_ok "sample $f in share/greyspf" test -f "$S/$f"
done
t_grep "the master.cf snippet names the installed greyspf" \
    'argv=/usr/sbin/greyspf ' "$S/postfix-master.cf"
t_eq "the master.cf snippet otherwise as conf/'s" \
    "$(sed 's|/usr/sbin/|/usr/local/sbin/|' "$S/postfix-master.cf")" \
    "$(cat conf/postfix-master.cf)"
t_ok "nothing installed outside DESTDIR's usr and etc" \
    sh -c "[ -z \"\$(ls '$R' | grep -v -x -e usr -e etc)\" ]"
t_same "greyspf.conf installed from the sample" \
    "$S/greyspf.conf" "$R/etc/greyspf/greyspf.conf"
t_same "config/__default__ installed from the sample" \
    "$S/config/__default__" "$R/etc/greyspf/config/__default__"
# configtest checks the user and the database too: an existing user,
# and a database it may create.
mkdir -p "$T/var"
chmod 1777 "$T/var"
sed -e "s|^configPath = .*|configPath = $R/etc/greyspf/config|" \
    -e "s|^user = .*|user = nobody|" \
    -e "s|^database = .*|database = $T/var/db|" \
    "$R/etc/greyspf/greyspf.conf" >"$T/installed.conf"
t_ok "the installed configuration is valid (configtest)" \
    "$R/usr/sbin/greyspf-configtest" -q -c "$T/installed.conf"
echo "debugLevel = 2" >>"$R/etc/greyspf/greyspf.conf"
cp "$R/etc/greyspf/greyspf.conf" "$T/site.conf"
t_ok "make install again" \
    make -s install DESTDIR="$R" PREFIX=/usr B="$BUILD" BIN="$BIN"
t_same "a second install keeps the site's greyspf.conf" \
    "$T/site.conf" "$R/etc/greyspf/greyspf.conf"

for m in "$R"/usr/share/man/man*/*; do
	groff -man -ww -z "$m" >"$T/groff" 2>&1
	t_eq "$(basename "$m") renders without warnings" "$(cat "$T/groff")" ""
done
# Every key of lib/config.c's table, and every per-entity name.
sed -n -e 's/^\tCF("\([A-Za-z]*\)".*/\1/p' \
    -e 's/^\tSPFA("\([A-Za-z]*\)".*/\1/p' lib/config.c >"$T/keys"
sed -n 's/.*strcmp(name, "\([A-Z]*\)").*/\1/p' lib/entity.c >>"$T/keys"
t_ok "configuration keys found in the sources" \
    sh -c "[ \$(wc -l <'$T/keys') -ge 40 ]"
# The page's text without font changes (rendered text is hyphenated).
sed 's/\\f[BIRP]//g' "$R/usr/share/man/man5/greyspf.conf.5" >"$T/man5"
: >"$T/undocumented"
while read -r k; do
	grep -q -w -- "$k" "$T/man5" || echo "$k" >>"$T/undocumented"
done <"$T/keys"
t_eq "greyspf.conf(5) documents every key" "$(cat "$T/undocumented")" ""
