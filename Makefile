# oidcgi: plain make, dependencies from pkg-config.
#
#   make            build the library, the FastCGI binaries and the CLI
#   make run        build, then serve on 127.0.0.1:4444 (public) and :4445 (admin)
#   make test       install what is missing, then unit tests (plain and
#                   ASan+UBSan builds) and the integration tests
#   make check      unit tests only, this build
#   make asan       unit tests under AddressSanitizer + UBSan (build-asan/)
#   make integration  integration tests against lighttpd
#   make bench      build, then benchmark every endpoint family against a
#                   do-nothing FastCGI responder (scripts/bench); never
#                   part of make test

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
LDLIBS	+= $(PKG_LIBS)

-include Makefile.local

LIBSRC	 = $(wildcard lib/*.c)
LIBHDR	 = $(wildcard lib/*.h)
LIBOBJ	 = $(LIBSRC:%.c=$(B)/obj/%.o)
LIBA	 = $(B)/lib/liboidcgi.a
# A binary is cgi-bin/<name>.c, or every .c file of cgi-bin/<name>/.
CGI1	 = $(patsubst cgi-bin/%.c,%,$(wildcard cgi-bin/*.c))
CGIDIRS	 = $(patsubst cgi-bin/%/,%,$(dir $(wildcard cgi-bin/*/*.c)))
CGI	 = $(addprefix $(B)/cgi-bin/,$(CGI1) $(sort $(CGIDIRS)))
CLI	 = $(B)/bin/oidcgi
UNIT	 = $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(wildcard tests/unit/test_*.c))
ECHO	 = $(B)/tests/echo

.PHONY: all deps run test check asan integration clean bench
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

$(B)/tests/unit/%: $(B)/obj/tests/unit/%.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

$(B)/obj/tests/unit/%.o: tests/unit/%.c tests/unit/t.h $(LIBHDR) $(LIBSRC)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# Benchmark helpers; never installed, never run by make test.  The
# ceiling links libfcgi alone: it must do no work of ours.
BENCH	 = $(B)/bench/ceiling $(B)/bench/flow $(B)/bench/mint
$(B)/bench/ceiling: $(B)/obj/bench/ceiling.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(shell pkg-config --libs fcgi)

$(B)/bench/%: $(B)/obj/bench/%.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS) -lpthread

# Install every build, run and test dependency from Debian's packages.
deps:
	@scripts/deps

run: deps all
	@scripts/serve

check: $(UNIT)
	@tests/unit/run $(UNIT)

asan:
	@$(MAKE) --no-print-directory B=build-asan SANITIZE=1 check

integration: all $(ECHO)
	OIDCGI_BUILD=$(B) $(PYTHON) -m pytest -q -p no:cacheprovider tests/integration

test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory integration

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH)
	@OIDCGI_BUILD=$(B) scripts/bench

clean:
	rm -rf build build-asan
