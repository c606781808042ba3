/*
 * test_subject.c: pairwise subjects (lib/records/subject.c) and the
 * registration rules of pairwise clients (lib/records/clients.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/err.h"
#include "records/clients.h"
#include "records/subject.h"
#include "t.h"
#include "tfix.h"

static char		 salt[] = "salt-12345";
static struct oconf	 conf;

/* A decoded client built from text by the admin API's rules. */
static struct oclient *
client(const char *text, unsigned flags, struct oerr *err)
{
	char		 secret[OCLIENT_SECRET_MAX + 1];
	json_t		*in = J(text), *rec;
	struct oclient	*c = NULL;

	oerr_clear(err);
	/* Public clients: no secret to hash. */
	json_object_set_new(in, "token_endpoint_auth_method",
	    json_string("none"));
	if ((rec = oclient_build(in, NULL, flags | OCLIENT_GEN_SECRET,
	    secret, err)) != NULL)
		c = oclient_decode(rec, err);
	if (c == NULL && getenv("TDEBUG") != NULL)
		fprintf(stderr, "%s: %s\n", text, err->description);
	json_decref(rec);
	json_decref(in);
	return c;
}

static void
derivation(void)
{
	char	 out[OSUBJECT_LEN + 1];

	/* hex(SHA-256(sector || subject || salt)), as Hydra. */
	osubject_pairwise("rp.example", "alice", salt, out);
	CHECK_STR(out, "d42b061fac21f077e4c268e86b3c7a68c8d610b0"
	    "99fdf934d42237de4aed22f2");
}

static void
sectors(void)
{
	struct oclient	*a, *b, *c, *pub;
	struct oerr	 err;
	char		*sa, *sb, *sc, *sp;

	a = client("{\"subject_type\":\"pairwise\",\"redirect_uris\":"
	    "[\"https://rp.example/cb\",\"https://rp.example/other\"]}", 0,
	    &err);
	/* Another client of the same sector (by its sector URI's host). */
	b = client("{\"subject_type\":\"pairwise\",\"redirect_uris\":"
	    "[\"https://x.example/cb\",\"https://y.example/cb\"],"
	    "\"sector_identifier_uri\":\"https://rp.example/s.json\"}", 0,
	    &err);
	c = client("{\"subject_type\":\"pairwise\",\"redirect_uris\":"
	    "[\"https://other.example/cb\"]}", 0, &err);
	pub = client("{\"redirect_uris\":[\"https://rp.example/cb\"]}", 0,
	    &err);
	CHECK(a != NULL && b != NULL && c != NULL && pub != NULL);
	if (a == NULL || b == NULL || c == NULL || pub == NULL)
		return;
	sa = osubject_of(a, "alice", NULL);
	sb = osubject_of(b, "alice", NULL);
	sc = osubject_of(c, "alice", NULL);
	sp = osubject_of(pub, "alice", NULL);
	CHECK_STR(sa, "d42b061fac21f077e4c268e86b3c7a68c8d610b0"
	    "99fdf934d42237de4aed22f2");
	CHECK_STR(sb, sa);
	CHECK(sc != NULL && strcmp(sc, sa) != 0 && strlen(sc) ==
	    OSUBJECT_LEN);
	CHECK_STR(sp, "alice");
	free(sp);
	/* force_subject_identifier: a pairwise client's only. */
	sp = osubject_of(pub, "alice", "forced");
	CHECK_STR(sp, "alice");
	free(sp);
	sp = osubject_of(a, "alice", "forced");
	CHECK_STR(sp, "forced");
	free(sa);
	free(sb);
	free(sc);
	free(sp);
	/* Not configured: everyone sees the login subject. */
	conf.subject_types.n = 1;
	sa = osubject_of(a, "alice", NULL);
	CHECK_STR(sa, "alice");
	free(sa);
	conf.subject_types.n = 2;
	oclient_release(a);
	oclient_release(b);
	oclient_release(c);
	oclient_release(pub);
}

static void
registration(void)
{
	struct oclient	*c;
	struct oerr	 err;

	c = client("{\"subject_type\":\"pairwise\",\"redirect_uris\":"
	    "[\"https://a.example/cb\",\"https://b.example/cb\"]}", 0, &err);
	CHECK(c == NULL && named(&err, "redirect_uris"));
	c = client("{\"subject_type\":\"pairwise\",\"redirect_uris\":[],"
	    "\"grant_types\":[\"implicit\"],\"response_types\":[]}",
	    0, &err);
	CHECK(c == NULL && named(&err, "redirect_uris"));
	/*
	 * A sector URI names the sector, redirect URIs on several hosts
	 * allowed (its document, fetched by oclient_uris_check(), lists
	 * them: tests/integration/test_pairwise.py).
	 */
	c = client("{\"subject_type\":\"pairwise\",\"redirect_uris\":"
	    "[\"https://a.example/cb\",\"https://b.example/cb\"],"
	    "\"sector_identifier_uri\":\"https://s.example/s.json\"}",
	    OCLIENT_DCR, &err);
	CHECK(c != NULL);
	oclient_release(c);
	c = client("{\"subject_type\":\"pairwise\",\"redirect_uris\":"
	    "[\"https://a.example/cb\"]}", OCLIENT_DCR, &err);
	CHECK(c != NULL);
	oclient_release(c);
	conf.subject_types.n = 1;
	c = client("{\"subject_type\":\"pairwise\",\"redirect_uris\":"
	    "[\"https://a.example/cb\"]}", OCLIENT_DCR, &err);
	CHECK(c == NULL && named(&err, "subject_type"));
	conf.subject_types.n = 2;
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(derivation),
		T(sectors),
		T(registration),
	};
	static char	 pub[] = "public", pw[] = "pairwise";
	static char	 issuer[] = "https://op.example/";

	conf.issuer = issuer;
	conf.subject_types.v[0] = pub;
	conf.subject_types.v[1] = pw;
	conf.subject_types.n = 2;
	conf.pairwise_salt = salt;
	oconf = &conf;
	return t_run(tests, NTESTS);
}
