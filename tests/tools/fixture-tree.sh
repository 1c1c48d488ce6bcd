#!/bin/sh
# fixture-tree.sh FIXTURE_DIR DEST - unpack a fixture's data tree with the
# exact mtime and atime of tree-exact.txt (GNU tar restores mtime only).
set -eu
fx=$1 dest=$2
mkdir -p "$dest"
tar --warning=no-timestamp -xzf "$fx/data.tar.gz" -C "$dest"
# Lines: TYPE PATH SIZE MTIME ATIME CTIME; files only; paths have no blanks.
while read -r type path size mtime atime ctime; do
	[ "$type" = f ] || continue
	touch -h -m -d "@$mtime" "$dest/$path"
	touch -h -a -d "@$atime" "$dest/$path"
done < "$fx/tree-exact.txt"
