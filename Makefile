# oidcgi: plain make, dependencies from pkg-config.
#
#   make            build the library, the FastCGI binaries and the CLI
#   make run        build, then serve on 127.0.0.1:4444 (public) and :4445 (admin)
#   make test       install what is missing, then unit tests (plain and
#                   ASan+UBSan builds) and the integration tests, on LMDB
#                   then on PostgreSQL
#   make check      the layer rules (scripts/layers), then the unit
#                   tests of this build
#   make asan       unit tests under AddressSanitizer + UBSan (build-asan/),
#                   then the fuzz corpora replayed there (make replay)
#   make integration  integration tests against lighttpd (on LMDB)
#   make integration-pg  the same again on a private PostgreSQL
#                   (scripts/pgintegration); skipped without PostgreSQL
#   make bench      build, then benchmark every endpoint family against a
#                   do-nothing FastCGI responder (scripts/bench), on LMDB
#                   and on a private PostgreSQL; never part of make test
#   make install    build with the install paths compiled in (build/install/)
#                   and install under DESTDIR and PREFIX; make uninstall
#   make static     libfcgi, liblmdb and libjansson linked statically
#                   (build/static/), for hosts that lack them
#   make dist       build/dist/oidcgi-VERSION-linux-ARCH.tar.gz of the
#                   static build, laid out for a shared host
#   make fuzz       build the libFuzzer targets with clang (build-fuzz/)
#                   and run each for FUZZ_SECONDS (60); see HACKING.md

VERSION	 = 0.1.0
PKGS	 = fcgi jansson libcrypto lmdb libcurl
B	?= build
CC	 = gcc
PYTHON	 = /usr/bin/python3

CFLAGS	?= -g -O2
CFLAGS	+= -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	   -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wpointer-arith -Wno-unused-parameter \
	   -Wno-missing-field-initializers \
	   -fstack-protector-strong -fPIE \
	   -DOIDCGI_VERSION='"$(VERSION)"' -Ilib
LDFLAGS	+= -pie -Wl,-z,relro,-z,now
ifeq ($(SANITIZE),1)
CFLAGS	+= -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all
LDFLAGS	+= -fsanitize=address,undefined
else
CFLAGS	+= -D_FORTIFY_SOURCE=2
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS	+= $(PKG_CFLAGS)
# libpq: its headers only; pg.c opens it with dlopen() (lib/store/pg.c).
CFLAGS	+= $(shell pkg-config --cflags libpq 2>/dev/null)
LDLIBS	+= $(PKG_LIBS)

# Install directories, GNU-style; DESTDIR stages an install elsewhere.
PREFIX		?= /usr/local
bindir		?= $(PREFIX)/bin
libexecdir	?= $(PREFIX)/libexec
datadir		?= $(PREFIX)/share
mandir		?= $(datadir)/man
ifeq ($(PREFIX),/usr)
sysconfdir	?= /etc
localstatedir	?= /var
else
sysconfdir	?= $(PREFIX)/etc
localstatedir	?= $(PREFIX)/var
endif

# The build of make install (INSTALLED=1) compiles in where it looks for
# its configuration and data (lib/base/conf.h); other builds read
# conf/oidcgi.conf and keep var/, or find oidcgi.conf beside the binaries.
ifeq ($(INSTALLED),1)
CONF_FILE	 = $(sysconfdir)/oidcgi/oidcgi.conf
DATA_DEFAULT	 = $(localstatedir)/lib/oidcgi
CFLAGS	+= -DOIDCGI_CONF_FILE='"$(CONF_FILE)"' \
	   -DOIDCGI_DATA_DEFAULT='"$(DATA_DEFAULT)"'
endif

# The static build (STATIC=1): libfcgi, liblmdb and libjansson from
# their .a archives; libc and libcrypto stay shared (a host's OpenSSL
# gets its security updates).  libcurl is never linked: back-channel
# logout and oidcgi doctor open it with dlopen() when they need it
# (lib/base/curl.h), so a host without it runs everything else.
ifeq ($(STATIC),1)
STATIC_LIBDIRS := $(sort $(foreach p,fcgi lmdb jansson,\
	$(shell pkg-config --variable=libdir $(p) 2>/dev/null)))
LDLIBS	 = $(addprefix -L,$(STATIC_LIBDIRS)) \
	   -Wl,-Bstatic -lfcgi -llmdb -ljansson -Wl,-Bdynamic \
	   -Wl,--as-needed $(shell pkg-config --libs libcrypto \
	   2>/dev/null) -lpthread
endif

-include Makefile.local

LIBSRC	 = $(wildcard lib/*/*.c)
LIBHDR	 = $(wildcard lib/*/*.h)
LIBOBJ	 = $(LIBSRC:%.c=$(B)/obj/%.o)
LIBA	 = $(B)/lib/liboidcgi.a
# A binary is cgi-bin/<name>.c, or every .c file of cgi-bin/<name>/.
CGI1	 = $(patsubst cgi-bin/%.c,%,$(wildcard cgi-bin/*.c))
CGIDIRS	 = $(patsubst cgi-bin/%/,%,$(dir $(wildcard cgi-bin/*/*.c)))
CGI	 = $(addprefix $(B)/cgi-bin/,$(CGI1) $(sort $(CGIDIRS)))
CLI	 = $(B)/bin/oidcgi
UNIT	 = $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(wildcard tests/unit/test_*.c))
ECHO	 = $(B)/tests/echo

.PHONY: all deps run test check asan integration integration-pg clean bench \
	install install-build uninstall static dist replay fuzz FORCE
.DELETE_ON_ERROR:
.SECONDARY:

all: $(LIBA) $(CGI) $(CLI)

$(B)/obj/%.o: %.c $(LIBHDR) $(wildcard cgi-bin/*/*.h cli/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIBA): $(LIBOBJ)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

$(B)/cgi-bin/%: $(B)/obj/cgi-bin/%.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

# Binaries made of a folder of sources.
define cgidir
$(B)/cgi-bin/$(1): $(patsubst %.c,$(B)/obj/%.o,$(wildcard cgi-bin/$(1)/*.c)) $(LIBA)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $(LIBA) $$(LDLIBS)
endef
$(foreach d,$(sort $(CGIDIRS)),$(eval $(call cgidir,$(d))))

CLIOBJ	 = $(patsubst %.c,$(B)/obj/%.o,$(wildcard cli/*.c))
$(CLI): $(CLIOBJ) $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(CLIOBJ) $(LIBA) $(LDLIBS)

# A FastCGI binary for the integration tests only; never installed.
$(ECHO): $(B)/obj/tests/integration/echo.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

# Each unit test binary links the shared fixtures, tests/unit/tfix.c.
$(B)/tests/unit/%: $(B)/obj/tests/unit/%.o $(B)/obj/tests/unit/tfix.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIBA) $(LDLIBS)

$(B)/obj/tests/unit/%.o: tests/unit/%.c tests/unit/t.h tests/unit/tfix.h \
    $(LIBHDR) $(LIBSRC)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# Fuzz targets: tests/fuzz/fuzz_<name>.c, each with its seed corpus in
# tests/fuzz/corpus/<name>/.  make replay links each with replay.c
# (gcc, this build: ASan+UBSan under make asan) and runs it over its
# corpus.  make fuzz builds them with clang's libFuzzer in $(FUZZB) and
# runs each of FUZZ_TARGETS for FUZZ_SECONDS; new inputs go to
# FUZZ_CORPUS (a scratch folder unless set to tests/fuzz/corpus),
# crashes to $(FUZZB)/crashes/.  FUZZ_FLAGS adds libFuzzer options.
FUZZ_NAMES	 = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
REPLAY		 = $(addprefix $(B)/tests/fuzz/replay_,$(FUZZ_NAMES))
FUZZHDR		 = tests/fuzz/fuzz.h tests/fuzz/keys.h
FUZZB		?= build-fuzz
FUZZ_SECONDS	?= 60
FUZZ_TARGETS	?= $(FUZZ_NAMES)
FUZZ_CORPUS	?= $(FUZZB)/corpus
FUZZ_FLAGS	?=
FUZZ_CC		?= clang
FUZZ_CFLAGS	 = -g -O1 -fno-omit-frame-pointer -std=c11 \
		   -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
		   -DOIDCGI_VERSION='"$(VERSION)"' -Ilib $(PKG_CFLAGS) \
		   -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZLIB		 = $(FUZZB)/lib/liboidcgi.a

$(B)/obj/tests/fuzz/%.o: tests/fuzz/%.c $(FUZZHDR) $(LIBHDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/tests/fuzz/replay_%: $(B)/obj/tests/fuzz/fuzz_%.o \
    $(B)/obj/tests/fuzz/replay.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIBA) $(LDLIBS)

replay: $(REPLAY)
	@tests/unit/run $(REPLAY)

$(FUZZB)/obj/%.o: %.c $(LIBHDR) $(FUZZHDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZLIB): $(LIBSRC:%.c=$(FUZZB)/obj/%.o)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(FUZZB)/fuzz_%: $(FUZZB)/obj/tests/fuzz/fuzz_%.o $(FUZZLIB)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $< \
	    $(FUZZLIB) $(LDLIBS)

fuzz: $(addprefix $(FUZZB)/fuzz_,$(FUZZ_TARGETS))
	@mkdir -p $(FUZZB)/crashes
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_CORPUS)/$$t || exit 1; \
		echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
		$(FUZZB)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
		    -artifact_prefix=$(FUZZB)/crashes/$$t- $(FUZZ_FLAGS) \
		    $(FUZZ_CORPUS)/$$t tests/fuzz/corpus/$$t || exit 1; \
	done

# Benchmark helpers; never installed, never run by make test.  The
# ceiling links libfcgi alone: it must do no work of ours.
BENCH	 = $(B)/bench/ceiling $(B)/bench/flow $(B)/bench/mint
$(B)/bench/ceiling: $(B)/obj/bench/ceiling.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(shell pkg-config --libs fcgi)

$(B)/bench/%: $(B)/obj/bench/%.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS) -lpthread

# The install paths a build of make install was compiled with: written
# only when they change, so a new PREFIX or sysconfdir recompiles it.
ifeq ($(INSTALLED),1)
PATHS	 = $(B)/paths
$(patsubst %.c,$(B)/obj/%.o,$(wildcard lib/*/*.c cli/*.c cgi-bin/*.c \
    cgi-bin/*/*.c)): $(PATHS)
$(PATHS): FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '$(CONF_FILE)' '$(DATA_DEFAULT)' > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi
endif

# make install: the FastCGI binaries in $(libexecdir)/oidcgi/, the CLI,
# the stylesheet, the example configurations of conf/ and the man page.
# An existing configuration file is never overwritten; make uninstall
# removes what install put there but the configuration and the data.
INSTB	 = $(B)/install
STATICB	 = $(B)/static
CGINAMES = $(CGI1) $(sort $(CGIDIRS))
INSTCONF = $(DESTDIR)$(sysconfdir)/oidcgi/oidcgi.conf
EXAMPLES = $(DESTDIR)$(datadir)/oidcgi/examples

install-build:
	@$(MAKE) --no-print-directory B=$(INSTB) INSTALLED=1 STATIC= \
	    sysconfdir='$(sysconfdir)' localstatedir='$(localstatedir)' all

install: install-build
	install -d -m 0755 '$(DESTDIR)$(bindir)' \
	    '$(DESTDIR)$(libexecdir)/oidcgi' \
	    '$(DESTDIR)$(datadir)/oidcgi/ui/static' '$(EXAMPLES)' \
	    '$(DESTDIR)$(mandir)/man1' '$(DESTDIR)$(sysconfdir)/oidcgi'
	install -m 0755 $(addprefix $(INSTB)/cgi-bin/,$(CGINAMES)) \
	    '$(DESTDIR)$(libexecdir)/oidcgi/'
	install -m 0755 $(INSTB)/bin/oidcgi '$(DESTDIR)$(bindir)/oidcgi'
	install -m 0644 ui/static/oidcgi.css \
	    '$(DESTDIR)$(datadir)/oidcgi/ui/static/oidcgi.css'
	sed -e 's|/usr/local/etc|$(sysconfdir)|g' \
	    -e 's|/usr/local/var|$(localstatedir)|g' \
	    -e 's|/usr/local/libexec|$(libexecdir)|g' \
	    -e 's|/usr/local/share|$(datadir)|g' doc/oidcgi.1 \
	    > '$(DESTDIR)$(mandir)/man1/oidcgi.1'
	chmod 0644 '$(DESTDIR)$(mandir)/man1/oidcgi.1'
	cd conf && find . -mindepth 1 -type d -print | while read -r d; do \
		install -d -m 0755 "$(EXAMPLES)/$$d" || exit 1; done
	cd conf && find . -type f ! -path ./oidcgi.conf -print | \
	    while read -r f; do m=0644; [ -x "$$f" ] && m=0755; \
		install -m $$m "$$f" "$(EXAMPLES)/$$f" || exit 1; done
	@if [ -e '$(INSTCONF)' ]; then \
		echo "install: $(sysconfdir)/oidcgi/oidcgi.conf exists:" \
		    "kept, not overwritten (the example is conf/oidcgi.conf)"; \
	else \
		install -m 0644 conf/oidcgi.conf '$(INSTCONF)' && \
		echo "install: $(sysconfdir)/oidcgi/oidcgi.conf: the" \
		    "example configuration; set urls.self.issuer there"; \
	fi
	@echo "install: then create the data directory, owned by the user" \
	    "the web server runs the binaries as:" \
	    "$(bindir)/oidcgi init --user www-data"

uninstall:
	rm -f '$(DESTDIR)$(bindir)/oidcgi' \
	    '$(DESTDIR)$(mandir)/man1/oidcgi.1' \
	    $(foreach n,$(CGINAMES),'$(DESTDIR)$(libexecdir)/oidcgi/$(n)')
	rm -rf '$(EXAMPLES)'
	rm -f '$(DESTDIR)$(datadir)/oidcgi/ui/static/oidcgi.css'
	rmdir '$(DESTDIR)$(datadir)/oidcgi/ui/static' \
	    '$(DESTDIR)$(datadir)/oidcgi/ui' '$(DESTDIR)$(datadir)/oidcgi' \
	    '$(DESTDIR)$(libexecdir)/oidcgi' 2>/dev/null || :
	@echo "uninstall: kept $(sysconfdir)/oidcgi/ and the data" \
	    "directory ($(localstatedir)/lib/oidcgi unless configured)"

static:
	@$(MAKE) --no-print-directory B=$(STATICB) STATIC=1 INSTALLED= all

# make dist: the static build, laid out as a person uploads it to a
# shared host: bin/oidcgi, docroot/ (conf/htaccess/ with the binaries in
# docroot/cgi-bin/ and the stylesheet), the example configuration, the
# README and the man page.  It compiles in no install path: the binaries
# find oidcgi.conf beside themselves.
HTACCESS ?= conf/htaccess
DISTNAME = oidcgi-$(VERSION)
DISTDIR	 = $(B)/dist/$(DISTNAME)
DISTTAR	 = $(B)/dist/$(DISTNAME)-linux-$(shell uname -m).tar.gz

dist: static
	@if [ ! -f '$(HTACCESS)/.htaccess' ]; then \
		echo "make dist: $(HTACCESS)/.htaccess is missing: the" \
		    "tarball's docroot/ is a copy of $(HTACCESS)/" >&2; \
		exit 1; \
	fi
	rm -rf '$(DISTDIR)' '$(DISTTAR)'
	install -d -m 0755 '$(DISTDIR)/bin' '$(DISTDIR)/docroot' \
	    '$(DISTDIR)/doc'
	cp -R '$(HTACCESS)/.' '$(DISTDIR)/docroot/'
	install -d -m 0755 '$(DISTDIR)/docroot/cgi-bin' \
	    '$(DISTDIR)/docroot/ui/static'
	install -m 0755 -s $(addprefix $(STATICB)/cgi-bin/,$(CGINAMES)) \
	    '$(DISTDIR)/docroot/cgi-bin/'
	install -m 0755 -s $(STATICB)/bin/oidcgi '$(DISTDIR)/bin/oidcgi'
	install -m 0644 ui/static/oidcgi.css '$(DISTDIR)/docroot/ui/static/'
	install -m 0644 conf/oidcgi.conf '$(DISTDIR)/oidcgi.conf.example'
	install -m 0644 README.md '$(DISTDIR)/'
	if [ -f SECURITY.md ]; then \
		install -m 0644 SECURITY.md '$(DISTDIR)/'; fi
	install -m 0644 doc/oidcgi.1 '$(DISTDIR)/doc/oidcgi.1'
	chmod -R u=rwX,go=rX '$(DISTDIR)'
	tar -C '$(B)/dist' --sort=name --owner=0 --group=0 --numeric-owner \
	    -czf '$(DISTTAR)' '$(DISTNAME)'
	@echo "dist: $(DISTTAR)"

# Install every build, run and test dependency from Debian's packages.
deps:
	@scripts/deps

run: deps all
	@scripts/serve

check: $(UNIT) $(CLI)
	@scripts/layers
	@tests/unit/run $(UNIT)
	@scripts/pgunit $(CLI) $(UNIT)

asan:
	@$(MAKE) --no-print-directory B=build-asan SANITIZE=1 check replay

integration: all $(ECHO)
	OIDCGI_BUILD=$(B) $(PYTHON) -m pytest -q -p no:cacheprovider tests/integration

integration-pg: all $(ECHO)
	OIDCGI_BUILD=$(B) scripts/pgintegration $(PYTHON) tests/integration

test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory integration
	@$(MAKE) --no-print-directory integration-pg

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH)
	@OIDCGI_BUILD=$(B) scripts/bench

clean:
	rm -rf build build-asan $(FUZZB)
