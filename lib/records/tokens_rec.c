/*
 * tokens_rec.c: token records and the grants they carry, decoded into
 * struct otoken_rec and struct ogrant at the store boundary, and
 * encoded back into the JSON of schema/store.md (see tokens.h).
 *
 * The encoding keeps the member order earlier versions wrote (a grant
 * as the authorization endpoint built it, then the token's members in
 * the order they were added), so that a record read and written again
 * is the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "records/tokens.h"
#include "records/tokens_int.h"

/* code_challenge_method as stored, by enum ogrant_pkce. */
static const char *const pkce_names[OGRANT_PKCE__MAX] = {
	NULL, "", "plain", "S256"
};

int
ogrant_pkce_method(const char *s, enum ogrant_pkce *m)
{
	int	 i;

	for (i = OGRANT_PKCE_DEFAULT; s != NULL && i < OGRANT_PKCE__MAX;
	    i++)
		if (strcmp(s, pkce_names[i]) == 0) {
			*m = (enum ogrant_pkce)i;
			return 1;
		}
	return 0;
}

static void
strs_copy(struct ojson_strs *dst, const struct ojson_strs *src)
{
	size_t	 i;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < src->n; i++)
		ojson_strs_add(dst, src->v[i]);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? oxstrdup(s) : NULL;
}

void
ogrant_free(struct ogrant *g)
{
	free(g->request_id);
	free(g->client_id);
	free(g->sub);
	free(g->sid);
	ojson_strs_free(&g->scope);
	ojson_strs_free(&g->aud);
	free(g->acr);
	ojson_strs_free(&g->amr);
	json_decref(g->session);
	json_decref(g->act);
	free(g->nonce);
	free(g->forced_sub);
	free(g->jkt);
	free(g->redirect_uri);
	free(g->code_challenge);
	memset(g, 0, sizeof(*g));
}

void
ogrant_copy(struct ogrant *dst, const struct ogrant *src)
{
	*dst = *src;
	dst->request_id = dup_or_null(src->request_id);
	dst->client_id = dup_or_null(src->client_id);
	dst->sub = dup_or_null(src->sub);
	dst->sid = dup_or_null(src->sid);
	strs_copy(&dst->scope, &src->scope);
	strs_copy(&dst->aud, &src->aud);
	dst->acr = dup_or_null(src->acr);
	strs_copy(&dst->amr, &src->amr);
	if (src->session != NULL)
		dst->session = json_deep_copy(src->session);
	if (src->act != NULL)
		dst->act = json_deep_copy(src->act);
	dst->nonce = dup_or_null(src->nonce);
	dst->forced_sub = dup_or_null(src->forced_sub);
	dst->jkt = dup_or_null(src->jkt);
	dst->redirect_uri = dup_or_null(src->redirect_uri);
	dst->code_challenge = dup_or_null(src->code_challenge);
}

/*
 * The string member key of j into *out (a copy): required or, when
 * absent, left NULL.  Returns 1, or 0 with a 500 naming it.
 */
static int
get_str(const json_t *j, const char *what, const char *key, int required,
    char **out, struct oerr *err)
{
	json_t	*v = json_object_get(j, key);

	if (v == NULL && !required)
		return 1;
	if (!json_is_string(v)) {
		oerr_set(err, OERR_SERVER_ERROR, "The %s's '%s' is %s.", what,
		    key, v == NULL ? "missing" : "not a string");
		return 0;
	}
	*out = oxstrdup(json_string_value(v));
	return 1;
}

/* An integer member into *out, 0 when absent; *has set when present. */
static int
get_int(const json_t *j, const char *what, const char *key, int required,
    int64_t *out, int *has, struct oerr *err)
{
	json_t	*v = json_object_get(j, key);

	if (v == NULL && !required)
		return 1;
	if (!json_is_integer(v)) {
		oerr_set(err, OERR_SERVER_ERROR, "The %s's '%s' is %s.", what,
		    key, v == NULL ? "missing" : "not an integer");
		return 0;
	}
	*out = json_integer_value(v);
	if (has != NULL)
		*has = 1;
	return 1;
}

/* An array of strings into l; *has set when present. */
static int
get_strs(const json_t *j, const char *what, const char *key,
    struct ojson_strs *l, int *has, struct oerr *err)
{
	json_t	*v = json_object_get(j, key), *s;
	size_t	 i;

	if (v == NULL)
		return 1;
	if (!json_is_array(v)) {
		oerr_set(err, OERR_SERVER_ERROR, "The %s's '%s' is not an "
		    "array.", what, key);
		return 0;
	}
	json_array_foreach(v, i, s)
		if (!json_is_string(s)) {
			oerr_set(err, OERR_SERVER_ERROR, "The %s's '%s' holds "
			    "a member that is not a string.", what, key);
			return 0;
		}
	ojson_strs_set(l, v);
	if (has != NULL)
		*has = 1;
	return 1;
}

/* ogrant_decode(), what naming the record in errors. */
static int
grant_decode(const json_t *j, const char *what, struct ogrant *g,
    struct oerr *err)
{
	json_t	*v;
	char	*ccm = NULL;
	int	 at = 0, amr = 0, rat = 0;

	memset(g, 0, sizeof(*g));
	if (!json_is_object(j)) {
		oerr_set(err, OERR_SERVER_ERROR, "The %s is not an object.",
		    what);
		return 0;
	}
	if (!get_str(j, what, "request_id", 1, &g->request_id, err) ||
	    !get_str(j, what, "client_id", 1, &g->client_id, err) ||
	    !get_str(j, what, "sub", 1, &g->sub, err) ||
	    !get_str(j, what, "sid", 0, &g->sid, err) ||
	    !get_strs(j, what, "scope", &g->scope, NULL, err) ||
	    !get_strs(j, what, "aud", &g->aud, NULL, err) ||
	    !get_int(j, what, "auth_time", 0, &g->auth_time, &at, err) ||
	    !get_str(j, what, "acr", 0, &g->acr, err) ||
	    !get_strs(j, what, "amr", &g->amr, &amr, err) ||
	    !get_int(j, what, "requested_at", 0, &g->requested_at, &rat,
	    err) ||
	    !get_str(j, what, "nonce", 0, &g->nonce, err) ||
	    !get_str(j, what, "forced_sub", 0, &g->forced_sub, err) ||
	    !get_str(j, what, "jkt", 0, &g->jkt, err) ||
	    !get_str(j, what, "redirect_uri", 0, &g->redirect_uri, err) ||
	    !get_str(j, what, "code_challenge", 0, &g->code_challenge, err) ||
	    !get_str(j, what, "code_challenge_method", 0, &ccm, err))
		goto fail;
	if (ccm != NULL && !ogrant_pkce_method(ccm,
	    &g->code_challenge_method)) {
		oerr_set(err, OERR_SERVER_ERROR, "The %s's "
		    "'code_challenge_method' '%.16s' is not a method.", what,
		    ccm);
		goto fail;
	}
	if ((v = json_object_get(j, "session")) != NULL) {
		if (!json_is_object(v)) {
			oerr_set(err, OERR_SERVER_ERROR, "The %s's 'session' "
			    "is not an object.", what);
			goto fail;
		}
		g->session = json_incref(v);
	}
	if ((v = json_object_get(j, "act")) != NULL) {
		if (!json_is_object(v) || !json_is_string(json_object_get(v,
		    "sub"))) {
			oerr_set(err, OERR_SERVER_ERROR, "The %s's 'act' is "
			    "not an object with a 'sub'.", what);
			goto fail;
		}
		g->act = json_incref(v);
	}
	g->has = (at ? OGRANT_HAS_AUTH_TIME : 0) | (amr ? OGRANT_HAS_AMR :
	    0) | (rat ? OGRANT_HAS_REQUESTED_AT : 0);
	free(ccm);
	return 1;
fail:
	free(ccm);
	ogrant_free(g);
	return 0;
}

int
ogrant_decode(const json_t *j, struct ogrant *g, struct oerr *err)
{
	return grant_decode(j, "grant", g, err);
}

static void
set_str(json_t *o, const char *key, const char *s)
{
	if (s != NULL)
		json_object_set_new(o, key, json_string(s));
}

json_t *
ogrant_json(const struct ogrant *g)
{
	json_t	*o = json_object();

	set_str(o, "request_id", g->request_id != NULL ? g->request_id : "");
	set_str(o, "client_id", g->client_id != NULL ? g->client_id : "");
	set_str(o, "sub", g->sub != NULL ? g->sub : "");
	set_str(o, "sid", g->sid);
	json_object_set_new(o, "scope", ojson_strs_json(&g->scope));
	json_object_set_new(o, "aud", ojson_strs_json(&g->aud));
	if (g->has & OGRANT_HAS_AUTH_TIME)
		json_object_set_new(o, "auth_time",
		    json_integer(g->auth_time));
	set_str(o, "acr", g->acr);
	if (g->has & OGRANT_HAS_AMR)
		json_object_set_new(o, "amr", ojson_strs_json(&g->amr));
	if (g->has & OGRANT_HAS_REQUESTED_AT)
		json_object_set_new(o, "requested_at",
		    json_integer(g->requested_at));
	if (g->session != NULL)
		json_object_set(o, "session", g->session);
	set_str(o, "nonce", g->nonce);
	set_str(o, "forced_sub", g->forced_sub);
	set_str(o, "jkt", g->jkt);
	set_str(o, "redirect_uri", g->redirect_uri);
	set_str(o, "code_challenge", g->code_challenge);
	if ((unsigned)g->code_challenge_method < OGRANT_PKCE__MAX)
		set_str(o, "code_challenge_method",
		    pkce_names[g->code_challenge_method]);
	/* Last, so that records without one are written as before. */
	if (g->act != NULL)
		json_object_set(o, "act", g->act);
	return o;
}

void
otoken_rec_free(struct otoken_rec *rec)
{
	free(rec->access_id);
	ogrant_free(&rec->grant);
	memset(rec, 0, sizeof(*rec));
}

int
otoken_rec_decode(const json_t *j, struct otoken_rec *rec, struct oerr *err)
{
	const char	*what = "token record";
	json_t		*v;
	int64_t		 ver = 0;
	int		 k;

	memset(rec, 0, sizeof(*rec));
	if (!json_is_object(j)) {
		oerr_set(err, OERR_SERVER_ERROR, "The %s is not an object.",
		    what);
		return 0;
	}
	if (!get_int(j, what, "_v", 1, &ver, NULL, err))
		return 0;
	if (ver < 1 || ver > OTK_RECORD_VERSION) {
		oerr_set(err, OERR_SERVER_ERROR, "The %s's '_v' %lld is not "
		    "a known version.", what, (long long)ver);
		return 0;
	}
	if ((v = json_object_get(j, "kind")) == NULL ||
	    !json_is_string(v)) {
		oerr_set(err, OERR_SERVER_ERROR, "The %s's 'kind' is %s.",
		    what, v == NULL ? "missing" : "not a string");
		return 0;
	}
	for (k = 0; k < OTOKEN__MAX; k++)
		if (strcmp(json_string_value(v), otk_kinds[k]) == 0)
			break;
	if (k == OTOKEN__MAX) {
		oerr_set(err, OERR_SERVER_ERROR, "The %s's 'kind' '%.64s' is "
		    "not a kind of token.", what, json_string_value(v));
		return 0;
	}
	rec->kind = (enum otoken_kind)k;
	if ((v = json_object_get(j, "active")) == NULL ||
	    !json_is_boolean(v)) {
		oerr_set(err, OERR_SERVER_ERROR, "The %s's 'active' is %s.",
		    what, v == NULL ? "missing" : "not a boolean");
		return 0;
	}
	rec->active = json_is_true(v);
	if ((v = json_object_get(j, "stateless")) != NULL) {
		if (!json_is_boolean(v)) {
			oerr_set(err, OERR_SERVER_ERROR, "The %s's "
			    "'stateless' is not a boolean.", what);
			return 0;
		}
		rec->stateless = json_is_true(v);
	}
	if (!get_int(j, what, "iat", 1, &rec->iat, NULL, err) ||
	    !get_int(j, what, "exp", 1, &rec->exp, NULL, err) ||
	    !get_int(j, what, "used_at", 0, &rec->used_at, NULL, err) ||
	    !get_int(j, what, "token_exp", 0, &rec->token_exp, NULL, err) ||
	    !get_str(j, what, "access_id", 0, &rec->access_id, err))
		goto fail;
	if (rec->exp < 0) {
		oerr_set(err, OERR_SERVER_ERROR, "The %s's 'exp' is "
		    "negative.", what);
		goto fail;
	}
	if (!grant_decode(j, what, &rec->grant, err))
		goto fail;
	return 1;
fail:
	otoken_rec_free(rec);
	return 0;
}

json_t *
otoken_rec_json(const struct otoken_rec *rec)
{
	json_t	*o = ogrant_json(&rec->grant);

	json_object_set_new(o, "_v", json_integer(OTK_RECORD_VERSION));
	json_object_set_new(o, "kind", json_string(
	    (unsigned)rec->kind < OTOKEN__MAX ? otk_kinds[rec->kind] : ""));
	json_object_set_new(o, "iat", json_integer(rec->iat));
	json_object_set_new(o, "exp", json_integer(rec->exp));
	json_object_set_new(o, "active", json_boolean(rec->active));
	if (rec->stateless)
		json_object_set_new(o, "stateless", json_true());
	set_str(o, "access_id", rec->access_id);
	if (rec->used_at != 0)
		json_object_set_new(o, "used_at", json_integer(rec->used_at));
	if (rec->token_exp != 0)
		json_object_set_new(o, "token_exp",
		    json_integer(rec->token_exp));
	return o;
}
