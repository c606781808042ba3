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

#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "base/util.h"
#include "protocol/grants.h"
#include "protocol/introspect.h"
#include "web/http.h"
#include "api.h"

static const struct ofield introspect_fields[] = {
	{ "token", 256 * 1024, OFIELD_VSCHAR, OFIELD_REQUIRED | OFIELD_ONCE },
	{ "token_type_hint", 64, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "scope", 4096, OFIELD_NQSCHAR, OFIELD_ONCE },
};

/* POST /oauth2/introspect (RFC 7662 §2.1, §2.2) */
static void
introspect(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*p;
	json_t			*out;

	oerr_clear(&err);
	if ((p = ohttp_form(req, &err)) == NULL ||
	    !oform_check(p, introspect_fields, sizeof(introspect_fields) /
	    sizeof(introspect_fields[0]), &err) ||
	    (out = ointrospect(&req->arena, oparams_get(p, "token"),
	    oparams_get(p, "scope"), &err)) == NULL) {
		ohttp_send_error(req, &err);
		return;
	}
	ohttp_send_json(req, 200, out);
	json_decref(out);
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

/*
 * POST /oauth2/flush (Hydra 1.x FlushInactiveOAuth2Tokens): delete
 * what expired before notAfter (default now).  A notAfter in the
 * future counts as now: as in Hydra, a live token is never flushed.
 * Batches of one write transaction each (ogrants_flush()).
 */
static void
flush(struct oreq *req)
{
	struct oerr		 err;
	const char		*body, *na = NULL;
	size_t			 len;
	json_t			*j = NULL;
	int64_t			 now = onow(), not_after = now;

	oerr_clear(&err);
	if ((body = ohttp_body(req, &len, &err)) == NULL)
		goto fail;
	if (len > 0 && ((j = ohttp_json(req, 1, &err)) == NULL ||
	    !ojson_get_str(j, "notAfter", 64, 0, &na, &err)))
		goto fail;
	if (na != NULL && *na != '\0' && !rfc3339(na, &not_after)) {
		oerr_set(&err, OERR_INVALID_REQUEST, "The field 'notAfter' "
		    "must be an RFC 3339 date-time.");
		goto fail;
	}
	if (not_after > now)
		not_after = now;
	if (!ogrants_flush(not_after, &err))
		goto fail;
	ohttp_send(req, 204, NULL, NULL, 0);
	goto out;
fail:
	ohttp_send_error(req, &err);
out:
	json_decref(j);
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
	if ((q = ohttp_query(req, &err)) == NULL ||
	    (id = ohttp_need(q, "client_id", &err)) == NULL ||
	    !ogrants_revoke_client(id, &err))
		goto fail;
	ohttp_send(req, 204, NULL, NULL, 0);
	return;
fail:
	ohttp_send_error(req, &err);
}

static const struct oroute routes[] = {
	{ OHTTP_M(POST), OLISTEN_ADMIN, "/oauth2/introspect", introspect },
	{ OHTTP_M(POST), OLISTEN_ADMIN, "/oauth2/flush", flush },
	{ OHTTP_M(DELETE), OLISTEN_ADMIN, "/oauth2/tokens", delete_tokens },
};
const struct oroute_table introspect_table = OROUTE_TABLE(routes);
