# greyspf - Postfix policy service: greylisting on LMDB, SPF
#
# make            build bin/ (the tools; the service comes with it)
# make test       sanitizer build (ASan+UBSan) and every test; ends with
#                 "N passed, M failed"
# make bench      benchmarks (not part of test)
# make fuzz       libFuzzer targets (clang), a short run each
# make deps       install the Debian packages the build and tests need
# make install    PREFIX=/usr/local DESTDIR=: programs, man pages, samples
#                 in PREFIX/share/greyspf; /etc/greyspf/greyspf.conf and
#                 config/__default__ only where absent
# make clean

CC	?= cc
CFLAGS	?= -O2 -g
W	= -Wall -Wextra -Werror -Wstrict-prototypes -Wformat=2 -Wshadow \
	  -Wpointer-arith -Wmissing-prototypes
VERSION	= 0.1.0
CPPFLAGS += -D_GNU_SOURCE -Idb -DGREYSPF_VERSION=\"$(VERSION)\"
# liblmdb and libinih are linked statically: two fewer shared objects to
# load at every spawn (start-up is the cost that matters under spawn).
LDLIBS	= -Wl,-Bstatic -llmdb -linih -Wl,-Bdynamic -lpthread
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

DB_SRC	= db/log.c db/util.c db/addr.c db/key.c db/record.c db/store.c \
	  db/legacy.c db/legacy_tree.c db/config.c db/entity.c db/dumpfmt.c \
	  db/timefmt.c db/cli.c
DB_OBJ	= $(DB_SRC:%.c=$(B)/%.o)
SRV_SRC	= src/proto.c src/policy.c src/greylist.c src/blackhole.c \
	  src/privs.c src/service.c src/spf_record.c src/spf_macro.c \
	  src/spf_dns.c src/spf_engine.c src/spf_worker.c src/spf_policy.c
SRV_OBJ	= $(SRV_SRC:%.c=$(B)/%.o)
TOOLS	= greyspf-import greyspf-dump greyspf-load greyspf-stat greyspf-clean \
	  greyspf-configtest greyspf-addip
TOOL_BIN = $(TOOLS:%=$(BIN)/%)
UNIT	= test_addr test_key test_record test_legacy test_dumpfmt \
	  test_config test_entity test_util test_policy test_proto test_spf
UNIT_BIN = $(UNIT:%=$(B)/tests/%)
FUZZ	= fuzz_legacy_path fuzz_dump_line fuzz_record fuzz_config fuzz_proto \
	  fuzz_spf
FUZZRUN	= $(FUZZ:fuzz_%=fuzzrun_%)

ALL_CFLAGS = $(CFLAGS) $(XFLAGS) $(W) -MMD -MP

.PHONY: all test check unit bench fuzz deps install clean run
# Objects made through pattern rules are kept: a later make (install,
# after make test) must find them rather than rebuild them with other
# flags.
.SECONDARY:

all: $(BIN)/greyspf $(TOOL_BIN)

$(B)/libgreyspf.a: $(SRV_OBJ)
	rm -f $@
	ar rcs $@ $(SRV_OBJ)

$(BIN)/greyspf: $(B)/src/main.o $(B)/libgreyspf.a $(B)/libgreyspfdb.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $(B)/src/main.o $(B)/libgreyspf.a \
	    $(B)/libgreyspfdb.a $(LDLIBS) $(SPF_LIBS)

# db/ and tools/ never see src/ headers (dependencies point one way).
$(B)/src/%.o $(B)/tests/unit/test_p%.o $(B)/tests/unit/test_s%.o \
    $(B)/tests/fuzz/fuzz_proto.o $(B)/tests/fuzz/fuzz_spf.o \
    $(B)/tests/tools/%.o $(B)/tests/spf/%.o: CPPFLAGS += -Isrc

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libgreyspfdb.a: $(DB_OBJ)
	rm -f $@
	ar rcs $@ $(DB_OBJ)

$(BIN)/%: $(B)/tools/%.o $(B)/libgreyspfdb.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $< $(B)/libgreyspfdb.a $(LDLIBS)

$(B)/tests/test_%: $(B)/tests/unit/test_%.o $(B)/libgreyspf.a \
	    $(B)/libgreyspfdb.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $< $(B)/libgreyspf.a \
	    $(B)/libgreyspfdb.a $(LDLIBS) $(SPF_LIBS) -lcmocka

unit: $(UNIT_BIN)

$(B)/tests/gentree: $(B)/tests/tools/gentree.o $(B)/libgreyspfdb.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $< $(B)/libgreyspfdb.a $(LDLIBS)

$(B)/tests/sockdrive: $(B)/tests/tools/sockdrive.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $<

$(B)/tests/spfsuite: $(B)/tests/spf/spfsuite.o $(B)/libgreyspf.a \
	    $(B)/libgreyspfdb.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $< $(B)/libgreyspf.a \
	    $(B)/libgreyspfdb.a $(LDLIBS) $(SPF_LIBS) -lyaml

$(B)/tests/spfcrash: $(B)/tests/spf/spfcrash.o $(B)/libgreyspf.a \
	    $(B)/libgreyspfdb.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $< $(B)/libgreyspf.a \
	    $(B)/libgreyspfdb.a $(LDLIBS) $(SPF_LIBS)

$(B)/tests/logsink: $(B)/tests/tools/logsink.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $<

# The test suite runs against a sanitizer build of everything.
SAN_B	= build/san
test check:
	$(MAKE) B=$(SAN_B) BIN=$(SAN_B)/bin XFLAGS="$(SANFLAGS)" \
	    $(SAN_B)/bin/greyspf-import $(SAN_B)/bin/greyspf-dump \
	    $(SAN_B)/bin/greyspf-load $(SAN_B)/bin/greyspf-stat \
	    $(SAN_B)/bin/greyspf-clean $(SAN_B)/bin/greyspf \
	    $(SAN_B)/bin/greyspf-configtest $(SAN_B)/bin/greyspf-addip \
	    $(SAN_B)/tests/sockdrive $(SAN_B)/tests/logsink \
	    $(SAN_B)/tests/spfsuite $(SAN_B)/tests/spfcrash \
	    $(UNIT:%=$(SAN_B)/tests/%) $(SAN_B)/tests/gentree \
	    $(FUZZRUN:%=$(SAN_B)/tests/%)
	BUILD=$(SAN_B) sh tests/run.sh

BENCH_B	= build/bench
bench:
	sh tests/deps.sh bench
	$(MAKE) B=$(BENCH_B) BIN=$(BENCH_B)/bin CFLAGS="-O2 -g" all \
	    $(BENCH_B)/tests/gentree $(BENCH_B)/tests/bench_store \
	    $(BENCH_B)/tests/bench_policy $(BENCH_B)/tests/spfsuite
	BUILD=$(BENCH_B) sh tests/bench/run.sh
	BUILD=$(BENCH_B) sh tests/bench/spf.sh

$(B)/tests/bench_policy: $(B)/tests/bench/bench_policy.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $<

$(B)/tests/bench_store: $(B)/tests/bench/bench_store.o $(B)/libgreyspfdb.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $< $(B)/libgreyspfdb.a $(LDLIBS)

FUZZ_B	= build/fuzz
FUZZFLAGS = -fsanitize=fuzzer-no-link,address,undefined
fuzz:
	$(MAKE) CC=clang B=$(FUZZ_B) BIN=$(FUZZ_B)/bin \
	    XFLAGS="$(FUZZFLAGS)" $(FUZZ:%=$(FUZZ_B)/tests/%)
	BUILD=$(FUZZ_B) sh tests/fuzz/run.sh

$(B)/tests/fuzz_%: $(B)/tests/fuzz/fuzz_%.o $(B)/libgreyspf.a \
	    $(B)/libgreyspfdb.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< \
	    $(B)/libgreyspf.a $(B)/libgreyspfdb.a $(LDLIBS) $(SPF_LIBS)

# The fuzz targets, driven without libFuzzer (corpus replay and fixed
# mutations) so that make test runs them under the sanitizers.
$(B)/tests/fuzzrun_%: $(B)/tests/fuzz/fuzz_%.o $(B)/tests/fuzz/driver.o \
	    $(B)/libgreyspf.a $(B)/libgreyspfdb.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(XFLAGS) -o $@ $(B)/tests/fuzz/fuzz_$*.o \
	    $(B)/tests/fuzz/driver.o $(B)/libgreyspf.a $(B)/libgreyspfdb.a \
	    $(LDLIBS) $(SPF_LIBS)

deps:
	sh tests/deps.sh

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
	    conf/postfix-master.cf $(DESTDIR)$(SHAREDIR)
	install -m 644 conf/config/__default__ $(DESTDIR)$(SHAREDIR)/config
	@# A site's own files are never overwritten; new ones from the samples.
	test -f $(DESTDIR)$(ETCDIR)/greyspf.conf || install -m 644 \
	    conf/greyspf.conf $(DESTDIR)$(ETCDIR)/greyspf.conf
	test -f $(DESTDIR)$(ETCDIR)/config/__default__ || install -m 644 \
	    conf/config/__default__ $(DESTDIR)$(ETCDIR)/config/__default__

clean:
	rm -rf build bin var

-include $(shell find build -name '*.d' 2>/dev/null)
