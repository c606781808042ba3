/*
 * test_dcr.c: unit tests of lib/protocol/dcr.c (Dynamic Client
 * Registration, RFC 7591 and RFC 7592) against a real LMDB store in a
 * fresh directory, without a web server: the read-modify-write of RFC
 * 7592 §2.2 (what a read answers sent back with one member changed),
 * the members the server manages refused when changed and accepted when
 * echoed or empty, client_secret and registration_access_token in the
 * body, and the registration access token itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "store/store.h"
#include "records/clients.h"
#include "protocol/dcr.h"
#include "t.h"
#include "tfix.h"

static char		 sys_secret[] = "0123456789abcdef0123456789abcdef";
static char		 issuer[] = "https://op.example/";
static char		 s_openid[] = "openid", s_offline[] = "offline",
			 s_offline_access[] = "offline_access",
			 g_code[] = "authorization_code",
			 g_refresh[] = "refresh_token";
static struct oconf	 conf;
static struct oarena	 arena;

/* A registered client: its id, secret and registration access token. */
struct treg {
	char	 id[64];
	char	 secret[128];
	char	 token[128];
};

/* Register a client with metadata text; 1 on success. */
static int
reg(struct treg *c, const char *text)
{
	struct oerr	 err;
	json_t		*in = J(text), *out;

	oerr_clear(&err);
	out = odcr_register(&arena, in, &err);
	json_decref(in);
	if (out == NULL) {
		fprintf(stderr, "register: %s\n", err.description);
		return 0;
	}
	snprintf(c->id, sizeof(c->id), "%s", sget(out, "client_id"));
	snprintf(c->secret, sizeof(c->secret), "%s",
	    sget(out, "client_secret") != NULL ?
	    sget(out, "client_secret") : "");
	snprintf(c->token, sizeof(c->token), "%s",
	    sget(out, "registration_access_token"));
	json_decref(out);
	return 1;
}

/* What a read of c answers, or NULL. */
static json_t *
rd(const struct treg *c)
{
	struct oerr	 err;

	oerr_clear(&err);
	return odcr_read(&arena, c->id, c->token, &err);
}

/*
 * Replace c with in (consumed); on success c's token becomes the new
 * one.  Returns the answer or NULL with err set.
 */
static json_t *
put(struct treg *c, json_t *in, struct oerr *err)
{
	json_t	*out;

	oerr_clear(err);
	out = odcr_replace(&arena, c->id, c->token, in, NULL, err);
	json_decref(in);
	if (out != NULL)
		snprintf(c->token, sizeof(c->token), "%s",
		    sget(out, "registration_access_token"));
	return out;
}

/* The read of c, with member k set to v (consumed). */
static json_t *
read_with(const struct treg *c, const char *k, json_t *v)
{
	json_t	*doc;

	if ((doc = rd(c)) == NULL)
		abort();
	json_object_set_new(doc, k, v);
	return doc;
}

/* Write function: the operator gives client arg owner "ops", a lifespan. */
static int
operator_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	json_t	*rec;
	int	 rc;

	if ((rec = oclient_load(t, arg, err)) == NULL)
		return 0;
	json_object_set_new(rec, "owner", json_string("ops"));
	json_object_set_new(rec, "metadata", J("{\"tier\":\"gold\"}"));
	json_object_set_new(rec, "skip_consent", json_true());
	json_object_set_new(rec,
	    "authorization_code_grant_access_token_lifespan",
	    json_string("1h0m0s"));
	rc = oclient_replace(t, rec, err);
	json_decref(rec);
	return rc;
}

static const char	 META[] = "{\"client_name\":\"rp\","
    "\"redirect_uris\":[\"https://rp.example/cb\"]}";

/* GET, change one member, PUT the same document back: it is applied. */
static void
read_modify_write(void)
{
	struct tfix_store	 d;
	struct treg		 c;
	struct oerr		 err;
	json_t			*doc, *out;
	char			 old[128];

	if (!CHECKED(tfix_store_open(&d, "test_dcr")))
		return;
	if (!CHECKED(reg(&c, META)))
		goto out;
	snprintf(old, sizeof(old), "%s", c.token);
	out = put(&c, read_with(&c, "client_name", json_string("renamed")),
	    &err);
	if (!CHECKED(out != NULL)) {
		fprintf(stderr, "%s\n", err.description);
		goto out;
	}
	CHECK(jeq(out, "client_name", "\"renamed\""));
	CHECK(jeq(out, "owner", "\"\""));
	CHECK(json_object_get(out, "client_secret") == NULL);
	CHECK(strcmp(old, c.token) != 0);
	json_decref(out);
	doc = rd(&c);
	CHECK(doc != NULL && jeq(doc, "client_name", "\"renamed\""));
	json_decref(doc);
	/* The answer of a replacement, token included, sent back as is. */
	doc = read_with(&c, "registration_access_token", json_string(c.token));
	json_object_set_new(doc, "contacts", J("[\"a@rp.example\"]"));
	out = put(&c, doc, &err);
	CHECK(out != NULL && jeq(out, "contacts", "[\"a@rp.example\"]"));
	json_decref(out);
out:
	CHECK(tfix_store_close(&d));
}

/* Each member the server manages, changed, is a 400 naming it. */
static void
managed_changed(void)
{
	static const char *const bad[][2] = {
		{ "owner", "\"me\"" },
		{ "client_id_issued_at", "12345" },
		{ "client_secret_expires_at", "99" },
		{ "registration_client_uri", "\"https://x.example/r\"" },
		{ "created_at", "\"2001-01-01T00:00:00Z\"" },
		{ "updated_at", "\"2001-01-01T00:00:00Z\"" },
		{ "metadata", "{\"a\":1}" },
		{ "app_id", "\"a1\"" },
		{ "access_token_strategy", "\"jwt\"" },
		{ "skip_consent", "true" },
		{ "skip_logout_consent", "true" },
		{ "refresh_token_grant_refresh_token_lifespan", "\"720h\"" },
		{ "registration_access_token", "\"bm90LXRoZS10b2tlbg\"" },
	};
	struct tfix_store	 d;
	struct treg		 c;
	struct oerr		 err;
	json_t			*out, *before, *after;
	size_t			 i;

	if (!CHECKED(tfix_store_open(&d, "test_dcr")))
		return;
	if (!CHECKED(reg(&c, META)))
		goto out;
	before = rd(&c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = put(&c, read_with(&c, bad[i][0], J(bad[i][1])), &err);
		CHECK(out == NULL);
		CHECK(err.code == OERR_INVALID_CLIENT_METADATA);
		CHECK(named(&err, bad[i][0]));
		json_decref(out);
	}
	/* Nothing changed, and the token still works. */
	after = rd(&c);
	CHECK(after != NULL && json_equal(before, after));
	json_decref(before);
	json_decref(after);
out:
	CHECK(tfix_store_close(&d));
}

/* Empty or absent managed members are accepted; the record keeps its. */
static void
managed_empty(void)
{
	struct tfix_store	 d;
	struct treg		 c;
	struct oerr		 err;
	json_t			*doc, *out;

	if (!CHECKED(tfix_store_open(&d, "test_dcr")))
		return;
	if (!CHECKED(reg(&c, META)))
		goto out;
	CHECK(twrite(operator_fn, c.id));
	/* The operator's values, read and sent back, are accepted. */
	doc = rd(&c);
	CHECK(doc != NULL && jeq(doc, "owner", "\"ops\""));
	CHECK(json_object_get(doc, "metadata") == NULL);
	json_object_set_new(doc, "client_name", json_string("n1"));
	out = put(&c, doc, &err);
	CHECK(out != NULL);
	json_decref(out);
	/* Empty: accepted and the operator's values kept. */
	doc = J("{\"redirect_uris\":[\"https://rp.example/cb\"],"
	    "\"owner\":\"\",\"metadata\":{},\"skip_consent\":false,"
	    "\"client_id_issued_at\":0,\"created_at\":null,"
	    "\"registration_client_uri\":\"\",\"client_secret\":\"\","
	    "\"registration_access_token\":null,"
	    "\"authorization_code_grant_access_token_lifespan\":null}");
	out = put(&c, doc, &err);
	if (!CHECKED(out != NULL))
		fprintf(stderr, "%s\n", err.description);
	json_decref(out);
	doc = rd(&c);
	CHECK(doc != NULL && jeq(doc, "owner", "\"ops\""));
	CHECK(doc != NULL && jeq(doc, "skip_consent", "true"));
	CHECK(doc != NULL && jeq(doc,
	    "authorization_code_grant_access_token_lifespan", "\"1h0m0s\""));
	json_decref(doc);
	/* The operator's metadata is never shown, so never echoed. */
	out = put(&c, read_with(&c, "metadata", J("{\"tier\":\"gold\"}")),
	    &err);
	CHECK(out == NULL && named(&err, "metadata"));
	json_decref(out);
	/* Changing the operator's owner is refused. */
	out = put(&c, read_with(&c, "owner", json_string("me")), &err);
	CHECK(out == NULL && named(&err, "owner"));
	json_decref(out);
out:
	CHECK(tfix_store_close(&d));
}

/*
 * client_secret in a replacement: any non-empty value is refused with a
 * 403, the current secret too (as Hydra does); the secret is kept.
 */
static void
client_secret(void)
{
	struct tfix_store	 d;
	struct treg		 c;
	struct oerr		 err;
	json_t			*out, *in;
	const char		*probes[2];
	size_t			 i;

	if (!CHECKED(tfix_store_open(&d, "test_dcr")))
		return;
	if (!CHECKED(reg(&c, META)))
		goto out;
	CHECK(strlen(c.secret) >= 43);
	probes[0] = c.secret;
	probes[1] = "a-secret-of-my-own-choosing";
	for (i = 0; i < 2; i++) {
		out = put(&c, read_with(&c, "client_secret",
		    json_string(probes[i])), &err);
		CHECK(out == NULL);
		CHECK(err.code == OERR_REQUEST_FORBIDDEN && err.status == 403);
		CHECK(strstr(err.description, "'client_secret'") != NULL);
		json_decref(out);
	}
	out = put(&c, read_with(&c, "client_secret", json_integer(5)), &err);
	CHECK(out == NULL && err.status == 403);
	json_decref(out);
	/* Empty or null: accepted, the secret kept and not returned. */
	out = put(&c, read_with(&c, "client_secret", json_string("")), &err);
	CHECK(out != NULL && json_object_get(out, "client_secret") == NULL);
	json_decref(out);
	out = put(&c, read_with(&c, "client_secret", json_null()), &err);
	CHECK(out != NULL && json_object_get(out, "client_secret") == NULL);
	json_decref(out);
	/*
	 * A registration choosing its own secret is refused, as Hydra's
	 * CreateClient does; "" or null is no choice.
	 */
	in = J("{\"redirect_uris\": [\"https://rp.example/cb\"], "
	    "\"client_secret\": \"mine\"}");
	oerr_clear(&err);
	CHECK(odcr_register(&arena, in, &err) == NULL);
	CHECK(err.code == OERR_INVALID_CLIENT_METADATA && err.status == 400);
	CHECK(strstr(err.description, "'client_secret'") != NULL);
	json_decref(in);
	CHECK(reg(&c, "{\"redirect_uris\": [\"https://rp.example/cb\"], "
	    "\"client_secret\": \"\", \"client_secret_expires_at\": 9}"));
	CHECK(strlen(c.secret) >= 43);
out:
	CHECK(tfix_store_close(&d));
}

/* The registration access token: missing or wrong is a 401, first. */
static void
token(void)
{
	struct tfix_store	 d;
	struct treg		 c;
	struct oerr		 err;
	json_t			*doc, *out;

	if (!CHECKED(tfix_store_open(&d, "test_dcr")))
		return;
	if (!CHECKED(reg(&c, META)))
		goto out;
	doc = read_with(&c, "owner", json_string("me"));
	oerr_clear(&err);
	out = odcr_replace(&arena, c.id, NULL, doc, NULL, &err);
	CHECK(out == NULL && err.code == OERR_INVALID_TOKEN &&
	    err.status == 401);
	oerr_clear(&err);
	out = odcr_replace(&arena, c.id, "d3Jvbmc", doc, NULL, &err);
	CHECK(out == NULL && err.code == OERR_INVALID_TOKEN);
	oerr_clear(&err);
	out = odcr_read(&arena, c.id, NULL, &err);
	CHECK(out == NULL && err.code == OERR_INVALID_TOKEN);
	oerr_clear(&err);
	CHECK(!odcr_delete(c.id, "d3Jvbmc", &err));
	CHECK(err.code == OERR_INVALID_TOKEN);
	json_decref(doc);
	doc = rd(&c);
	CHECK(doc != NULL);
	json_decref(doc);
out:
	CHECK(tfix_store_close(&d));
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(read_modify_write),
		T(managed_changed),
		T(managed_empty),
		T(client_secret),
		T(token),
	};
	int	 rc;

	conf.secrets[0] = sys_secret;
	conf.nsecrets = 1;
	conf.issuer = issuer;
	conf.dcr_scope.v[0] = s_offline_access;
	conf.dcr_scope.v[1] = s_offline;
	conf.dcr_scope.v[2] = s_openid;
	conf.dcr_scope.n = 3;
	conf.dcr_grant_types.v[0] = g_code;
	conf.dcr_grant_types.v[1] = g_refresh;
	conf.dcr_grant_types.n = 2;
	oconf = &conf;
	oarena_init(&arena);
	rc = t_run(tests, NTESTS);
	oarena_free(&arena);
	return rc;
}
