/*
 * Unit tests for lib/records/users.c: usernames, claims and their scopes, the
 * store operations, and sign-in with its lockout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/err.h"
#include "base/util.h"
#include "store/store.h"
#include "records/lifecycle.h"
#include "records/users.h"
#include "t.h"
#include "tfix.h"

static char		 secret_a[] = "users-secret-aaaaaaaaaaaaaaaa";
static struct oconf	 conf;

static void
names(void)
{
	struct oerr	 err;
	char		 big[OUSER_NAME_MAX + 2];
	static const char *const good[] = { "a", "Alice", "a.b_c-d+e@x.org",
	    "0", NULL };
	static const char *const bad[] = { "", "-a", "a b", "a/b", "a:b",
	    "é", "a\"b", "<x>", NULL };
	size_t		 i;

	for (i = 0; good[i] != NULL; i++) {
		oerr_clear(&err);
		CHECK(ouser_name_ok(good[i], &err) == 1);
	}
	for (i = 0; bad[i] != NULL; i++) {
		oerr_clear(&err);
		CHECK(ouser_name_ok(bad[i], &err) == 0);
		CHECK(err.status == 400);
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	oerr_clear(&err);
	CHECK(ouser_name_ok(big, &err) == 0);
	big[OUSER_NAME_MAX] = '\0';
	oerr_clear(&err);
	CHECK(ouser_name_ok(big, &err) == 1);
}

/* ouser_claim_parse(claim, text) works (1) or not (0). */
static int
parses(const char *claim, const char *text)
{
	struct oerr	 err;
	json_t		*v;

	oerr_clear(&err);
	v = ouser_claim_parse(claim, text, &err);
	json_decref(v);
	return v != NULL;
}

static void
claims(void)
{
	struct oerr	 err;
	json_t		*v;

	CHECK(parses("name", "Ada Lovelace"));
	CHECK(parses("email", "ada@example.org"));
	CHECK(!parses("email", "ada"));
	CHECK(!parses("email", "a@b@c"));
	CHECK(parses("email_verified", "true"));
	CHECK(parses("email_verified", "false"));
	CHECK(!parses("email_verified", "yes"));
	CHECK(parses("picture", "https://example.org/a.png"));
	CHECK(!parses("picture", "javascript:alert(1)"));
	CHECK(!parses("website", "ftp://x"));
	CHECK(parses("birthdate", "1815-12-10"));
	CHECK(parses("birthdate", "1815"));
	CHECK(!parses("birthdate", "10/12/1815"));
	CHECK(parses("locale", "en-GB"));
	CHECK(!parses("locale", "en GB"));
	CHECK(parses("zoneinfo", "Europe/London"));
	CHECK(parses("phone_number", "+1 (425) 555-1212;ext=5678"));
	CHECK(!parses("phone_number", "<script>"));
	CHECK(parses("address", "{\"locality\":\"London\"}"));
	CHECK(!parses("address", "{\"city\":\"London\"}"));
	CHECK(!parses("address", "{\"locality\":1}"));
	CHECK(!parses("address", "London"));
	CHECK(!parses("name", "a\nb"));		/* control characters */
	CHECK(!parses("sub", "x"));
	CHECK(!parses("updated_at", "1"));
	CHECK(!parses("nonsense", "x"));
	oerr_clear(&err);
	v = json_integer(1);
	CHECK(ouser_claim_ok("name", v, &err) == 0);
	json_decref(v);
}

static void
scopes(void)
{
	json_t	*u, *s, *c;

	u = json_pack("{s:s,s:I,s:{s:s,s:s,s:b,s:s,s:b,s:{s:s}}}",
	    "username", "ada", "updated_at", (json_int_t)1700000000,
	    "claims", "name", "Ada", "email", "a@x.org", "email_verified", 1,
	    "phone_number", "+1 555", "phone_number_verified", 0,
	    "address", "country", "UK");
	s = json_pack("[s]", "openid");
	c = ouser_claims(u, s);
	CHECK(json_object_size(c) == 0);
	json_decref(c);
	json_decref(s);
	s = json_pack("[s,s]", "openid", "profile");
	c = ouser_claims(u, s);
	CHECK(json_object_size(c) == 3);
	CHECK(strcmp(json_string_value(json_object_get(c, "name")), "Ada") ==
	    0);
	CHECK(strcmp(json_string_value(json_object_get(c,
	    "preferred_username")), "ada") == 0);
	CHECK(json_integer_value(json_object_get(c, "updated_at")) ==
	    1700000000);
	json_decref(c);
	json_decref(s);
	s = json_pack("[s,s,s]", "email", "phone", "address");
	c = ouser_claims(u, s);
	CHECK(json_object_size(c) == 5);
	CHECK(json_is_true(json_object_get(c, "email_verified")));
	CHECK(json_is_false(json_object_get(c, "phone_number_verified")));
	CHECK(json_is_object(json_object_get(c, "address")));
	CHECK(json_object_get(c, "name") == NULL);
	json_decref(c);
	json_decref(s);
	json_decref(u);
}

static void
store(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	json_t			*v, *w, *c, *l;
	char			 sub[64];

	if (!CHECKED(tfix_store_open(&d, "test_users")))
		return;
	oerr_clear(&err);
	c = json_pack("{s:s}", "email", "ada@example.org");
	CHECK((v = ouser_create("Ada", "password1", c, &err)) != NULL);
	json_decref(c);
	CHECK(strcmp(json_string_value(json_object_get(v, "username")),
	    "Ada") == 0);
	CHECK(json_object_get(v, "password") == NULL);
	snprintf(sub, sizeof(sub), "%s", json_string_value(json_object_get(v,
	    "subject")));
	CHECK(strlen(sub) == 36);
	json_decref(v);
	/* Case-folded uniqueness. */
	oerr_clear(&err);
	CHECK(ouser_create("ADA", "password2", NULL, &err) == NULL);
	CHECK(err.status == 409);
	oerr_clear(&err);
	CHECK(ouser_create("bob", "short", NULL, &err) == NULL);
	CHECK(err.status == 400);
	oerr_clear(&err);
	c = json_pack("{s:s}", "email", "nope");
	CHECK(ouser_create("bob", "password3", c, &err) == NULL);
	json_decref(c);
	/* Lookups. */
	oerr_clear(&err);
	CHECK((v = ouser_get("aDa", &err)) != NULL);
	json_decref(v);
	CHECK((v = ouser_get_by_subject(sub, &err)) != NULL);
	CHECK(v != NULL && strcmp(json_string_value(json_object_get(v,
	    "username")), "Ada") == 0);
	json_decref(v);
	oerr_clear(&err);
	CHECK(ouser_get_by_subject("nope", &err) == NULL);
	CHECK(err.status == 404);
	oerr_clear(&err);
	CHECK(ouser_get("carol", &err) == NULL && err.status == 404);
	oerr_clear(&err);
	CHECK((v = ouser_create("bob", "password3", NULL, &err)) != NULL);
	json_decref(v);
	CHECK((l = ouser_list(&err)) != NULL);
	CHECK(json_array_size(l) == 2);
	CHECK(strcmp(json_string_value(json_object_get(json_array_get(l, 0),
	    "username")), "Ada") == 0);
	json_decref(l);
	/* Claims: set, replace, remove; unknown refused. */
	w = json_string("Ada L.");
	CHECK((v = ouser_set_claim("ada", "name", w, &err)) != NULL);
	json_decref(w);
	CHECK(v != NULL && strcmp(json_string_value(json_object_get(
	    json_object_get(v, "claims"), "name")), "Ada L.") == 0);
	json_decref(v);
	CHECK((v = ouser_set_claim("ada", "name", NULL, &err)) != NULL);
	CHECK(v != NULL && json_object_get(json_object_get(v, "claims"),
	    "name") == NULL);
	json_decref(v);
	oerr_clear(&err);
	CHECK(ouser_set_claim("ada", "sub", NULL, &err) == NULL);
	CHECK(err.status == 400);
	oerr_clear(&err);
	w = json_string("x");
	CHECK(ouser_set_claim("nobody", "name", w, &err) == NULL);
	CHECK(err.status == 404);
	json_decref(w);
	/* Password change. */
	oerr_clear(&err);
	CHECK(ouser_passwd("ADA", "password9", &err) == 1);
	CHECK(ouser_authenticate("ada", "password9", NULL, &w, &err) ==
	    OUSER_AUTH_OK && w != NULL);
	json_decref(w);
	CHECK(ouser_authenticate("ada", "password1", NULL, &w, &err) ==
	    OUSER_AUTH_BAD && w == NULL);
	oerr_clear(&err);
	CHECK(ouser_passwd("nobody", "password9", &err) == 0);
	/* Delete; the name is free again, under a new subject. */
	oerr_clear(&err);
	CHECK(olife_user_delete("Ada", &err) == 1);
	CHECK(ouser_get_by_subject(sub, &err) == NULL);
	oerr_clear(&err);
	CHECK(olife_user_delete("Ada", &err) == 0 && err.status == 404);
	oerr_clear(&err);
	CHECK((v = ouser_create("ada", "password1", NULL, &err)) != NULL);
	CHECK(v != NULL && strcmp(json_string_value(json_object_get(v,
	    "subject")), sub) != 0);
	json_decref(v);
	CHECK(tfix_store_close(&d));
}

static void
pause_ms(long ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Sign in from addr; *out is released at once (the tests look at the
 * outcome).
 */
static enum ouser_auth
auth_from(const char *name, const char *pw, const char *addr)
{
	struct oerr		 err;
	json_t			*u = NULL;
	enum ouser_auth		 rc;

	oerr_clear(&err);
	rc = ouser_authenticate(name, pw, addr, &u, &err);
	CHECK((rc == OUSER_AUTH_OK) == (u != NULL));
	CHECK((rc == OUSER_AUTH_ERR) == oerr_isset(&err));
	json_decref(u);
	return rc;
}

/* Sign in from one address (unknown). */
static enum ouser_auth
auth(const char *name, const char *pw)
{
	return auth_from(name, pw, NULL);
}

static void
lockout(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	json_t			*v, *u;
	int			 i;

	if (!CHECKED(tfix_store_open(&d, "test_users")))
		return;
	/* A long lock, so that slow (sanitized) hashing cannot outlast it. */
	conf.lockout_attempts = 3;
	conf.lockout_window = 60;
	conf.lockout_duration = 600;
	oerr_clear(&err);
	v = ouser_create("eve", "password1", NULL, &err);
	json_decref(v);
	v = ouser_create("fay", "password1", NULL, &err);
	json_decref(v);
	CHECK(ouser_authenticate("eve", "password1", NULL, &u, &err) ==
	    OUSER_AUTH_OK);
	CHECK(u != NULL && strcmp(json_string_value(json_object_get(u,
	    "username")), "eve") == 0);
	json_decref(u);
	/* Two failures, a success: the count starts again. */
	for (i = 0; i < 2; i++)
		CHECK(auth("eve", "wrong") == OUSER_AUTH_BAD);
	CHECK(auth("EVE", "password1") == OUSER_AUTH_OK);
	/* Three failures lock it: the right password too. */
	for (i = 0; i < 3; i++)
		CHECK(auth("eve", "wrong") == OUSER_AUTH_BAD);
	CHECK(auth("eve", "password1") == OUSER_AUTH_LOCKED);
	CHECK(auth("Eve", "password1") == OUSER_AUTH_LOCKED);
	/* A name nobody has locks the same way. */
	for (i = 0; i < 3; i++)
		CHECK(auth("ghost", "wrong") == OUSER_AUTH_BAD);
	CHECK(auth("ghost", "wrong") == OUSER_AUTH_LOCKED);
	/* Not another one. */
	CHECK(auth("mallory", "wrong") == OUSER_AUTH_BAD);
	CHECK(auth("fay", "password1") == OUSER_AUTH_OK);
	/* The lock ends after ui.lockout.duration. */
	conf.lockout_duration = 1;
	for (i = 0; i < 3; i++)
		CHECK(auth("fay", "wrong") == OUSER_AUTH_BAD);
	pause_ms(2100);
	CHECK(auth("fay", "password1") == OUSER_AUTH_OK);
	CHECK(tfix_store_close(&d));
}

/*
 * The lockout is per username and address: an attacker's failures do
 * not lock the owner out from elsewhere; an IPv6 /64 is one address;
 * across addresses 10 x ui.lockout.attempts failures lock everyone, and
 * the owner's successes do not count towards it.
 */
static void
lockout_per_address(void)
{
	struct tfix_store	 d;
	struct oerr		 err;
	json_t			*v;
	char			 a[32];
	int			 i;

	if (!CHECKED(tfix_store_open(&d, "test_users")))
		return;
	conf.lockout_attempts = 3;
	conf.lockout_window = 60;
	conf.lockout_duration = 600;
	oerr_clear(&err);
	v = ouser_create("gus", "password1", NULL, &err);
	json_decref(v);
	v = ouser_create("hal", "password1", NULL, &err);
	json_decref(v);
	for (i = 0; i < 3; i++)
		CHECK(auth_from("gus", "wrong", "203.0.113.9") ==
		    OUSER_AUTH_BAD);
	CHECK(auth_from("gus", "password1", "203.0.113.9") ==
	    OUSER_AUTH_LOCKED);
	/* The owner, elsewhere, signs in. */
	CHECK(auth_from("gus", "password1", "198.51.100.7") == OUSER_AUTH_OK);
	CHECK(auth_from("GUS", "password1", "198.51.100.7") == OUSER_AUTH_OK);
	CHECK(auth_from("gus", "password1", "203.0.113.9") ==
	    OUSER_AUTH_LOCKED);
	/* IPv6: the /64 is the address. */
	for (i = 0; i < 3; i++)
		CHECK(auth_from("gus", "wrong", "2001:db8::1") ==
		    OUSER_AUTH_BAD);
	CHECK(auth_from("gus", "password1", "2001:db8:0:0:ffff::2") ==
	    OUSER_AUTH_LOCKED);
	CHECK(auth_from("gus", "password1", "2001:db8:0:1::1") ==
	    OUSER_AUTH_OK);
	/*
	 * Across addresses: one failure locks an address, ten lock the
	 * username everywhere; the owner's successes are refunded.
	 */
	conf.lockout_attempts = 1;
	for (i = 0; i < 9; i++) {
		snprintf(a, sizeof(a), "192.0.2.%d", i + 1);
		CHECK(auth_from("hal", "wrong", a) == OUSER_AUTH_BAD);
		CHECK(auth_from("hal", "wrong", a) == OUSER_AUTH_LOCKED);
	}
	for (i = 0; i < 3; i++)
		CHECK(auth_from("hal", "password1", "198.51.100.7") ==
		    OUSER_AUTH_OK);
	CHECK(auth_from("hal", "wrong", "192.0.2.100") == OUSER_AUTH_BAD);
	CHECK(auth_from("hal", "password1", "198.51.100.7") ==
	    OUSER_AUTH_LOCKED);
	CHECK(auth_from("hal", "password1", "192.0.2.200") ==
	    OUSER_AUTH_LOCKED);
	/* Only that username. */
	CHECK(auth_from("gus", "password1", "198.51.100.7") == OUSER_AUTH_OK);
	/* It ends when the failures leave ui.lockout.window. */
	conf.lockout_window = 1;
	pause_ms(2100);
	CHECK(auth_from("hal", "password1", "192.0.2.200") == OUSER_AUTH_OK);
	conf.lockout_attempts = 5;
	conf.lockout_window = 900;
	conf.lockout_duration = 900;
	CHECK(tfix_store_close(&d));
}

static const struct t_case tests[] = {
	T(names), T(claims), T(scopes), T(store), T(lockout),
	T(lockout_per_address),
};

int
main(void)
{
	int	 rc;

	conf.issuer = "http://127.0.0.1:4444/";
	conf.secrets[0] = secret_a;
	conf.nsecrets = 1;
	conf.lockout_attempts = 5;
	conf.lockout_window = 900;
	conf.lockout_duration = 900;
	oconf = &conf;
	rc = t_run(tests, NTESTS);
	oconf = NULL;
	return rc;
}
