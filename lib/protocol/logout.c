/*
 * logout.c: back- and front-channel logout notifications (see logout.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/crypto.h"
#include "base/curl.h"
#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "base/util.h"
#include "jose/jose.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/consents.h"
#include "records/flow.h"
#include "records/keys.h"
#include "records/sessions.h"
#include "records/tokens.h"
#include "records/subject.h"
#include "protocol/logout.h"

/* Append the string v to the array a unless it is there already. */
static void
add_unique(json_t *a, const char *v)
{
	json_t	*e;
	size_t	 i;

	if (v == NULL || *v == '\0')
		return;
	json_array_foreach(a, i, e)
		if (strcmp(json_string_value(e), v) == 0)
			return;
	json_array_append_new(a, json_string(v));
}

json_t *
ologout_session(struct ostore_txn *t, const char *sid, const char *subject)
{
	struct osessions_rec	 s;
	struct oconsent		*all;
	struct oerr		 e;
	size_t			 i, n;
	json_t			*out, *clients;

	if (sid == NULL || *sid == '\0')
		return NULL;
	out = json_pack("{s:s,s:[]}", "sid", sid, "clients");
	clients = json_object_get(out, "clients");
	oerr_clear(&e);
	if (osessions_get(t, sid, &s, &e)) {
		if (*s.sub != '\0')
			subject = s.sub;
		for (i = 0; i < s.nclients; i++)
			add_unique(clients, s.clients[i]);
	}
	if (subject != NULL && *subject != '\0') {
		json_object_set_new(out, "sub", json_string(subject));
		/* Every client that got a grant under this login session. */
		if (oconsents_list(t, subject, NULL, &all, &n, &e)) {
			for (i = 0; i < n; i++)
				if (strcmp(all[i].sid, sid) == 0)
					add_unique(clients, all[i].client_id);
			oconsents_list_free(all, n);
		}
	}
	osessions_free(&s);
	return out;
}

int
ologout_revoke_tokens(struct ostore_txn *t, const char *sid)
{
	if (oconf == NULL || !oconf->logout_revoke || sid == NULL ||
	    *sid == '\0')
		return 1;
	return otoken_revoke_sid(t, sid);
}

int
ologout_end_sessions(struct ostore_txn *t, const char *sid,
    const char *subject, json_t **notify, struct oerr *err)
{
	char		**sids = NULL;
	size_t		  i, n = 0;
	int		  ok = 0;

	json_decref(*notify);
	*notify = NULL;
	if (sid != NULL) {
		/*
		 * A headless logout tells the clients.  A sid that names no
		 * remembered session is no error (Hydra's
		 * HandleHeadlessLogout): no client to tell, but its flows
		 * and tokens end all the same.
		 */
		*notify = ologout_session(t, sid, NULL);
		if (!oflow_session_delete(t, sid, NULL) ||
		    !ologout_revoke_tokens(t, sid))
			goto fail;
		return 1;
	}
	/* By subject: every session, without notifications (Hydra). */
	if (!osessions_of_subject(t, subject, &sids, &n))
		goto fail;
	for (i = 0; i < n; i++)
		if (!ologout_revoke_tokens(t, sids[i]))
			goto fail;
	if (!oflow_session_delete(t, NULL, subject))
		goto fail;
	ok = 1;
	goto out;
fail:
	oerr_set(err, OERR_SERVER_ERROR, "The login session could not be "
	    "ended.");
out:
	osessions_sids_free(sids, n);
	return ok;
}

/*
 * A logout token for client about session (Back-Channel
 * Logout 1.0 §2.4), signed with key.  Returns a new string
 * (ojose_free()), or NULL with err set.
 */
static char *
logout_token(const struct ojwk *key, const struct oclient *client,
    const json_t *session, struct oerr *err)
{
	json_t		*claims, *hdr;
	char		 jti[37], *payload, *jws;
	int64_t		 now = onow();

	ocrypto_uuid4(jti);
	claims = json_pack("{s:s,s:[s],s:I,s:I,s:s,s:s,s:{s:{}}}",
	    "iss", oconf->issuer,
	    "aud", client->id,
	    "iat", (json_int_t)now,
	    "exp", (json_int_t)(now + OLOGOUT_TTL),
	    "jti", jti,
	    "sid", ojson_str(session, "sid"),
	    "events", OLOGOUT_EVENT);
	/*
	 * §2.4 wants sub or sid, or both; Hydra sends only sid.  A client
	 * with pairwise subjects never saw the login subject, so it gets
	 * only the sid.
	 */
	if (*ojson_str(session, "sub") != '\0' &&
	    client->subject_type != OCLIENT_SUB_PAIRWISE)
		json_object_set(claims, "sub", json_object_get(session, "sub"));
	hdr = json_pack("{s:s}", "typ", "logout+jwt");
	payload = json_dumps(claims, JSON_COMPACT);
	jws = ojws_sign(key, NULL, hdr, payload, strlen(payload), err);
	free(payload);
	json_decref(hdr);
	json_decref(claims);
	return jws;
}

struct post {
	CURL		*h;
	char		*client_id;	/* for the log */
	int		 done;
};

/* libcurl, once the first back-channel logout is sent (curl.h). */
static const struct ocurl	*cu;

/* libcurl write callback: the answer's body is of no interest. */
static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	return size * n;
}

/* Milliseconds of a monotonic clock. */
static long long
mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A POST of body to uri, not yet started.  NULL (logged) when libcurl
 * refuses.  The body is copied.
 */
static CURL *
post_new(const char *uri, const char *body, struct curl_slist *hdrs,
    struct post *p)
{
	CURL	*h;

	if ((h = cu->easy_init()) == NULL) {
		olog_err("curl_easy_init");
		return NULL;
	}
	if (cu->easy_setopt(h, CURLOPT_URL, uri) != CURLE_OK ||
#if LIBCURL_VERSION_NUM >= 0x075500
	    cu->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK ||
#else
	    cu->easy_setopt(h, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) != CURLE_OK ||
#endif
	    cu->easy_setopt(h, CURLOPT_COPYPOSTFIELDS, body) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)OLOGOUT_TIMEOUT_MS) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_TIMEOUT_MS,
	    (long)OLOGOUT_TIMEOUT_MS) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_USERAGENT,
	    "oidcgi/" OIDCGI_VERSION) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_WRITEFUNCTION, discard) != CURLE_OK ||
	    cu->easy_setopt(h, CURLOPT_PRIVATE, p) != CURLE_OK) {
		olog_err("curl_easy_setopt");
		cu->easy_cleanup(h);
		return NULL;
	}
	return h;
}

/*
 * Run the prepared POSTs in parallel until each has finished or timed
 * out, and log the failures.
 */
static void
run_posts(struct post *posts, size_t n)
{
	CURLM		*m;
	CURLMsg		*msg;
	CURLMcode	 mc;
	struct post	*p;
	char		*pp;
	long		 code;
	long long	 deadline;
	size_t		 i;
	int		 running = 0, left;

	if ((m = cu->multi_init()) == NULL) {
		olog_err("curl_multi_init");
		return;
	}
	for (i = 0; i < n; i++)
		if (cu->multi_add_handle(m, posts[i].h) != CURLM_OK) {
			olog_err("curl_multi_add_handle");
			posts[i].done = 1;
		}
	/* Each transfer has its own timeout; this only bounds the loop. */
	deadline = mono_ms() + OLOGOUT_TIMEOUT_MS + 500;
	do {
		if ((mc = cu->multi_perform(m, &running)) != CURLM_OK) {
			olog_err("curl_multi_perform: %s",
			    cu->multi_strerror(mc));
			break;
		}
		while ((msg = cu->multi_info_read(m, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			pp = NULL;
			cu->easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    &pp);
			if ((p = (struct post *)(void *)pp) == NULL)
				continue;
			p->done = 1;
			code = 0;
			if (msg->data.result != CURLE_OK)
				olog_warn("back-channel logout of client "
				    "%.64s failed: %s", p->client_id,
				    cu->easy_strerror(msg->data.result));
			else if (cu->easy_getinfo(p->h,
			    CURLINFO_RESPONSE_CODE, &code) != CURLE_OK ||
			    (code != 200 && code != 204))
				olog_warn("back-channel logout of client "
				    "%.64s failed: HTTP status %ld",
				    p->client_id, code);
		}
		if (running == 0)
			break;
		cu->multi_poll(m, NULL, 0, 100, NULL);
	} while (mono_ms() < deadline);
	for (i = 0; i < n; i++) {
		if (!posts[i].done)
			olog_warn("back-channel logout of client %.64s failed: "
			    "no answer in time", posts[i].client_id);
		cu->multi_remove_handle(m, posts[i].h);
	}
	cu->multi_cleanup(m);
}

void
ologout_backchannel(const json_t *session)
{
	struct oerr		 err;
	struct post		*posts;
	struct curl_slist	*hdrs = NULL;
	const struct ojwk	*key;
	const struct oclient	*c;
	const char		*cid, *uri;
	json_t			*clients, *e;
	char			*tok, *body;
	size_t			 i, n = 0, blen;

	clients = json_object_get(session, "clients");
	if (json_array_size(clients) == 0)
		return;
	if ((cu = ocurl()) == NULL)
		return;
	/* No "Expect: 100-continue" wait for a body over 1 kB. */
	hdrs = cu->slist_append(NULL, "Expect:");
	posts = oxcalloc(json_array_size(clients), sizeof(*posts));
	json_array_foreach(clients, i, e) {
		oerr_clear(&err);
		cid = json_string_value(e);
		if (cid == NULL || (c = oclient_fetch(cid, &err)) == NULL)
			continue;
		uri = c->backchannel_logout_uri;
		tok = NULL;
		if (*uri == '\0')
			;
		else if ((key = okeys_signer(OKEYS_ID_TOKEN, &err)) == NULL ||
		    (tok = logout_token(key, c, session, &err)) == NULL)
			olog_err("back-channel logout of client %.64s: %s", cid,
			    err.description);
		else {
			blen = strlen(tok) + sizeof("logout_token=");
			body = oxmalloc(blen);
			/* A JWS is base64url and dots: nothing to encode. */
			snprintf(body, blen, "logout_token=%s", tok);
			if ((posts[n].h = post_new(uri, body, hdrs,
			    &posts[n])) != NULL)
				posts[n++].client_id = oxstrdup(cid);
			ocrypto_wipe(body, blen);
			free(body);
		}
		ojose_free(tok);
		oclient_release(c);
	}
	if (n > 0)
		run_posts(posts, n);
	for (i = 0; i < n; i++) {
		cu->easy_cleanup(posts[i].h);
		free(posts[i].client_id);
	}
	free(posts);
	cu->slist_free_all(hdrs);
}

/* s percent-encoded for a query (RFC 3986 unreserved kept); a new string. */
static char *
qenc(const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			*out, *o;

	out = o = oxmalloc(strlen(s) * 3 + 1);

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			*o++ = (char)c;
		else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

json_t *
ologout_frontchannel(const json_t *session)
{
	const struct oclient *c;
	struct oerr	 err;
	json_t		*out = json_array(), *e;
	const char	*uri;
	char		*iss, *sid;
	size_t		 i;

	json_array_foreach(json_object_get(session, "clients"), i, e) {
		oerr_clear(&err);
		if (!json_is_string(e) ||
		    (c = oclient_fetch(json_string_value(e), &err)) == NULL)
			continue;
		uri = c->frontchannel_logout_uri;
		if (*uri == '\0')
			;
		else if (c->frontchannel_session_required) {
			iss = qenc(oconf->issuer);
			sid = qenc(ojson_str(session, "sid"));
			json_array_append_new(out, json_sprintf("%s%siss=%s&"
			    "sid=%s", uri, strchr(uri, '?') != NULL ? "&" : "?",
			    iss, sid));
			free(iss);
			free(sid);
		} else
			json_array_append_new(out, json_string(uri));
		oclient_release(c);
	}
	return out;
}

char *
ologout_redirect(struct oarena *a, const char *uri, const char *state)
{
	size_t	 n;

	if (uri == NULL || *uri == '\0')
		return oarena_strdup(a, oconf->url_post_logout);
	if (state == NULL || *state == '\0')
		return oarena_strdup(a, uri);
	n = strlen(uri);
	return oarena_printf(a, "%s%sstate=%s", uri,
	    strchr(uri, '?') == NULL ? "?" : uri[n - 1] == '?' ||
	    uri[n - 1] == '&' ? "" : "&", oform_encode(a, state));
}

/* Parameters (RP-Initiated Logout 1.0 §2; at most once each). */
static const struct ofield fields[] = {
	{ "id_token_hint", 8192, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "client_id", 255, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "post_logout_redirect_uri", 2048, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "state", 2048, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "logout_hint", 1024, OFIELD_ANY, OFIELD_ONCE },
	{ "ui_locales", 256, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "logout_verifier", 32768, OFIELD_VSCHAR, OFIELD_ONCE },
};

/* A parameter's value, NULL when absent or empty. */
static const char *
param(const struct oparams *p, const char *name)
{
	const char	*v = oparams_get(p, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* The claims of an ID token we issued (signature only), or NULL. */
static json_t *
verified_claims(const char *hint)
{
	const struct ojwks	*keys;
	struct ojws		*jws;
	json_t			*claims = NULL;
	struct oerr		 e;

	oerr_clear(&e);
	if ((keys = okeys_verifiers(OKEYS_ID_TOKEN, &e)) != NULL &&
	    (jws = ojws_verify(hint, strlen(hint), keys->keys, keys->nkeys,
	    NULL, &e)) != NULL) {
		claims = ojwt_claims(jws, &e);
		ojws_free(jws);
	}
	return claims;
}

/*
 * The claims of an id_token_hint: an ID token we issued, signature
 * checked with the ID-token keys, iss ours, iat not in the future; an
 * expired one is accepted (RP-Initiated Logout 1.0 §2).  *cid is the
 * client: when given (client_id) it must be an audience (§2: "MUST
 * verify"); else azp, else the (first) audience.  Returns a new
 * reference (*cid may borrow from it), or NULL with err set.
 */
static json_t *
hint_claims(const char *hint, const char **cid, struct oerr *err)
{
	json_t		*claims, *aud, *copy;
	struct oerr	 e;

	if ((claims = verified_claims(hint)) == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST, "The id_token_hint is not "
		    "an ID token this server issued.");
		return NULL;
	}
	aud = json_object_get(claims, "aud");
	if (*cid != NULL) {
		if (!ojson_has(aud, *cid)) {
			oerr_set(err, OERR_INVALID_REQUEST, "The client_id is "
			    "not the audience of the id_token_hint.");
			goto bad;
		}
	} else if (json_is_string(json_object_get(claims, "azp")))
		*cid = ojson_str(claims, "azp");
	else if (json_is_string(aud))
		*cid = json_string_value(aud);
	else
		*cid = json_string_value(json_array_get(aud, 0));
	if (*cid == NULL || **cid == '\0' || !ojson_has(aud, *cid)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The id_token_hint names "
		    "no client in its audience.");
		goto bad;
	}
	/* Everything but exp. */
	copy = json_copy(claims);
	json_object_del(copy, "exp");
	oerr_clear(&e);
	if (!ojwt_check(copy, oconf->issuer, *cid, onow(), 60, 0, &e)) {
		json_decref(copy);
		oerr_set(err, OERR_INVALID_REQUEST, "The id_token_hint is not "
		    "valid: %s", e.description);
		goto bad;
	}
	json_decref(copy);
	return claims;
bad:
	*cid = NULL;
	json_decref(claims);
	return NULL;
}

void
ologout_req_free(struct ologout_req *r)
{
	json_decref(r->claims);
	oclient_release(r->client);
	memset(r, 0, sizeof(*r));
}

int
ologout_validate(const struct oparams *p, struct ologout_req *r,
    struct oerr *err)
{
	struct oerr	 e;

	memset(r, 0, sizeof(*r));
	if (!oform_check(p, fields, sizeof(fields) / sizeof(fields[0]), err))
		return 0;
	r->hint = param(p, "id_token_hint");
	r->client_id = param(p, "client_id");
	r->uri = param(p, "post_logout_redirect_uri");
	r->state = param(p, "state");
	if (r->hint != NULL) {
		if ((r->claims = hint_claims(r->hint, &r->client_id, err)) ==
		    NULL)
			return 0;
		r->hint_sid = json_string_value(json_object_get(r->claims,
		    "sid"));
		r->hint_sub = json_string_value(json_object_get(r->claims,
		    "sub"));
	} else if (r->client_id == NULL && (r->uri != NULL ||
	    r->state != NULL)) {
		/* Hydra: "... is set but id_token_hint is missing". */
		oerr_set(err, OERR_INVALID_REQUEST, "Logout failed because "
		    "the parameter '%s' is set but neither id_token_hint nor "
		    "client_id is.", r->uri != NULL ?
		    "post_logout_redirect_uri" : "state");
		return 0;
	}
	oerr_clear(&e);
	if (r->client_id != NULL &&
	    (r->client = oclient_fetch(r->client_id, &e)) == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST, "The client '%.64s' does "
		    "not exist.", r->client_id);
		return 0;
	}
	if (r->uri != NULL && (r->client == NULL ||
	    !oclient_post_logout_ok(r->client, r->uri))) {
		oerr_set(err, OERR_INVALID_REQUEST, "Logout failed because "
		    "the post_logout_redirect_uri is not one the client "
		    "registered.");
		return 0;
	}
	return 1;
}

/*
 * 1 if the hint's sub is the session's subject as the client saw it:
 * raw, or pairwise (records/subject.h), as Hydra matches either.
 */
static int
hint_sub_is(const struct ologout_req *r, const char *sub)
{
	char	*seen;
	int	 same;

	if (r->hint_sub == NULL)
		return 0;
	if (strcmp(sub, r->hint_sub) == 0)
		return 1;
	if ((seen = osubject_of(r->client, sub, NULL)) == NULL)
		return 0;
	same = strcmp(seen, r->hint_sub) == 0;
	free(seen);
	return same;
}

const struct osessions_rec *
ologout_pick(const struct ologout_req *r, const struct osessions_rec *cs,
    const struct osessions_rec *hs)
{
	if (cs != NULL && (r->hint == NULL || (r->hint_sid != NULL &&
	    strcmp(cs->sid, r->hint_sid) == 0) || hint_sub_is(r, cs->sub)))
		return cs;
	return hs;
}

char *
ologout_challenge(const struct ologout_req *r,
    const struct osessions_rec *session, int browser,
    const char *request_url, char csrf[44])
{
	struct ofstate_logout	 st;
	char			 id[37];
	int64_t			 now = onow();

	ocrypto_uuid4(id);
	ocrypto_token(csrf, 44, 32);
	/*
	 * rp_initiated only with a hint: a client_id alone proves nothing,
	 * and a logout app may skip its confirmation for RP-initiated
	 * logouts.  browser_session: the session is this browser's own,
	 * not only the id_token_hint's: a logout page must not name
	 * another browser's user.
	 */
	/* Borrowed members only: st is sealed, never freed. */
	memset(&st, 0, sizeof(st));
	st.id = id;
	st.exp = now + oconf->ttl_login_consent;
	st.requested_at = now;
	st.csrf = csrf;
	st.subject = session->sub;
	st.sid = session->sid;
	st.client_id = (char *)r->client_id;
	st.post_logout_redirect_uri = (char *)r->uri;
	st.state = (char *)r->state;
	st.rp_initiated = r->hint != NULL;
	st.request_url = (char *)request_url;
	st.browser_session = browser;
	return ofstate_logout_seal(OFLOW_LOGOUT, &st);
}

struct finish {
	const struct ofstate_logout *state;
	const char		*cookie_sid;
	struct ologout_done	*d;
};

/*
 * Write function of the verifier: spend it, note whom to notify, end
 * the login session.  Runs again from the start if the map grows.
 */
static int
finish_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct finish		*f = arg;
	struct ologout_done	*d = f->d;
	struct osessions_rec	 cookie;
	struct oerr		 e;
	const char		*sid = f->state->sid;

	memset(&cookie, 0, sizeof(cookie));
	json_decref(d->session);
	d->session = NULL;
	d->used = d->clear = 0;
	switch (oflow_use(t, OFLOW_LOGOUT_VERIFIER, f->state->id,
	    f->state->exp, NULL)) {
	case OSTORE_OK:
		break;
	case OSTORE_EXISTS:
		d->used = 1;
		return 1;
	default:
		oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
		return 0;
	}
	d->session = ologout_session(t, sid, f->state->subject);
	/* The browser's cookie goes with its session (or a dead one). */
	oerr_clear(&e);
	d->clear = f->cookie_sid == NULL ||
	    !osessions_live(t, f->cookie_sid, &cookie, &e) ||
	    strcmp(f->cookie_sid, sid) == 0;
	osessions_free(&cookie);
	if (!oflow_session_delete(t, sid, NULL) ||
	    !ologout_revoke_tokens(t, sid)) {
		oerr_set(err, OERR_SERVER_ERROR, "The login session could not "
		    "be deleted.");
		return 0;
	}
	return 1;
}

int
ologout_finish(const struct ofstate_logout *state, const char *cookie_sid,
    struct ologout_done *d, struct oerr *err)
{
	struct finish	 f;

	memset(d, 0, sizeof(*d));
	f.state = state;
	f.cookie_sid = cookie_sid;
	f.d = d;
	return ostore_write(finish_fn, &f, err);
}

char *
ologout_target(struct oarena *a, const struct ofstate_logout *state)
{
	const char	*cid = state->client_id;
	const char	*uri = state->post_logout_redirect_uri;
	const struct oclient *client = NULL;
	struct oerr	 e;

	/* The redirect must still be registered. */
	oerr_clear(&e);
	if (*uri != '\0' && (*cid == '\0' ||
	    (client = oclient_fetch(cid, &e)) == NULL ||
	    !oclient_post_logout_ok(client, uri)))
		uri = NULL;
	oclient_release(client);
	return ologout_redirect(a, uri, state->state);
}

void
ologout_outcome_free(struct ologout_outcome *o)
{
	free(o->challenge);
	json_decref(o->frontchannel);
	memset(o, 0, sizeof(*o));
}

/* An error page for o->err.  Returns 0. */
static int
show(struct ologout_outcome *o)
{
	o->answer = OLOGOUT_SHOW_ERROR;
	return 0;
}

int
ologout_begin(struct oarena *arena, const struct oparams *p,
    const char *cookie_sid, const char *request_url,
    struct ologout_outcome *o)
{
	struct ostore_txn		*t;
	struct ologout_req		 r;
	struct osessions_rec		 hs, cs;
	const struct osessions_rec	*session;
	struct oerr			 e;
	int				 have = 0, hint = 0, ok = 0;

	memset(o, 0, sizeof(*o));
	memset(&hs, 0, sizeof(hs));
	memset(&cs, 0, sizeof(cs));
	oerr_clear(&o->err);
	if (!ologout_validate(p, &r, &o->err)) {
		show(o);
		goto out;
	}
	o->target = ologout_redirect(arena, r.uri, r.state);
	if ((t = ostore_read_begin(NULL)) != NULL) {
		oerr_clear(&e);
		have = cookie_sid != NULL &&
		    osessions_live(t, cookie_sid, &cs, &e);
		/*
		 * The sid of a verified ID token is enough: it is random,
		 * and the token's sub may be a pairwise one that the
		 * session does not know.
		 */
		oerr_clear(&e);
		hint = r.hint_sid != NULL &&
		    osessions_live(t, r.hint_sid, &hs, &e);
		ostore_read_end(t);
	}
	if ((session = ologout_pick(&r, have ? &cs : NULL,
	    hint ? &hs : NULL)) == NULL) {
		o->answer = OLOGOUT_REDIRECT;
		o->forget = !have;
		ok = 1;
		goto out;
	}
	o->answer = OLOGOUT_TO_UI;
	o->challenge = ologout_challenge(&r, session, session == &cs,
	    request_url, o->csrf);
	o->csrf_client = oarena_strdup(arena, r.client_id != NULL ?
	    r.client_id : "");
	ok = 1;
out:
	ologout_req_free(&r);
	osessions_free(&hs);
	osessions_free(&cs);
	return ok;
}

int
ologout_end(struct oarena *arena, const char *verifier,
    const char *cookie_sid, ologout_csrf_fn csrf_ok, void *arg,
    struct ologout_outcome *o)
{
	struct ologout_done	 d;
	struct ofstate_logout	 st;
	const char		*cid;
	int			 ok = 0;

	memset(o, 0, sizeof(*o));
	memset(&d, 0, sizeof(d));
	oerr_clear(&o->err);
	if (!ofstate_logout_open(OFLOW_LOGOUT_VERIFIER, verifier, &st,
	    &o->err)) {
		ofstate_logout_free(&st);
		oerr_status(&o->err, 400);
		return show(o);
	}
	cid = st.client_id;
	if (!csrf_ok(arg, "logout", cid, st.csrf)) {
		oerr_set(&o->err, OERR_REQUEST_FORBIDDEN, "The logout "
		    "verifier came without this browser's CSRF cookie.");
		show(o);
		goto out;
	}
	if (!ologout_finish(&st, cookie_sid, &d, &o->err)) {
		show(o);
		goto out;
	}
	if (d.used) {
		oerr_set(&o->err, OERR_INVALID_REQUEST, "The logout verifier "
		    "has been used already.");
		show(o);
		goto out;
	}
	o->csrf_client = oarena_strdup(arena, cid);
	o->csrf_clear = 1;
	o->clear = d.clear;
	/* After the commit: a slow client delays, never undoes, logout. */
	ologout_backchannel(d.session);
	o->frontchannel = ologout_frontchannel(d.session);
	o->target = ologout_target(arena, &st);
	o->answer = json_array_size(o->frontchannel) > 0 ?
	    OLOGOUT_FRONTCHANNEL : OLOGOUT_REDIRECT;
	ok = 1;
out:
	json_decref(d.session);
	ofstate_logout_free(&st);
	return ok;
}
