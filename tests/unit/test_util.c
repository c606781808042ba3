/* Unit tests for lib/base/util.c, lib/base/arena.c and lib/base/err.c. */
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/util.h"
#include "t.h"

static void
strtonum(void)
{
	long long	 v = 7;

	CHECK(ostrtonum("123", 3, 0, 1000, &v) && v == 123);
	CHECK(ostrtonum("0", 1, 0, 1000, &v) && v == 0);
	CHECK(ostrtonum("-5", 2, -10, 10, &v) && v == -5);
	CHECK(!ostrtonum("-5", 2, 0, 10, &v));
	CHECK(!ostrtonum("1001", 4, 0, 1000, &v));
	CHECK(!ostrtonum("", 0, 0, 1000, &v));
	CHECK(!ostrtonum("12a", 3, 0, 1000, &v));
	CHECK(!ostrtonum(" 12", 3, 0, 1000, &v));
	CHECK(!ostrtonum("012", 3, 0, 1000, &v));
	CHECK(!ostrtonum("+1", 2, 0, 1000, &v));
	CHECK(!ostrtonum("-", 1, -10, 1000, &v));
	CHECK(!ostrtonum("99999999999999999999", 20, 0,
	    0x7fffffffffffffffLL, &v));
	CHECK(ostrtonum("9223372036854775807", 19, 0,
	    0x7fffffffffffffffLL, &v) && v == 0x7fffffffffffffffLL);
	/* Only len bytes are read. */
	CHECK(ostrtonum("42xyz", 2, 0, 100, &v) && v == 42);
}

static void
arena(void)
{
	struct oarena	 a;
	char		*s, *big;
	int		*ip;
	size_t		 i;

	oarena_init(&a);
	s = oarena_strdup(&a, "hello");
	CHECK_STR(s, "hello");
	CHECK_STR(oarena_strndup(&a, "hello", 3), "hel");
	CHECK_STR(oarena_printf(&a, "%s-%d", "x", 42), "x-42");
	ip = oarena_alloc(&a, sizeof(*ip) * 4);
	CHECK(((uintptr_t)ip % _Alignof(max_align_t)) == 0);
	CHECK(ip[0] == 0 && ip[3] == 0);
	/* Larger than a chunk, and many small ones after it. */
	big = oarena_alloc(&a, 100000);
	memset(big, 'x', 100000);
	for (i = 0; i < 10000; i++)
		CHECK(oarena_strdup(&a, "0123456789") != NULL);
	oarena_reset(&a);
	s = oarena_strdup(&a, "again");
	CHECK_STR(s, "again");
	CHECK(oarena_memdup(&a, "ab", 2) != NULL);
	oarena_free(&a);
	CHECK(a.head == NULL);
}

static void
err_first_wins(void)
{
	struct oerr	 e;
	json_t		*j;

	oerr_clear(&e);
	CHECK(!oerr_isset(&e));
	oerr_hint(&e, "ignored");
	CHECK(e.hint[0] == '\0');
	oerr_set(&e, OERR_INVALID_REQUEST, "first %d", 1);
	oerr_set(&e, OERR_SERVER_ERROR, "second");
	CHECK(oerr_isset(&e) && e.code == OERR_INVALID_REQUEST);
	CHECK(e.status == 400);
	CHECK_STR(e.description, "first 1");
	oerr_hint(&e, "hint");
	oerr_hint(&e, "hint2");
	CHECK_STR(e.hint, "hint");
	oerr_debug(&e, "dbg");
	oerr_status(&e, 422);
	CHECK(e.status == 422);
	oerr_status(&e, 200);
	CHECK(e.status == 422);
	j = oerr_json(&e, 0);
	CHECK_STR(json_string_value(json_object_get(j, "error")),
	    "invalid_request");
	CHECK_STR(json_string_value(json_object_get(j, "error_description")),
	    "first 1");
	CHECK_STR(json_string_value(json_object_get(j, "error_hint")), "hint");
	CHECK(json_object_get(j, "error_debug") == NULL);
	CHECK(json_integer_value(json_object_get(j, "status_code")) == 422);
	json_decref(j);
	j = oerr_json(&e, 1);
	CHECK_STR(json_string_value(json_object_get(j, "error_debug")), "dbg");
	CHECK(json_object_get(j, "error_code") == NULL);
	json_decref(j);
	/* Hydra's management API adds error_code, the status. */
	j = oerr_json_hydra(&e, 0);
	CHECK(json_integer_value(json_object_get(j, "error_code")) == 422);
	CHECK(json_integer_value(json_object_get(j, "status_code")) == 422);
	CHECK_STR(json_string_value(json_object_get(j, "error")),
	    "invalid_request");
	CHECK(json_object_get(j, "error_debug") == NULL);
	json_decref(j);
}

static void
err_table(void)
{
	struct oerr	 e;
	json_t		*j;
	int		 c;

	for (c = OERR_NONE + 1; c < OERR__MAX; c++) {
		CHECK(oerr_name(c)[0] != '\0');
		CHECK(oerr_default_status(c) >= 400);
	}
	CHECK_STR(oerr_name(OERR_NOT_FOUND), "not_found");
	CHECK(oerr_default_status(OERR_NOT_FOUND) == 404);
	CHECK(oerr_default_status(OERR_INVALID_CLIENT) == 401);
	CHECK_STR(oerr_name(OERR__MAX), "server_error");
	/* Not UTF-8: still valid JSON. */
	oerr_clear(&e);
	oerr_set(&e, OERR_INVALID_REQUEST, "bad \xff byte");
	j = oerr_json(&e, 0);
	CHECK_STR(json_string_value(json_object_get(j, "error_description")),
	    "bad ? byte");
	json_decref(j);
}

static void
rfc3339(void)
{
	int64_t	 t = 7;
	char	 buf[32];

	CHECK(otime_parse_rfc3339("1970-01-01T00:00:00Z", &t) && t == 0);
	CHECK(otime_parse_rfc3339("2026-11-24T11:01:30Z", &t) &&
	    t == 1795518090);
	otime_rfc3339(t, buf, sizeof(buf));
	CHECK_STR(buf, "2026-11-24T11:01:30Z");
	/* Fractions, lower case and offsets, as Go writes them. */
	CHECK(otime_parse_rfc3339("2026-11-24t11:01:30.123456z", &t) &&
	    t == 1795518090);
	CHECK(otime_parse_rfc3339("2026-11-24T12:31:30+01:30", &t) &&
	    t == 1795518090);
	CHECK(otime_parse_rfc3339("2026-11-24 09:01:30-02:00", &t) &&
	    t == 1795518090);
	/* Malformed: each refused, *t untouched. */
	t = 7;
	CHECK(!otime_parse_rfc3339("", &t));
	CHECK(!otime_parse_rfc3339("2026-11-24", &t));
	CHECK(!otime_parse_rfc3339("2026-11-24T11:01:30", &t));
	CHECK(!otime_parse_rfc3339("2026-13-24T11:01:30Z", &t));
	CHECK(!otime_parse_rfc3339("2026-11-24T24:01:30Z", &t));
	CHECK(!otime_parse_rfc3339("2026-11-24T11:01:30.Z", &t));
	CHECK(!otime_parse_rfc3339("2026-11-24T11:01:30+0100", &t));
	CHECK(!otime_parse_rfc3339("2026-11-24T11:01:30Zjunk", &t));
	CHECK(!otime_parse_rfc3339("2O26-11-24T11:01:30Z", &t));
	CHECK(t == 7);
}

static const struct t_case tests[] = {
	T(strtonum), T(arena), T(err_first_wins), T(err_table), T(rfc3339),
};

int
main(void)
{
	return t_run(tests, NTESTS);
}
