/*
 * introspect.c: token introspection and housekeeping on the admin
 * listener (1.x paths at the root, 2.x under /admin).
 *
 *   POST   /oauth2/introspect          RFC 7662 §2, Hydra's answer
 *   POST   /oauth2/flush               Hydra 1.x: {"notAfter": RFC 3339},
 *                                      204
 *   DELETE /oauth2/tokens?client_id=   every token of a client, 204
 *
 * As in Hydra, the caller of introspection is not authenticated: the
 * admin listener (and secrets.admin, when set) is the fence.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "api.h"
#include "records/clients.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/form.h"
#include "web/http.h"
#include "base/json.h"
#include "store/store.h"
#include "records/tokens.h"
#include "base/util.h"
#include "records/lifecycle.h"

#define FLUSH_BATCH	4096	/* records deleted per write transaction */

static const struct ofield introspect_fields[] = {
	{ "token", 256 * 1024, OFIELD_VSCHAR, OFIELD_REQUIRED | OFIELD_ONCE },
	{ "token_type_hint", 64, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "scope", 4096, OFIELD_NQSCHAR, OFIELD_ONCE },
};

/*
 * 1 if every space-separated token of want is in the record's scope
 * (RFC 7662 §2.1: the scope the caller asks the token to have).
 */
static int
scope_has(const json_t *rec, const char *want)
{
	json_t		*have = json_object_get(rec, "scope"), *v;
	const char	*e;
	size_t		 i, n;
	int		 found;

	while (*want != '\0') {
		if (*want == ' ') {
			want++;
			continue;
		}
		for (e = want; *e != '\0' && *e != ' '; e++)
			continue;
		n = (size_t)(e - want);
		found = 0;
		json_array_foreach(have, i, v)
			if (json_string_length(v) == n &&
			    memcmp(json_string_value(v), want, n) == 0)
				found = 1;
		if (!found)
			return 0;
		want = e;
	}
	return 1;
}

/* The record's scope array as one space-separated string (arena). */
static const char *
scope_str(struct oreq *req, const json_t *rec)
{
	json_t		*v;
	size_t		 i;
	const char	*s = "";

	json_array_foreach(json_object_get(rec, "scope"), i, v)
		if (json_is_string(v))
			s = oarena_printf(&req->arena, "%s%s%s", s,
			    *s != '\0' ? " " : "", json_string_value(v));
	return s;
}

/*
 * The introspection answer for a live token record, in Hydra's shape
 * (hydra-behaviour.md 1.9): nbf is iat; exp is left out for a refresh
 * token that never expires; ext is the consent's session.access_token.
 */
static json_t *
answer(struct oreq *req, const json_t *rec, enum otoken_kind kind)
{
	json_t	*j, *ext, *aud;

	aud = json_object_get(rec, "aud");
	j = json_pack("{s:b,s:s,s:s,s:s}", "active", 1,
	    "scope", scope_str(req, rec),
	    "client_id", ojson_str(rec, "client_id"), "sub", ojson_str(rec, "sub"));
	if (json_integer_value(json_object_get(rec, "exp")) > 0)
		json_object_set(j, "exp", json_object_get(rec, "exp"));
	json_object_set(j, "iat", json_object_get(rec, "iat"));
	json_object_set(j, "nbf", json_object_get(rec, "iat"));
	json_object_set_new(j, "aud", json_is_array(aud) ?
	    json_deep_copy(aud) : json_array());
	json_object_set_new(j, "iss", json_string(oconf->issuer));
	json_object_set_new(j, "token_type", json_string("Bearer"));
	json_object_set_new(j, "token_use", json_string(kind ==
	    OTOKEN_REFRESH ? "refresh_token" : "access_token"));
	ext = json_object_get(json_object_get(rec, "session"),
	    "access_token");
	if (json_object_size(ext) > 0)
		json_object_set(j, "ext", ext);
	return j;
}

/* POST /oauth2/introspect (RFC 7662 §2.1, §2.2) */
static void
introspect(struct oreq *req)
{
	struct oerr		 err;
	struct ostore_txn	*t;
	const struct oparams	*p;
	const char		*want;
	enum otoken_kind	 kind;
	unsigned char		 id[OTOKEN_ID_LEN];
	json_t			*rec = NULL, *out = NULL;

	oerr_clear(&err);
	if ((p = ohttp_form(req, &err)) == NULL ||
	    !oform_check(p, introspect_fields, sizeof(introspect_fields) /
	    sizeof(introspect_fields[0]), &err)) {
		ohttp_send_error(req, &err);
		return;
	}
	want = oparams_get(p, "scope");
	/*
	 * Anything that is not a live access or refresh token this server
	 * issued is {"active": false} (RFC 7662 §2.2), codes included;
	 * token_type_hint changes nothing (the prefix tells the kind).
	 */
	if (otoken_identify(oparams_get(p, "token"), &kind, id)) {
		if ((t = ostore_read_begin(&err)) == NULL) {
			ohttp_send_error(req, &err);
			return;
		}
		rec = otoken_lookup(t, oparams_get(p, "token"), id);
		ostore_read_end(t);
		if (otoken_live(rec, kind, onow()) &&
		    (want == NULL || scope_has(rec, want)))
			out = answer(req, rec, kind);
	}
	if (out == NULL)
		out = json_pack("{s:b}", "active", 0);
	ohttp_send_json(req, 200, out);
	json_decref(out);
	json_decref(rec);
}

/*
 * Two decimal digits at s into *v.  Returns 1, or 0 if not digits.
 */
static int
digits(const char *s, size_t n, int *v)
{
	size_t	 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

/*
 * Parse an RFC 3339 date-time (§5.6: "2006-01-02T15:04:05Z", optional
 * fraction, 'Z' or a numeric offset; 't', 'z' and ' ' accepted as Go
 * does) into seconds since the epoch.  Returns 1, or 0 if malformed.
 */
static int
rfc3339(const char *s, int64_t *out)
{
	struct tm	 tm;
	int		 y, mo, d, h, mi, se, oh, om, sign;
	time_t		 t;
	size_t		 len = strlen(s), i = 19;

	if (len < 20 || !digits(s, 4, &y) || s[4] != '-' ||
	    !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' ||
	    !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &se))
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60)
		return 0;
	if (s[i] == '.') {
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			continue;
		if (s[i - 1] == '.')
			return 0;
	}
	if ((s[i] == 'Z' || s[i] == 'z') && s[i + 1] == '\0')
		oh = om = sign = 0;
	else if ((s[i] == '+' || s[i] == '-') && len - i == 6 &&
	    digits(s + i + 1, 2, &oh) && s[i + 3] == ':' &&
	    digits(s + i + 4, 2, &om) && oh <= 23 && om <= 59)
		sign = s[i] == '-' ? -1 : 1;
	else
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	if ((t = timegm(&tm)) == (time_t)-1)
		return 0;
	*out = (int64_t)t - sign * (oh * 3600 + om * 60);
	return 1;
}

/* One flush transaction: at most FLUSH_BATCH records. */
struct flush_op {
	int64_t	 not_after;
	size_t	 done;
};

static int
flush_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct flush_op	*op = arg;

	if (!olife_flush(t, op->not_after, FLUSH_BATCH, &op->done)) {
		oerr_set(err, OERR_SERVER_ERROR, "Expired records could not "
		    "be flushed.");
		return 0;
	}
	return 1;
}

/*
 * POST /oauth2/flush (Hydra 1.x FlushInactiveOAuth2Tokens): delete
 * what expired before notAfter (default now).  A notAfter in the
 * future counts as now: as in Hydra, a live token is never flushed.
 * Batches of FLUSH_BATCH, one write transaction each, so that other
 * writers are not held up.
 */
static void
flush(struct oreq *req)
{
	struct oerr		 err;
	struct flush_op		 op;
	const char		*body, *na = NULL;
	size_t			 len;
	json_t			*j = NULL;
	int64_t			 now = onow();

	oerr_clear(&err);
	op.not_after = now;
	if ((body = ohttp_body(req, &len, &err)) == NULL)
		goto fail;
	if (len > 0 && ((j = ohttp_json(req, 1, &err)) == NULL ||
	    !ojson_get_str(j, "notAfter", 64, 0, &na, &err)))
		goto fail;
	if (na != NULL && *na != '\0' && !rfc3339(na, &op.not_after)) {
		oerr_set(&err, OERR_INVALID_REQUEST, "The field 'notAfter' "
		    "must be an RFC 3339 date-time.");
		goto fail;
	}
	if (op.not_after > now)
		op.not_after = now;
	do {
		if (!ostore_write(flush_fn, &op, &err))
			goto fail;
	} while (op.done == FLUSH_BATCH);
	ohttp_send(req, 204, NULL, NULL, 0);
	goto out;
fail:
	ohttp_send_error(req, &err);
out:
	json_decref(j);
}

/*
 * Delete the client's stored tokens and void its stateless ones
 * (tokens.h), in one transaction.
 */
static int
revoke_client_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct oerr	 e;

	oerr_clear(&e);
	if (!otoken_revoke_client(t, arg) ||
	    (!oclient_void_tokens(t, arg, &e) && e.code != OERR_NOT_FOUND)) {
		oerr_set(err, OERR_SERVER_ERROR, "The tokens could not be "
		    "deleted.");
		return 0;
	}
	return 1;
}

/*
 * DELETE /oauth2/tokens?client_id= (Hydra's deleteOAuth2Token): every
 * code, access and refresh token of the client.  An unknown client has
 * none, which is no error.
 */
static void
delete_tokens(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*q;
	const char		*id;

	oerr_clear(&err);
	if ((q = ohttp_query(req, &err)) == NULL)
		goto fail;
	if ((id = oparams_get(q, "client_id")) == NULL || *id == '\0') {
		oerr_set(&err, OERR_INVALID_REQUEST, "The query parameter "
		    "'client_id' is required.");
		goto fail;
	}
	if (!ostore_write(revoke_client_fn, (void *)id, &err))
		goto fail;
	ohttp_send(req, 204, NULL, NULL, 0);
	return;
fail:
	ohttp_send_error(req, &err);
}

const struct oroute introspect_routes[] = {
	{ OHTTP_M(POST), OLISTEN_ADMIN, "/oauth2/introspect", introspect },
	{ OHTTP_M(POST), OLISTEN_ADMIN, "/oauth2/flush", flush },
	{ OHTTP_M(DELETE), OLISTEN_ADMIN, "/oauth2/tokens", delete_tokens },
};
const size_t introspect_nroutes = sizeof(introspect_routes) /
    sizeof(introspect_routes[0]);
