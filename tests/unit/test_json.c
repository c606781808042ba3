/* Unit tests for lib/base/json.c. */
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "t.h"

static json_t *
p(const char *s, struct oerr *e)
{
	oerr_clear(e);
	return ojson_parse(s, strlen(s), 1, e);
}

static void
parse(void)
{
	struct oerr	 e;
	json_t		*j;

	CHECK((j = p("{\"a\":1}", &e)) != NULL);
	json_decref(j);
	CHECK(p("{\"a\":1,\"a\":2}", &e) == NULL);
	CHECK(e.status == 400 && strstr(e.description, "duplicate") != NULL);
	CHECK(p("[1]", &e) == NULL);
	CHECK(strstr(e.description, "object") != NULL);
	CHECK(p("{\"a\":1} x", &e) == NULL);
	CHECK(p("", &e) == NULL);
	CHECK(p("{\"a\":\"\\u0000\"}", &e) == NULL);
	CHECK(p("{\"a\":\"\xff\"}", &e) == NULL);
	oerr_clear(&e);
	CHECK(ojson_parse("{}\0", 3, 1, &e) == NULL);
}

static void
getters(void)
{
	struct oerr	 e;
	json_t		*j, *arr = NULL, *obj = NULL;
	const char	*s = "unset";
	long long	 n = -1;
	int		 b = -1;

	j = p("{\"s\":\"x\",\"n\":5,\"b\":true,\"a\":[\"u\",\"v\"],"
	    "\"o\":{},\"z\":null,\"e\":\"\",\"bad\":[1]}", &e);
	CHECK(j != NULL);
	CHECK(ojson_get_str(j, "s", 10, 0, &s, &e) && strcmp(s, "x") == 0);
	CHECK(ojson_get_str(j, "missing", 10, 0, &s, &e) &&
	    strcmp(s, "x") == 0);
	CHECK(ojson_get_str(j, "z", 10, 0, &s, &e));
	CHECK(!ojson_get_str(j, "missing", 10, OJSON_REQUIRED, &s, &e));
	CHECK(strstr(e.description, "'missing'") != NULL);
	oerr_clear(&e);
	CHECK(!ojson_get_str(j, "n", 10, 0, &s, &e));
	CHECK(strstr(e.description, "'n' must be a string") != NULL);
	oerr_clear(&e);
	CHECK(!ojson_get_str(j, "e", 10, OJSON_NONEMPTY, &s, &e));
	oerr_clear(&e);
	CHECK(ojson_get_int(j, "n", 0, 10, 0, &n, &e) && n == 5);
	CHECK(!ojson_get_int(j, "n", 6, 10, 0, &n, &e));
	oerr_clear(&e);
	CHECK(!ojson_get_int(j, "s", 0, 10, 0, &n, &e));
	oerr_clear(&e);
	CHECK(ojson_get_bool(j, "b", 0, &b, &e) && b == 1);
	CHECK(!ojson_get_bool(j, "n", 0, &b, &e));
	oerr_clear(&e);
	CHECK(ojson_get_strarray(j, "a", 2, 1, 0, &arr, &e) &&
	    json_array_size(arr) == 2);
	CHECK(!ojson_get_strarray(j, "a", 1, 1, 0, &arr, &e));
	oerr_clear(&e);
	CHECK(!ojson_get_strarray(j, "bad", 0, 0, 0, &arr, &e));
	CHECK(strstr(e.description, "'bad'") != NULL);
	oerr_clear(&e);
	CHECK(!ojson_get_strarray(j, "s", 0, 0, 0, &arr, &e));
	oerr_clear(&e);
	CHECK(ojson_get_object(j, "o", 0, &obj, &e) && json_is_object(obj));
	CHECK(!ojson_get_object(j, "a", 0, &obj, &e));
	json_decref(j);
}

static void
dump_lossy(void)
{
	struct oarena	 a;
	json_t		*j;
	size_t		 len;
	const char	*s;

	oarena_init(&a);
	j = json_pack("{s:s,s:i}", "k", "v", "n", 1);
	s = ojson_dump(&a, j, &len);
	CHECK_STR(s, "{\"k\":\"v\",\"n\":1}");
	CHECK(len == strlen(s));
	json_decref(j);
	j = ojson_string_lossy("a\xff" "b\xc3\xa9", 5);
	CHECK(j != NULL);
	CHECK_STR(json_string_value(j), "a\xef\xbf\xbd" "b\xc3\xa9");
	json_decref(j);
	j = ojson_string_lossy("a\0b", 3);
	CHECK(j != NULL && json_string_length(j) == 5);
	json_decref(j);
	oarena_free(&a);
}

/* ojson_is(): byte for byte, an embedded NUL included. */
static void
is(void)
{
	json_t	*a = json_stringn("a\0b", 3), *b = json_string("a");
	json_t	*n = json_integer(1);

	CHECK(ojson_is(b, "a"));
	CHECK(!ojson_is(b, "ab"));
	CHECK(!ojson_is(b, ""));
	CHECK(!ojson_is(a, "a"));
	CHECK(!ojson_is(n, "1"));
	CHECK(!ojson_is(NULL, "a"));
	json_decref(a);
	json_decref(b);
	json_decref(n);
}

/* struct ojson_strs, and decoding owned values with ojson_take_*(). */
static void
strs(void)
{
	struct ojson_strs	 l;
	struct oerr		 err;
	json_t			*a, *o;
	char			*s = NULL, *d;

	memset(&l, 0, sizeof(l));
	a = json_pack("[s,i,s]", "openid", 7, "email");
	ojson_strs_set(&l, a);
	CHECK(l.n == 2 && ojson_strs_has(&l, "email"));
	CHECK(!ojson_strs_has(&l, "7") && !ojson_strs_has(&l, "open"));
	ojson_strs_add(&l, "phone");
	o = ojson_strs_json(&l);
	d = json_dumps(o, JSON_COMPACT);
	CHECK_STR(d, "[\"openid\",\"email\",\"phone\"]");
	free(d);
	json_decref(o);
	ojson_strs_set(&l, NULL);
	CHECK(l.n == 0 && l.v == NULL);
	json_decref(a);

	o = json_pack("{s:s,s:[s,s],s:i,s:[s,i]}", "sub", "alice", "scope",
	    "a", "b", "exp", 5, "bad", "x", 1);
	oerr_clear(&err);
	CHECK(ojson_take_str(o, "sub", OJSON_REQUIRED, &s, &err));
	CHECK_STR(s, "alice");
	CHECK(ojson_take_str(o, "absent", 0, &s, &err) && s == NULL);
	CHECK(!ojson_take_str(o, "exp", 0, &s, &err) && s == NULL);
	CHECK(err.status == 400 && strstr(err.description, "'exp'"));
	oerr_clear(&err);
	CHECK(!ojson_take_str(o, "absent", OJSON_REQUIRED, &s, &err));
	CHECK(strstr(err.description, "'absent'") != NULL);
	oerr_clear(&err);
	CHECK(ojson_take_strs(o, "scope", 0, &l, &err) && l.n == 2);
	CHECK(!ojson_take_strs(o, "bad", 0, &l, &err) && l.n == 0);
	CHECK(strstr(err.description, "'bad'") != NULL);
	ojson_strs_free(&l);
	json_decref(o);
}

static const struct t_case tests[] = {
	T(parse), T(getters), T(dump_lossy), T(is), T(strs),
};

int
main(void)
{
	return t_run(tests, NTESTS);
}
