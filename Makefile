# greyspf - Postfix policy service: greylisting on LMDB, SPF
#
# make            build bin/ (the tools; the service comes with it)
# make test       sanitizer build (ASan+UBSan) and every test; ends with
#                 "N passed, M failed"; needs root (namespaces)
# make check      the tests that need neither root nor namespaces
# make bench      benchmarks (not part of test)
# make fuzz       libFuzzer targets (clang), a short run each
# make deps       install the Debian packages the build and tests need
# make deb        the Debian package, in build/deb (make test-deb: root)
# make install    PREFIX=/usr/local DESTDIR=: programs, man pages, samples
#                 in PREFIX/share/greyspf; /etc/greyspf/greyspf.conf and
#                 config/__default__ only where absent
# make clean

CC	?= cc
CFLAGS	?= -O2 -g
# Warnings are errors in make test and CI; "make WERROR=" for another
# compiler whose new warnings should not stop a build.
WERROR	?= -Werror
W	= -Wall -Wextra $(WERROR) -Wstrict-prototypes -Wformat=2 -Wshadow \
	  -Wpointer-arith -Wmissing-prototypes
VERSION	= 0.1.0
CPPFLAGS += -D_GNU_SOURCE -DGREYSPF_VERSION=\"$(VERSION)\"
# liblmdb, libinih, libpcre2-8 and libhiredis are linked statically by
# default: fewer shared objects to load at every spawn (start-up is the
# cost that matters under spawn). LIBLINK=dynamic links them as shared libraries, as the Debian
# package does (doc/decisions.md has both measured). LDFLAGS (e.g. from
# dpkg-buildflags) reaches every link through LDLIBS.
LIBLINK	?= static
LIBLINK_static = -Wl,-Bstatic -llmdb -linih -lpcre2-8 -lhiredis -Wl,-Bdynamic
LIBLINK_dynamic = -llmdb -linih -lpcre2-8 -lhiredis
ifeq ($(filter static dynamic,$(LIBLINK)),)
$(error LIBLINK must be static or dynamic, not "$(LIBLINK)")
endif
LDLIBS	= $(LDFLAGS) $(LIBLINK_$(LIBLINK)) -lpthread -lrt
# libspf2 (Debian's, no pkg-config file) and glibc's resolver.
SPF_LIBS = -lspf2 -lresolv
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	  -fno-omit-frame-pointer

PREFIX	?= /usr/local
DESTDIR	?=
SBINDIR	= $(PREFIX)/sbin
MANDIR	= $(PREFIX)/share/man
ETCDIR	?= /etc/greyspf
SHAREDIR = $(PREFIX)/share/greyspf

# B is the object directory, BIN where programs go; "make test" sets both
# to a sanitizer build under build/san.
B	= build
BIN	= bin
XFLAGS	=

# The layers, each an archive; dependencies point one way, and each
# directory's objects see only the headers of the layers below it (the
# include flags further down): tools use db and lib; the service (src)
# uses spf, db and lib; spf and db use only lib.
LIB_SRC	= lib/log.c lib/util.c lib/addr.c lib/quote.c lib/timefmt.c \
	  lib/config.c lib/entity.c lib/cli.c lib/fault.c lib/sha256.c \
	  lib/fd.c lib/whitelist.c lib/template.c lib/listen_parse.c
DB_SRC	= db/key.c db/record.c db/entry.c db/store.c db/store_lmdb.c \
	  db/legacy.c db/legacy_tree.c db/dumpfmt.c db/counter.c \
	  db/redis_spec.c db/store_redis.c db/store_fallback.c
SPF_SRC	= spf/spf_record.c spf/spf_macro.c spf/spf_dns.c spf/spf_engine.c \
	  spf/spf_worker.c
SRV_SRC	= src/proto.c src/policy.c src/policy_plan.c src/policy_spf.c \
	  src/greylist.c src/blackhole.c src/privs.c src/service.c \
	  src/session.c src/policy_text.c src/service_whitelist.c \
	  src/listen.c src/spf_pool.c src/loop.c src/daemon.c src/sdglue.c \
	  src/policy_awl.c src/autowl.c src/counters.c
TOOL_SRC = tools/tool.c tools/runsort.c tools/filter.c tools/statctr.c
LIB_A	= $(B)/libgreyspf-base.a
DB_A	= $(B)/libgreyspf-db.a
SPF_A	= $(B)/libgreyspf-spf.a
SRV_A	= $(B)/libgreyspf-srv.a
TOOL_A	= $(B)/libgreyspf-tool.a
# What a program of each kind links, in dependency order.
SRV_LINK = $(SRV_A) $(SPF_A) $(DB_A) $(LIB_A)
ALL_LINK = $(SRV_A) $(TOOL_A) $(SPF_A) $(DB_A) $(LIB_A)
TOOLS	= greyspf-import greyspf-dump greyspf-load greyspf-stat greyspf-clean \
	  greyspf-delete \
	  greyspf-configtest greyspf-addip
TOOL_BIN = $(TOOLS:%=$(BIN)/%)
UNIT	= test_addr test_key test_record test_legacy test_dumpfmt \
	  test_config test_entity test_util test_policy test_proto test_spf \
	  test_sha256 test_fd test_log test_whitelist test_policy_text \
	  test_listen test_counter test_policy_awl test_counters \
	  test_redis_spec
UNIT_BIN = $(UNIT:%=$(B)/tests/%)
FUZZ	= fuzz_legacy_path fuzz_dump_line fuzz_record fuzz_config fuzz_proto \
	  fuzz_spf fuzz_entity fuzz_whitelist_clients \
	  fuzz_whitelist_recipients fuzz_redis_spec fuzz_listen fuzz_template
FUZZRUN	= $(FUZZ:fuzz_%=fuzzrun_%)

ALL_CFLAGS = $(CFLAGS) $(XFLAGS) $(W) -MMD -MP

.PHONY: all san test check unit bench fuzz deps deb test-deb install clean \
	run
# Objects made through pattern rules are kept: a later make (install,
# after make test) must find them rather than rebuild them with other
# flags.
.SECONDARY:

all: $(BIN)/greyspf $(TOOL_BIN)

# Include paths per directory: a file sees its own layer's headers and
# those of the layers it may use, so a wrong include does not compile.
$(B)/lib/%.o: CPPFLAGS += -Ilib
$(B)/db/%.o: CPPFLAGS += -Ilib -Idb
$(B)/spf/%.o: CPPFLAGS += -Ilib -Ispf
$(B)/src/%.o: CPPFLAGS += -Ilib -Idb -Ispf -Isrc
$(B)/tools/%.o: CPPFLAGS += -Ilib -Idb -Itools
$(B)/tests/%.o: CPPFLAGS += -Ilib -Idb -Ispf -Isrc -Itools -Itests

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_SRC:%.c=$(B)/%.o)
$(DB_A): $(DB_SRC:%.c=$(B)/%.o)
$(SPF_A): $(SPF_SRC:%.c=$(B)/%.o)
$(SRV_A): $(SRV_SRC:%.c=$(B)/%.o)
$(TOOL_A): $(TOOL_SRC:%.c=$(B)/%.o)
$(LIB_A) $(DB_A) $(SPF_A) $(SRV_A) $(TOOL_A):
	rm -f $@
	ar rcs $@ $^

$(BIN)/greyspf: $(B)/src/main.o $(SRV_LINK)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $^ $(LDLIBS) $(SPF_LIBS)

$(BIN)/%: $(B)/tools/%.o $(TOOL_A) $(DB_A) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/test_%: $(B)/tests/unit/test_%.o $(ALL_LINK)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $^ $(LDLIBS) $(SPF_LIBS) -lcmocka

unit: $(UNIT_BIN)

$(B)/tests/gentree: $(B)/tests/tools/gentree.o $(DB_A) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/countadd: $(B)/tests/tools/countadd.o $(DB_A) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/sockdrive: $(B)/tests/tools/sockdrive.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $<

$(B)/tests/spfsuite: $(B)/tests/spf/spfsuite.o $(SPF_A) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $^ $(LDLIBS) $(SPF_LIBS) -lyaml

$(B)/tests/spfcrash: $(B)/tests/spf/spfcrash.o $(SPF_A) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $^ $(LDLIBS) $(SPF_LIBS)

$(B)/tests/polclient: $(B)/tests/tools/polclient.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $<

$(B)/tests/floor: $(B)/tests/bench/floor.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $<

$(B)/tests/logsink: $(B)/tests/tools/logsink.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $<

# The test suite runs against a sanitizer build of everything. make test
# runs every test; make check only those that need neither root nor
# namespaces of their own (a script says "# requires: root").
SAN_B	= build/san
SAN_PROGS = $(SAN_B)/bin/greyspf $(TOOLS:%=$(SAN_B)/bin/%) \
	    $(SAN_B)/tests/sockdrive $(SAN_B)/tests/logsink $(SAN_B)/tests/polclient \
	    $(SAN_B)/tests/spfsuite $(SAN_B)/tests/spfcrash \
	    $(UNIT:%=$(SAN_B)/tests/%) $(SAN_B)/tests/gentree \
	    $(SAN_B)/tests/countadd \
	    $(FUZZRUN:%=$(SAN_B)/tests/%)
san:
	$(MAKE) B=$(SAN_B) BIN=$(SAN_B)/bin XFLAGS="$(SANFLAGS)" $(SAN_PROGS)
test: san
	BUILD=$(SAN_B) sh tests/run.sh
check: san
	BUILD=$(SAN_B) TESTS=check sh tests/run.sh

BENCH_B	= build/bench
bench:
	sh tests/deps.sh bench
	$(MAKE) B=$(BENCH_B) BIN=$(BENCH_B)/bin CFLAGS="-O2 -g" all \
	    $(BENCH_B)/tests/gentree $(BENCH_B)/tests/bench_store \
	    $(BENCH_B)/tests/bench_policy $(BENCH_B)/tests/spfsuite \
	    $(BENCH_B)/tests/bench_whitelist $(BENCH_B)/tests/polclient \
	    $(BENCH_B)/tests/floor
	BUILD=$(BENCH_B) sh tests/bench/run.sh
	BUILD=$(BENCH_B) sh tests/bench/daemon.sh
	BUILD=$(BENCH_B) sh tests/bench/spf.sh
	BUILD=$(BENCH_B) sh tests/bench/redis.sh

$(B)/tests/bench_policy: $(B)/tests/bench/bench_policy.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $<

$(B)/tests/bench_whitelist: $(B)/tests/bench/bench_whitelist.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/bench_store: $(B)/tests/bench/bench_store.o $(DB_A) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $^ $(LDLIBS)

FUZZ_B	= build/fuzz
FUZZFLAGS = -fsanitize=fuzzer-no-link,address,undefined
fuzz:
	$(MAKE) CC=clang B=$(FUZZ_B) BIN=$(FUZZ_B)/bin \
	    XFLAGS="$(FUZZFLAGS)" $(FUZZ:%=$(FUZZ_B)/tests/%)
	BUILD=$(FUZZ_B) sh tests/fuzz/run.sh

$(B)/tests/fuzz_%: $(B)/tests/fuzz/fuzz_%.o $(ALL_LINK)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $^ \
	    $(LDLIBS) $(SPF_LIBS)

# The fuzz targets, driven without libFuzzer (corpus replay and fixed
# mutations) so that make test runs them under the sanitizers.
$(B)/tests/fuzzrun_%: $(B)/tests/fuzz/fuzz_%.o $(B)/tests/fuzz/driver.o \
	    $(ALL_LINK)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $^ $(LDLIBS) $(SPF_LIBS)

deps:
	sh tests/deps.sh

# make deb: the Debian package (debian/), built by dpkg-buildpackage from
# a copy of the tree in build/deb/src, so that the package and its
# .changes land in build/deb/ rather than beside the clone. make test-deb
# (root) builds it and tests it installed (tests/deb/test_deb.sh).
DEB_B	= build/deb
deb:
	rm -rf $(DEB_B)
	mkdir -p $(DEB_B)/src
	tar -cf - --exclude=./build --exclude=./bin --exclude=./var \
	    --exclude=./.git . | tar -xf - -C $(DEB_B)/src
	cd $(DEB_B)/src && dpkg-buildpackage -us -uc -b -J2
	rm -rf $(DEB_B)/src
test-deb:
	sh tests/deb/test_deb.sh

# make run: the service on the embedded default - the sample per-entity
# tree in conf/config and an LMDB under var/ - reading requests from the
# terminal (type name=value lines, then an empty line). Messages go to
# stderr. As root it drops to nobody, who is given var/.
RUN_USER = $$(if [ "$$(id -u)" = 0 ]; then echo nobody; else id -un; fi)
run: deps all
	@mkdir -p var
	@if [ "$$(id -u)" = 0 ]; then chown nobody var; fi
	@sed -e 's|^database = .*|database = $(CURDIR)/var/db|' \
	    -e 's|^configPath = .*|configPath = $(CURDIR)/conf/config|' \
	    -e "s|^user = .*|user = $(RUN_USER)|" conf/greyspf.conf \
	    >var/greyspf.conf
	@echo "greyspf on var/greyspf.conf: type a request, e.g." >&2
	@printf '  client_address=192.0.2.1\n  sender=a@example.com\n  recipient=b@example.org\n  (empty line)\n' >&2
	$(BIN)/greyspf -L -c var/greyspf.conf

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(SHAREDIR)/config \
	    $(DESTDIR)$(ETCDIR)/config
	install -m 755 $(BIN)/greyspf $(TOOL_BIN) $(DESTDIR)$(SBINDIR)
	install -m 644 doc/*.8 $(DESTDIR)$(MANDIR)/man8
	install -m 644 doc/*.5 $(DESTDIR)$(MANDIR)/man5
	install -m 644 conf/greyspf.conf conf/postfix-main.cf \
	    conf/postfix-main-daemon.cf conf/greyspf.socket $(DESTDIR)$(SHAREDIR)
	@# The master.cf snippet and the daemon's unit name the programs where
	@# they are installed.
	sed 's|/usr/local/sbin/|$(SBINDIR)/|' conf/postfix-master.cf \
	    >$(DESTDIR)$(SHAREDIR)/postfix-master.cf
	sed 's|/usr/sbin/|$(SBINDIR)/|' conf/greyspf.service \
	    >$(DESTDIR)$(SHAREDIR)/greyspf.service
	chmod 644 $(DESTDIR)$(SHAREDIR)/postfix-master.cf \
	    $(DESTDIR)$(SHAREDIR)/greyspf.service
	install -m 644 conf/config/__default__ $(DESTDIR)$(SHAREDIR)/config
	@# A site's own files are never overwritten; new ones from the samples.
	test -f $(DESTDIR)$(ETCDIR)/greyspf.conf || install -m 644 \
	    conf/greyspf.conf $(DESTDIR)$(ETCDIR)/greyspf.conf
	test -f $(DESTDIR)$(ETCDIR)/config/__default__ || install -m 644 \
	    conf/config/__default__ $(DESTDIR)$(ETCDIR)/config/__default__

clean:
	rm -rf build bin var

-include $(shell find $(B) -name '*.d' 2>/dev/null)
