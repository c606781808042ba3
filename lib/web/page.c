/*
 * page.c: Hydra's list pagination (see page.h).
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/crypto.h"
#include "base/err.h"
#include "base/form.h"
#include "base/util.h"
#include "web/http.h"
#include "web/page.h"

/*
 * A non-negative integer query parameter into *out (left as it is when
 * absent).  Returns 0 with a 400 when malformed.
 */
static int
qnum(const struct oparams *q, const char *name, long long max,
    long long *out, struct oerr *err)
{
	const char	*v = oparams_get(q, name);

	if (v == NULL)
		return 1;
	if (!ostrtonum(v, strlen(v), 0, max, out)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The query parameter "
		    "'%s' must be a number from 0 to %lld.", name, max);
		return 0;
	}
	return 1;
}

/* Decode a page token into an offset; 0 with a 400 when malformed. */
static int
token_offset(const char *tok, long long *offset, struct oerr *err)
{
	char		 buf[128];
	size_t		 len;
	json_t		*j = NULL;
	const char	*s;
	int		 rc = 0;

	if (strlen(tok) < sizeof(buf) &&
	    ocrypto_b64url_decode(buf, sizeof(buf) - 1, &len, tok,
	    strlen(tok)) &&
	    (j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL)) != NULL &&
	    (s = json_string_value(json_object_get(j, "offset"))) != NULL &&
	    ostrtonum(s, strlen(s), 0, 0x7fffffffLL, offset))
		rc = 1;
	json_decref(j);
	if (!rc)
		oerr_set(err, OERR_INVALID_REQUEST, "The query parameter "
		    "'page_token' is not a page token this server issued.");
	return rc;
}

int
opage_parse(const struct oparams *q, struct opage *pg, struct oerr *err)
{
	const char	*tok;

	memset(pg, 0, sizeof(*pg));
	pg->v2 = oparams_get(q, "page_size") != NULL ||
	    oparams_get(q, "page_token") != NULL;
	pg->size = pg->v2 ? OPAGE_SIZE_DEFAULT : OPAGE_LIMIT_DEFAULT;
	if (!qnum(q, pg->v2 ? "page_size" : "limit", pg->v2 ?
	    OPAGE_SIZE_MAX : OPAGE_LIMIT_MAX, &pg->size, err))
		return 0;
	if (!pg->v2 && !qnum(q, "offset", 0x7fffffffLL, &pg->offset, err))
		return 0;
	if (pg->v2 && (tok = oparams_get(q, "page_token")) != NULL &&
	    !token_offset(tok, &pg->offset, err))
		return 0;
	if (pg->size == 0)
		pg->size = pg->v2 ? OPAGE_SIZE_DEFAULT : OPAGE_LIMIT_DEFAULT;
	return 1;
}

const char *
opage_prefix(struct oreq *req)
{
	return req->base;
}

/* One Link header entry appended to acc. */
static char *
link(struct oreq *req, char *acc, const char *rel, const char *path,
    const struct opage *pg, long long offset, const char *filters)
{
	char	*url, json[64], tok[128];
	size_t	 len;

	if (pg->v2) {
		snprintf(json, sizeof(json), "{\"offset\":\"%lld\",\"v\":2}",
		    offset);
		if (!ocrypto_b64url_encode(tok, sizeof(tok), &len, json,
		    strlen(json)))
			tok[0] = '\0';
		url = oarena_printf(&req->arena, "%s?page_size=%lld"
		    "&page_token=%s%s", path, pg->size, tok, filters);
	} else
		url = oarena_printf(&req->arena, "%s?limit=%lld&offset=%lld%s",
		    path, pg->size, offset, filters);
	return oarena_printf(&req->arena, "%s%s<%s>; rel=\"%s\"", acc,
	    *acc != '\0' ? "," : "", url, rel);
}

void
opage_headers(struct oreq *req, const char *path, const struct opage *pg,
    size_t total, const char *filters)
{
	long long	 last;
	char		*links = "";

	last = total == 0 ? 0 : ((long long)(total - 1) / pg->size) *
	    pg->size;
	links = link(req, links, "first", path, pg, 0, filters);
	if (pg->offset + pg->size < (long long)total)
		links = link(req, links, "next", path, pg,
		    pg->offset + pg->size, filters);
	if (pg->offset > 0)
		links = link(req, links, "prev", path, pg,
		    pg->offset > pg->size ? pg->offset - pg->size : 0, filters);
	links = link(req, links, "last", path, pg, last, filters);
	ohttp_header(req, "Link", links);
	ohttp_header(req, "X-Total-Count", oarena_printf(&req->arena, "%zu",
	    total));
}
