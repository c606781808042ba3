/*
 * flow.c: sealed flow state, cookies, the flows table's marks and the
 * ending of login sessions (see flow.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/json.h"
#include "base/url.h"
#include "base/util.h"
#include "store/store.h"
#include "records/flow.h"
#include "records/sessions.h"

#define SEALED_MAX	(32 * 1024)	/* bytes of a sealed state */
#define KEY_MAX		600

static const char *const purposes[OFLOW__MAX] = {
	"login",		/* OFLOW_LOGIN */
	"login_verifier",	/* OFLOW_LOGIN_VERIFIER */
	"consent",		/* OFLOW_CONSENT */
	"consent_verifier",	/* OFLOW_CONSENT_VERIFIER */
	"logout",		/* OFLOW_LOGOUT */
	"logout_verifier",	/* OFLOW_LOGOUT_VERIFIER */
	"session_cookie",	/* OFLOW_SESSION_COOKIE */
	"csrf_cookie",		/* OFLOW_CSRF_COOKIE */
	"ended_session",	/* OFLOW_ENDED_SESSION */
	"device",		/* OFLOW_DEVICE */
	"device_verifier",	/* OFLOW_DEVICE_VERIFIER */
	"code",			/* OFLOW_CODE */
	"revoked_grant",	/* OFLOW_REVOKED_GRANT */
};

/* The configured app a challenge of purpose p is sent to, or NULL. */
static const char *
app_url(enum oflow_purpose p)
{
	if (oconf == NULL)
		return NULL;
	switch (p) {
	case OFLOW_LOGIN:
		return oconf->url_login;
	case OFLOW_CONSENT:
		return oconf->url_consent;
	case OFLOW_LOGOUT:
		return oconf->url_logout;
	default:
		return NULL;
	}
}

/* The sealing key from system secret i. */
static int
flow_key(size_t i, unsigned char key[OCRYPTO_AEAD_KEY_LEN])
{
	if (oconf == NULL || i >= oconf->nsecrets)
		return 0;
	return ocrypto_hkdf(oconf->secrets[i], strlen(oconf->secrets[i]),
	    NULL, 0, "oidcgi flow", key, OCRYPTO_AEAD_KEY_LEN);
}

char *
oflow_seal(enum oflow_purpose p, const json_t *state)
{
	unsigned char	 key[OCRYPTO_AEAD_KEY_LEN], *ct;
	char		*pt, *out;
	size_t		 ptlen, ctlen, olen;
	json_t		*copy = NULL;

	/* A challenge names the app it is sent to (oflow_for_bundled_app). */
	if (app_url(p) != NULL && json_object_get(state, "app") == NULL) {
		copy = json_copy((json_t *)state);
		json_object_set_new(copy, "app", json_string(app_url(p)));
		state = copy;
	}
	pt = json_dumps(state, JSON_COMPACT);
	json_decref(copy);
	ptlen = strlen(pt);
	ct = oxmalloc(ptlen + OCRYPTO_AEAD_OVERHEAD);
	out = oxmalloc(ocrypto_b64url_len(ptlen + OCRYPTO_AEAD_OVERHEAD) + 1);
	if (!flow_key(0, key) || !ocrypto_seal(key, purposes[p],
	    strlen(purposes[p]), pt, ptlen, ct, ptlen + OCRYPTO_AEAD_OVERHEAD,
	    &ctlen) || !ocrypto_b64url_encode(out, ocrypto_b64url_len(ctlen) +
	    1, &olen, ct, ctlen))
		abort();
	ocrypto_wipe(key, sizeof(key));
	ocrypto_wipe(pt, ptlen);
	free(pt);
	free(ct);
	return out;
}

json_t *
oflow_unseal(enum oflow_purpose p, const char *sealed)
{
	unsigned char	 key[OCRYPTO_AEAD_KEY_LEN], *ct = NULL, *pt = NULL;
	size_t		 len, ctlen, ptlen = 0, i;
	json_t		*state = NULL;
	int		 opened = 0;

	if (sealed == NULL || (len = strlen(sealed)) == 0 ||
	    len > SEALED_MAX)
		return NULL;
	ct = oxmalloc(len);
	pt = oxmalloc(len);
	if (ocrypto_b64url_decode(ct, len, &ctlen, sealed, len)) {
		for (i = 0; !opened && oconf != NULL && i < oconf->nsecrets;
		    i++)
			opened = flow_key(i, key) && ocrypto_open(key,
			    purposes[p], strlen(purposes[p]), ct, ctlen, pt,
			    len, &ptlen);
		ocrypto_wipe(key, sizeof(key));
	}
	if (opened)
		state = json_loadb((char *)pt, ptlen, 0, NULL);
	ocrypto_wipe(pt, len);
	free(ct);
	free(pt);
	return state;
}

json_t *
oflow_open(enum oflow_purpose p, const char *sealed, struct oerr *err)
{
	json_t		*state, *exp;

	if ((state = oflow_unseal(p, sealed)) == NULL) {
		oerr_set(err, OERR_NOT_FOUND, "The %s is not one this server "
		    "issued.", purposes[p]);
		return NULL;
	}
	exp = json_object_get(state, "exp");
	if (!json_is_integer(exp) || json_integer_value(exp) <= onow()) {
		json_decref(state);
		oerr_set(err, OERR_NOT_FOUND, "The %s has expired.",
		    purposes[p]);
		return NULL;
	}
	return state;
}

/* The "flows" key of (purpose, id): SHA-256 of "purpose NUL id". */
static void
used_key(enum oflow_purpose p, const char *id,
    unsigned char key[OCRYPTO_SHA256_LEN])
{
	char	 buf[512];
	int	 n;

	n = snprintf(buf, sizeof(buf), "%s%c%s", purposes[p], '\0', id);
	ocrypto_sha256(buf, n > 0 && (size_t)n < sizeof(buf) ? (size_t)n :
	    sizeof(buf) - 1, key);
}

void
oflow_mark_free(struct oflow_mark *m)
{
	free(m->redirect_to);
	memset(m, 0, sizeof(*m));
}

enum ostore_rc
oflow_use(struct ostore_txn *t, enum oflow_purpose p, const char *id,
    int64_t exp, const char *redirect_to)
{
	unsigned char	 key[OCRYPTO_SHA256_LEN];
	json_t		*r;
	char		*buf;
	enum ostore_rc	 rc;

	used_key(p, id, key);
	r = json_object();
	if (redirect_to != NULL)
		json_object_set_new(r, "redirect_to", json_string(redirect_to));
	json_object_set_new(r, "exp", json_integer(exp));
	buf = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	rc = ostore_put(t, OSTORE_FLOWS, key, sizeof(key), buf, strlen(buf),
	    OSTORE_NOOVERWRITE);
	free(buf);
	if (rc == OSTORE_OK)
		rc = ostore_expiry_put(t, OSTORE_FLOWS, key, sizeof(key), exp);
	return rc;
}

int
oflow_used(struct ostore_txn *t, enum oflow_purpose p, const char *id,
    struct oflow_mark *m)
{
	unsigned char	 key[OCRYPTO_SHA256_LEN];
	const void	*v;
	size_t		 vl;
	json_t		*j, *rt;

	if (m != NULL)
		memset(m, 0, sizeof(*m));
	used_key(p, id, key);
	if (ostore_get(t, OSTORE_FLOWS, key, sizeof(key), &v, &vl) !=
	    OSTORE_OK || (j = json_loadb(v, vl, 0, NULL)) == NULL)
		return 0;
	if (m != NULL) {
		m->exp = ojson_int(j, "exp");
		if (json_is_string(rt = json_object_get(j, "redirect_to")))
			m->redirect_to = oxstrdup(json_string_value(rt));
	}
	json_decref(j);
	return 1;
}

int
oflow_for_bundled_app(enum oflow_purpose p, const json_t *st)
{
	const char	*app, *page;
	size_t		 il, pl, al;

	switch (p) {
	case OFLOW_LOGIN:
		page = "ui/login";
		break;
	case OFLOW_CONSENT:
		page = "ui/consent";
		break;
	case OFLOW_LOGOUT:
		page = "ui/logout";
		break;
	default:
		return 0;
	}
	if ((app = json_string_value(json_object_get(st, "app"))) == NULL)
		app = app_url(p);
	if (app == NULL || oconf == NULL)
		return 0;
	il = strlen(oconf->issuer);
	pl = strlen(page);
	al = strcspn(app, "?#");
	return al == il + pl && strncmp(app, oconf->issuer, il) == 0 &&
	    strncmp(app + il, page, pl) == 0;
}

int
oflow_session_ended(struct ostore_txn *t, const char *sid)
{
	return sid != NULL && *sid != '\0' &&
	    oflow_used(t, OFLOW_ENDED_SESSION, sid, NULL);
}

/* Mark the login session sid ended (see oflow_session_ended). */
static int
session_end(struct ostore_txn *t, const char *sid, size_t sidlen)
{
	char		 id[KEY_MAX];
	enum ostore_rc	 rc;

	if (sidlen == 0 || sidlen >= sizeof(id))
		return 1;
	memcpy(id, sid, sidlen);
	id[sidlen] = '\0';
	rc = oflow_use(t, OFLOW_ENDED_SESSION, id, onow() +
	    OFLOW_ENDED_TTL(oconf != NULL ? oconf->ttl_login_consent : 3600,
	    oconf != NULL ? oconf->ttl_auth_code : 600), NULL);
	return rc == OSTORE_OK || rc == OSTORE_EXISTS;
}

int
oflow_session_put(struct ostore_txn *t, const struct osessions_rec *s,
    struct oerr *err)
{
	if (s->sid != NULL && oflow_session_ended(t, s->sid)) {
		oerr_set(err, OERR_ACCESS_DENIED, "The login session has been "
		    "logged out; sign in again.");
		oerr_status(err, 400);
		return 0;
	}
	return osessions_put(t, s, err);
}

int
oflow_session_delete(struct ostore_txn *t, const char *sid,
    const char *subject)
{
	char		**sids;
	size_t		  n, i;
	int		  ok;

	if (sid != NULL)
		return session_end(t, sid, strlen(sid)) &&
		    osessions_del(t, sid, strlen(sid), NULL);
	if (!osessions_of_subject(t, subject, &sids, &n))
		return 0;
	for (i = 0, ok = 1; ok && i < n; i++)
		ok = session_end(t, sids[i], strlen(sids[i])) &&
		    osessions_del(t, sids[i], strlen(sids[i]), subject);
	osessions_sids_free(sids, n);
	return ok;
}

int
oflow_expire(struct ostore_txn *t, enum ostore_db db, const void *key,
    size_t keylen)
{
	switch (db) {
	case OSTORE_SESSIONS:
		return osessions_del(t, key, keylen, NULL);
	case OSTORE_FLOWS:
		return ostore_del(t, db, key, keylen) != OSTORE_ERR;
	default:
		return 1;
	}
}
