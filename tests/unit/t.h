/*
 * t.h: the unit-test harness.  Each tests/unit/test_<module>.c defines
 * test functions, lists them in a table and ends main() with
 * return t_run(tests, NTESTS).  A test fails when any CHECK in it fails.
 * The output is TAP-like, and its last line reads "N passed, N failed".
 */
#ifndef OIDCGI_T_H
#define OIDCGI_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct t_case {
	const char	*name;
	void		(*fn)(void);
};

static int t_failed_now;

#define CHECK(c) do {							\
	if (!(c)) {							\
		t_failed_now = 1;					\
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n",		\
		    __FILE__, __LINE__, #c);				\
	}								\
} while (0)

/* CHECK(c) as an expression: 1 if c holds, else 0 (and the test fails). */
#define CHECKED(c)							\
	((c) ? 1 : (t_failed_now = 1,					\
	    fprintf(stderr, "%s:%d: CHECK(%s) failed\n",		\
	    __FILE__, __LINE__, #c), 0))

/* Compare two NUL-terminated strings, printing both when they differ. */
#define CHECK_STR(a, b) do {						\
	const char *t_a_ = (a), *t_b_ = (b);				\
	if (t_a_ == NULL || t_b_ == NULL || strcmp(t_a_, t_b_) != 0) {	\
		t_failed_now = 1;					\
		fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n",		\
		    __FILE__, __LINE__, t_a_ ? t_a_ : "(null)",		\
		    t_b_ ? t_b_ : "(null)");				\
	}								\
} while (0)

#define T(fn)	{ #fn, fn }
#define NTESTS	(sizeof(tests) / sizeof(tests[0]))

static int
t_run(const struct t_case *tc, size_t n)
{
	size_t	 i;
	int	 pass = 0, fail = 0;

	printf("1..%zu\n", n);
	for (i = 0; i < n; i++) {
		t_failed_now = 0;
		tc[i].fn();
		if (t_failed_now)
			fail++;
		else
			pass++;
		printf("%sok %zu - %s\n", t_failed_now ? "not " : "",
		    i + 1, tc[i].name);
	}
	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}

#endif
