/*
 * fuzz.h: what every tests/fuzz/fuzz_<target>.c defines.
 *
 * LLVMFuzzerTestOneInput() is libFuzzer's entry point: it gets one input
 * (size bytes, not NUL-terminated, possibly with NUL bytes inside) and
 * must return 0.  Anything it finds wrong it reports by crashing (abort()
 * through FUZZ_CHECK, or a sanitizer report).  The same file is linked
 * either with clang's libFuzzer (make fuzz) or with replay.c (make asan),
 * which runs it over every file of a corpus folder.
 *
 * LLVMFuzzerInitialize() is optional: a target defines it to set up what
 * every input shares (keys, a configuration), once per process.
 */
#ifndef OIDCGI_FUZZ_H
#define OIDCGI_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	 LLVMFuzzerInitialize(int *, char ***);

/* An invariant of the code under test: abort (a crash) when false. */
#define FUZZ_CHECK(e) do {						\
	if (!(e)) {							\
		fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed\n",	\
		    __FILE__, __LINE__, #e);				\
		abort();						\
	}								\
} while (0)

#endif
