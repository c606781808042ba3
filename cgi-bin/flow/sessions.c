/*
 * sessions.c: Hydra's login and consent sessions on the admin API:
 *
 *   GET    /oauth2/auth/sessions/consent?subject=[&login_session_id=]
 *          the subject's grants, newest first, paginated, each with its
 *          consent request
 *   DELETE /oauth2/auth/sessions/consent?subject=&client= | &all=true
 *          revoke those grants and every token issued under them
 *   DELETE /oauth2/auth/sessions/login?subject= | ?sid=
 *          end the login sessions (the browser must log in again)
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "records/clients.h"
#include "base/conf.h"
#include "base/err.h"
#include "records/consents.h"
#include "records/flow.h"
#include "web/http.h"
#include "protocol/logout.h"
#include "web/page.h"
#include "store/store.h"
#include "base/util.h"
#include "base/json.h"
#include "records/lifecycle.h"

/* A required, non-empty query parameter; NULL with a 400 otherwise. */
static const char *
need(const struct oparams *q, const char *name, struct oerr *err)
{
	const char	*v = oparams_get(q, name);

	if (v == NULL || *v == '\0') {
		oerr_set(err, OERR_INVALID_REQUEST, "The query parameter '%s' "
		    "is required.", name);
		return NULL;
	}
	return v;
}

/* Unix seconds as RFC 3339, or null for 0. */
static json_t *
when(json_int_t t)
{
	char	 buf[32];

	if (t == 0)
		return json_null();
	otime_rfc3339(t, buf, sizeof(buf));
	return json_string(buf);
}

/*
 * When the tokens of a grant handled at t expire, in Hydra 2.2's
 * OAuth2ConsentSession.expires_at shape (one time per kind).
 */
static json_t *
expires(json_int_t t)
{
	json_t	*e = json_object();

	json_object_set_new(e, "access_token", when(t +
	    oconf->ttl_access_token));
	json_object_set_new(e, "authorize_code", when(t +
	    oconf->ttl_auth_code));
	json_object_set_new(e, "id_token", when(t + oconf->ttl_id_token));
	json_object_set_new(e, "par_context", when(t +
	    oconf->ttl_auth_code));
	json_object_set_new(e, "refresh_token", oconf->ttl_refresh_token > 0 ?
	    when(t + oconf->ttl_refresh_token) : json_null());
	return e;
}

/* A consent as Hydra's PreviousConsentSession. */
static json_t *
previous(const struct oconsent *c)
{
	struct oerr	 err;
	json_t		*client, *cr;

	oerr_clear(&err);
	client = oclient_get(c->client_id, &err);
	cr = json_pack("{s:s,s:o,s:o,s:b,s:s,s:s,s:s,s:s}",
	    "challenge", c->request_id,
	    "requested_scope", oconsents_strs_json(&c->requested_scope),
	    "requested_access_token_audience",
	    oconsents_strs_json(&c->requested_audience),
	    "skip", 0,
	    "subject", c->sub,
	    "login_session_id", c->sid,
	    "request_url", c->request_url,
	    "acr", ojson_str(c->login, "acr"));
	json_object_set_new(cr, "consent_request_id",
	    json_string(c->request_id));
	json_object_set_new(cr, "client", client != NULL ?
	    oclient_view_hydra(client, NULL) : json_null());
	json_decref(client);
	return json_pack("{s:o,s:o,s:o,s:O?,s:b,s:I,s:o,s:o}",
	    "consent_request", cr,
	    "grant_scope", oconsents_strs_json(&c->scope),
	    "grant_access_token_audience", oconsents_strs_json(&c->aud),
	    "session", c->session,
	    "remember", c->remember,
	    "remember_for", (json_int_t)c->remember_for,
	    "handled_at", when(c->handled_at),
	    "expires_at", expires(c->handled_at));
}

/* GET /oauth2/auth/sessions/consent */
static void
list_consent(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*q;
	const char		*sub, *sid;
	struct opage		 pg;
	struct ostore_txn	*t;
	struct oconsent		*all;
	json_t			*out;
	size_t			 i, nall, n = 0;
	char			*filters;
	int			 ok;

	oerr_clear(&err);
	if ((q = ohttp_query(req, &err)) == NULL ||
	    (sub = need(q, "subject", &err)) == NULL ||
	    !opage_parse(q, &pg, &err)) {
		ohttp_send_error(req, &err);
		return;
	}
	sid = oparams_get(q, "login_session_id");
	if ((t = ostore_read_begin(&err)) == NULL) {
		ohttp_send_error(req, &err);
		return;
	}
	ok = oconsents_list(t, sub, NULL, &all, &nall, &err);
	ostore_read_end(t);
	if (!ok) {
		ohttp_send_error(req, &err);
		return;
	}
	out = json_array();
	for (i = 0; i < nall; i++) {
		/* As Hydra: consents given on the screen, not skipped ones. */
		if (all[i].skip ||
		    (sid != NULL && strcmp(all[i].sid, sid) != 0))
			continue;
		if ((long long)n >= pg.offset &&
		    (long long)n < pg.offset + pg.size)
			json_array_append_new(out, previous(&all[i]));
		n++;
	}
	filters = oarena_printf(&req->arena, "&subject=%s",
	    oform_encode(&req->arena, sub));
	if (sid != NULL)
		filters = oarena_printf(&req->arena, "%s&login_session_id=%s",
		    filters, oform_encode(&req->arena, sid));
	opage_headers(req, oarena_printf(&req->arena,
	    "%s/oauth2/auth/sessions/consent", opage_prefix(req)), &pg, n,
	    filters);
	ohttp_send_json(req, 200, out);
	json_decref(out);
	oconsents_list_free(all, nall);
}

struct revoke {
	const char	*subject;
	const char	*client;	/* NULL: all */
	const char	*sid;
	int		 login;		/* login sessions, not consents */
	json_t		*notify;	/* the ended session, for back-channel */
};

static int
revoke_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct revoke	*r = arg;

	if (r->login) {
		/* Headless logout by sid also tells the clients. */
		json_decref(r->notify);
		r->notify = r->sid != NULL ? ologout_session(t, r->sid, NULL) :
		    NULL;
		if (!oflow_session_delete(t, r->sid, r->subject))
			goto fail;
		return 1;
	}
	if (!olife_consent_revoke(t, r->subject, r->client, NULL))
		goto fail;
	return 1;
fail:
	oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
	return 0;
}

/* DELETE /oauth2/auth/sessions/consent */
static void
revoke_consent(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*q;
	struct revoke		 r;
	const char		*all;

	oerr_clear(&err);
	memset(&r, 0, sizeof(r));
	if ((q = ohttp_query(req, &err)) == NULL ||
	    (r.subject = need(q, "subject", &err)) == NULL)
		goto fail;
	r.client = oparams_get(q, "client");
	all = oparams_get(q, "all");
	if ((r.client == NULL || *r.client == '\0') &&
	    (all == NULL || strcmp(all, "true") != 0)) {
		oerr_set(&err, OERR_INVALID_REQUEST, "Name the 'client' whose "
		    "consents to revoke, or set 'all=true'.");
		goto fail;
	}
	if (r.client != NULL && *r.client == '\0')
		r.client = NULL;
	if (!ostore_write(revoke_fn, &r, &err))
		goto fail;
	ohttp_send(req, 204, NULL, NULL, 0);
	return;
fail:
	ohttp_send_error(req, &err);
}

/* DELETE /oauth2/auth/sessions/login */
static void
revoke_login(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*q;
	struct revoke		 r;

	oerr_clear(&err);
	memset(&r, 0, sizeof(r));
	r.login = 1;
	if ((q = ohttp_query(req, &err)) == NULL)
		goto fail;
	r.subject = oparams_get(q, "subject");
	r.sid = oparams_get(q, "sid");
	if ((r.subject == NULL || *r.subject == '\0') &&
	    (r.sid == NULL || *r.sid == '\0')) {
		oerr_set(&err, OERR_INVALID_REQUEST, "The query parameter "
		    "'subject' or 'sid' is required.");
		goto fail;
	}
	if (r.sid != NULL && *r.sid == '\0')
		r.sid = NULL;
	if (!ostore_write(revoke_fn, &r, &err)) {
		json_decref(r.notify);
		goto fail;
	}
	/* After the commit, never inside a transaction. */
	if (r.notify != NULL)
		ologout_backchannel(r.notify);
	json_decref(r.notify);
	ohttp_send(req, 204, NULL, NULL, 0);
	return;
fail:
	ohttp_send_error(req, &err);
}

static const struct oroute routes[] = {
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/oauth2/auth/sessions/consent",
	    list_consent },
	{ OHTTP_M(DELETE), OLISTEN_ADMIN, "/oauth2/auth/sessions/consent",
	    revoke_consent },
	{ OHTTP_M(DELETE), OLISTEN_ADMIN, "/oauth2/auth/sessions/login",
	    revoke_login },
};
const struct oroute_table sessions_table = OROUTE_TABLE(routes);
