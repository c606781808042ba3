/*
 * logout.c: Hydra's logout requests on the admin API (1.x at the root,
 * 2.x under /admin):
 *
 *   GET /oauth2/auth/requests/logout?logout_challenge=   (or challenge=)
 *	{challenge, subject, sid, request_url, rp_initiated, client,
 *	expires_at, requested_at}
 *   PUT /oauth2/auth/requests/logout/accept?logout_challenge=
 *	{"redirect_to": <issuer>oauth2/sessions/logout?logout_verifier=...}
 *   PUT /oauth2/auth/requests/logout/reject?logout_challenge=
 *	{"redirect_to": the post-logout redirect}: the session stays.
 *	(Hydra answers 204 here; the body is extra, for the logout app,
 *	and the SDKs ignore it.)
 *
 * The challenge is sealed by /oauth2/sessions/logout (lib/flow.h).
 * Answering it records it as handled with its redirect_to; a second
 * answer is a 410 with the first one's {"redirect_to"}.  An unknown or
 * expired challenge is a 404.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "clients.h"
#include "conf.h"
#include "err.h"
#include "flow.h"
#include "http.h"
#include "logout.h"
#include "store.h"
#include "util.h"

/* The string member of a JSON object, or "" (borrowed). */
static const char *
str(const json_t *o, const char *k)
{
	const char	*s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

/* Unix seconds as an RFC 3339 string. */
static json_t *
when(json_int_t t)
{
	char	 buf[32];

	otime_rfc3339(t, buf, sizeof(buf));
	return json_string(buf);
}

/*
 * Open the logout challenge of the request (?logout_challenge= or
 * ?challenge=); answer 410 {"redirect_to"} when it was handled already.
 * Returns the state (a new reference, with "challenge" added) when it
 * is open and unhandled; NULL when a response was sent.
 */
static json_t *
open_challenge(struct oreq *req)
{
	struct oerr		 err;
	struct ostore_txn	*t;
	const struct oparams	*q;
	const char		*c = NULL;
	json_t			*st = NULL, *used = NULL, *j;

	oerr_clear(&err);
	if ((q = ohttp_query(req, &err)) != NULL &&
	    (c = oparams_get(q, "logout_challenge")) == NULL)
		c = oparams_get(q, "challenge");
	if (q != NULL && (c == NULL || *c == '\0'))
		oerr_set(&err, OERR_INVALID_REQUEST, "The query parameter "
		    "'logout_challenge' is required.");
	if (oerr_isset(&err) ||
	    (st = oflow_open(OFLOW_LOGOUT, c, &err)) == NULL) {
		ohttp_send_error(req, &err);
		return NULL;
	}
	if ((t = ostore_read_begin()) != NULL) {
		used = oflow_used(t, OFLOW_LOGOUT, str(st, "id"));
		ostore_read_end(t);
	}
	if (used != NULL) {
		j = json_pack("{s:O}", "redirect_to",
		    json_object_get(used, "redirect_to"));
		ohttp_send_json(req, 410, j);
		json_decref(j);
		json_decref(used);
		json_decref(st);
		return NULL;
	}
	json_object_set_new(st, "challenge", json_string(c));
	return st;
}

/* GET /oauth2/auth/requests/logout */
static void
get_logout(struct oreq *req)
{
	struct oerr	 err;
	json_t		*st, *client = NULL, *j;

	oerr_clear(&err);
	if ((st = open_challenge(req)) == NULL)
		return;
	if (*str(st, "client_id") != '\0')
		client = oclient_get(str(st, "client_id"), &err);
	j = json_pack("{s:s,s:s,s:s,s:s,s:b,s:o,s:o,s:o}",
	    "challenge", str(st, "challenge"),
	    "subject", str(st, "subject"),
	    "sid", str(st, "sid"),
	    "request_url", str(st, "request_url"),
	    "rp_initiated", json_is_true(json_object_get(st, "rp_initiated")),
	    "client", client != NULL ? oclient_view_hydra(client, NULL) :
	    json_null(),
	    "expires_at", when(json_integer_value(json_object_get(st, "exp"))),
	    "requested_at", when(json_integer_value(json_object_get(st,
	    "requested_at"))));
	ohttp_send_json(req, 200, j);
	json_decref(j);
	json_decref(client);
	json_decref(st);
}

struct answer {
	const json_t	*st;
	const char	*redirect_to;
	json_t		*prior;		/* handled already */
};

/* Record the challenge as handled, remembering where it leads. */
static int
answer_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct answer	*a = arg;
	json_t		*rec;
	enum ostore_rc	 rc;

	json_decref(a->prior);
	a->prior = NULL;
	rec = json_pack("{s:s}", "redirect_to", a->redirect_to);
	rc = oflow_use(t, OFLOW_LOGOUT, str(a->st, "id"),
	    json_integer_value(json_object_get(a->st, "exp")), rec);
	json_decref(rec);
	if (rc == OSTORE_EXISTS) {
		a->prior = oflow_used(t, OFLOW_LOGOUT, str(a->st, "id"));
		return 1;
	}
	if (rc != OSTORE_OK) {
		oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
		return 0;
	}
	return 1;
}

/*
 * Record the challenge st as handled with redirect_to and answer
 * {"redirect_to"} (200), or 410 with the first answer's redirect_to.
 */
static void
answer(struct oreq *req, const json_t *st, const char *redirect_to)
{
	struct oerr	 err;
	struct answer	 a;
	json_t		*j;

	oerr_clear(&err);
	memset(&a, 0, sizeof(a));
	a.st = st;
	a.redirect_to = redirect_to;
	if (!ostore_write(answer_fn, &a, &err)) {
		json_decref(a.prior);
		ohttp_send_error(req, &err);
		return;
	}
	if (a.prior != NULL) {
		j = json_pack("{s:O}", "redirect_to",
		    json_object_get(a.prior, "redirect_to"));
		ohttp_send_json(req, 410, j);
		json_decref(a.prior);
	} else {
		j = json_pack("{s:s}", "redirect_to", redirect_to);
		ohttp_send_json(req, 200, j);
	}
	json_decref(j);
}

/* PUT /oauth2/auth/requests/logout/accept */
static void
accept_logout(struct oreq *req)
{
	json_t	*st, *vst;
	char	*v;

	if ((st = open_challenge(req)) == NULL)
		return;
	/* The verifier needs neither the challenge nor the request URL. */
	vst = json_deep_copy(st);
	json_object_del(vst, "challenge");
	json_object_del(vst, "request_url");
	v = oflow_seal(OFLOW_LOGOUT_VERIFIER, vst);
	answer(req, st, oarena_printf(&req->arena,
	    "%soauth2/sessions/logout?logout_verifier=%s", oconf->issuer, v));
	free(v);
	json_decref(vst);
	json_decref(st);
}

/* PUT /oauth2/auth/requests/logout/reject */
static void
reject_logout(struct oreq *req)
{
	json_t	*st;

	if ((st = open_challenge(req)) == NULL)
		return;
	answer(req, st, ologout_redirect(&req->arena,
	    str(st, "post_logout_redirect_uri"), str(st, "state")));
	json_decref(st);
}

const struct oroute logout_routes[] = {
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/oauth2/auth/requests/logout",
	    get_logout },
	{ OHTTP_M(PUT), OLISTEN_ADMIN, "/oauth2/auth/requests/logout/accept",
	    accept_logout },
	{ OHTTP_M(PUT), OLISTEN_ADMIN, "/oauth2/auth/requests/logout/reject",
	    reject_logout },
};
const size_t logout_nroutes = sizeof(logout_routes) /
    sizeof(logout_routes[0]);
