# oidcgi: plain make, dependencies from pkg-config.
#
#   make            build the library, the FastCGI binaries and the CLI
#   make run        build, then serve on 127.0.0.1:4444 (public) and :4445 (admin)
#   make test       install what is missing, then unit tests (plain and
#                   ASan+UBSan builds) and the integration tests
#   make check      unit tests only, this build
#   make asan       unit tests under AddressSanitizer + UBSan (build-asan/)
#   make integration  integration tests against lighttpd

VERSION	 = 0.1.0
PKGS	 = fcgi jansson libcrypto lmdb
B	?= build
CC	 = gcc
PYTHON	 = /usr/bin/python3

CFLAGS	?= -g -O2
CFLAGS	+= -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	   -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wpointer-arith -Wno-unused-parameter \
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
LIBOBJ	 = $(LIBSRC:%.c=$(B)/%.o)
LIBA	 = $(B)/lib/liboidcgi.a
CGI	 = $(patsubst cgi-bin/%.c,$(B)/cgi-bin/%,$(wildcard cgi-bin/*.c))
CLI	 = $(B)/bin/oidcgi
UNIT	 = $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(wildcard tests/unit/test_*.c))
ECHO	 = $(B)/tests/echo

.PHONY: all deps run test check asan integration clean
.DELETE_ON_ERROR:
.SECONDARY:

all: $(LIBA) $(CGI) $(CLI)

$(B)/%.o: %.c $(LIBHDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIBA): $(LIBOBJ)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

$(B)/cgi-bin/%: $(B)/cgi-bin/%.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

$(CLI): $(B)/cli/oidcgi.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

# A FastCGI binary for the integration tests only; never installed.
$(ECHO): $(B)/tests/integration/echo.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

$(B)/tests/unit/%: $(B)/tests/unit/%.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

$(B)/tests/unit/%.o: tests/unit/%.c tests/unit/t.h $(LIBHDR) $(LIBSRC)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

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

clean:
	rm -rf build build-asan
