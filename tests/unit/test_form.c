/* Unit tests for lib/base/form.c. */
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/form.h"
#include "base/util.h"
#include "t.h"

static struct oarena	 a;

static int
parse(const char *s, struct oparams *p, struct oerr *e)
{
	oerr_clear(e);
	return oform_parse(&a, s, strlen(s), p, e);
}

static void
parse_basic(void)
{
	struct oparams	 p;
	struct oerr	 e;

	CHECK(parse("a=1&b=two+words&c=%41%62&d&&e=", &p, &e));
	CHECK(p.n == 5);
	CHECK_STR(oparams_get(&p, "a"), "1");
	CHECK_STR(oparams_get(&p, "b"), "two words");
	CHECK_STR(oparams_get(&p, "c"), "Ab");
	CHECK_STR(oparams_get(&p, "d"), "");
	CHECK_STR(oparams_get(&p, "e"), "");
	CHECK(oparams_get(&p, "f") == NULL);
	CHECK(parse("", &p, &e) && p.n == 0);
	CHECK(parse("x=%C3%A9", &p, &e));
	CHECK_STR(oparams_get(&p, "x"), "\xc3\xa9");
	CHECK(p.v[0].vlen == 2);
	CHECK(parse("a%3Db=c%26d", &p, &e));
	CHECK_STR(oparams_get(&p, "a=b"), "c&d");
}

static void
parse_rejects(void)
{
	static const char *const bad[] = {
		"a=%", "a=%4", "a=%zz", "a=%00", "a%00=1", "a=%C3",
		"a=%C0%80", "a=%ED%A0%80", "a=%FF", "%=1",
	};
	struct oparams	 p;
	struct oerr	 e;
	size_t		 i;
	char		 nul[] = "a=1\0b=2";

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(!parse(bad[i], &p, &e));
		CHECK(e.code == OERR_INVALID_REQUEST && e.status == 400);
	}
	oerr_clear(&e);
	CHECK(!oform_parse(&a, nul, sizeof(nul) - 1, &p, &e));
}

static void
parse_too_many(void)
{
	char		 buf[OFORM_MAX_PARAMS * 4 + 16];
	struct oparams	 p;
	struct oerr	 e;
	size_t		 i, o = 0;

	for (i = 0; i <= OFORM_MAX_PARAMS; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "a=%d&",
		    (int)(i % 10));
	CHECK(!parse(buf, &p, &e));
	CHECK(strstr(e.description, "more than") != NULL);
}

static void
decode_encode(void)
{
	size_t	 n;

	CHECK_STR(oform_decode(&a, "a+b%2B", 6, 1, &n), "a b+");
	CHECK(n == 4);
	CHECK_STR(oform_decode(&a, "a+b%2B", 6, 0, NULL), "a+b+");
	CHECK(oform_decode(&a, "%0", 2, 0, NULL) == NULL);
	CHECK_STR(oform_encode(&a, "a b&c=d/é~"), "a%20b%26c%3Dd%2F%C3%A9~");
	CHECK_STR(oform_encode(&a, ""), "");
}

static void
utf8(void)
{
	CHECK(outf8("plain", 5));
	CHECK(outf8("\xf0\x9f\x98\x80", 4));
	CHECK(!outf8("\xf0\x9f\x98", 3));
	CHECK(!outf8("\xc1\xbf", 2));
	CHECK(!outf8("\xf4\x90\x80\x80", 4));
	CHECK(!outf8("\xe0\x80\xaf", 3));
}

static void
check_table(void)
{
	static const struct ofield f[] = {
		{ "grant_type", 64, OFIELD_VSCHAR, OFIELD_REQUIRED | OFIELD_ONCE },
		{ "scope", 16, OFIELD_NQSCHAR, OFIELD_ONCE },
		{ "name", 0, OFIELD_ANY, 0 },
	};
	struct oparams	 p;
	struct oerr	 e;

	CHECK(parse("grant_type=code&scope=a+b&other=x&other=y", &p, &e));
	CHECK(oform_check(&p, f, 3, &e));
	CHECK(parse("scope=a", &p, &e));
	CHECK(!oform_check(&p, f, 3, &e));
	CHECK(strstr(e.description, "'grant_type'") != NULL);
	CHECK(parse("grant_type=a&grant_type=b", &p, &e));
	CHECK(!oform_check(&p, f, 3, &e));
	CHECK(strstr(e.description, "more than once") != NULL);
	CHECK(parse("grant_type=", &p, &e));
	CHECK(!oform_check(&p, f, 3, &e));
	CHECK(parse("grant_type=x&scope=aaaaaaaaaaaaaaaaaaaa", &p, &e));
	CHECK(!oform_check(&p, f, 3, &e));
	CHECK(parse("grant_type=x&scope=%22", &p, &e));
	CHECK(!oform_check(&p, f, 3, &e));
	CHECK(parse("grant_type=%C3%A9", &p, &e));
	CHECK(!oform_check(&p, f, 3, &e));
	CHECK(parse("grant_type=x&name=%0A", &p, &e));
	CHECK(!oform_check(&p, f, 3, &e));
	CHECK(parse("grant_type=x&name=%C3%A9", &p, &e));
	CHECK(oform_check(&p, f, 3, &e));
}

static const struct t_case tests[] = {
	T(parse_basic), T(parse_rejects), T(parse_too_many),
	T(decode_encode), T(utf8), T(check_table),
};

int
main(void)
{
	int	 rc;

	oarena_init(&a);
	rc = t_run(tests, NTESTS);
	oarena_free(&a);
	return rc;
}
