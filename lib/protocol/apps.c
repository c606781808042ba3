/*
 * apps.c: the applications dialect (/v1/applications): its mapping of
 * the API's client shape onto client records and back, and its
 * operations, each in one store transaction (apps.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/crypto.h"
#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "store/store.h"
#include "records/apps.h"
#include "records/clients.h"
#include "records/lifecycle.h"
#include "protocol/apps.h"

#define NAME_MAX_LEN	1024		/* app_name, name, description */
#define DESC_MAX_LEN	4096		/* app_description */
#define LOGO_MAX_LEN	32768		/* logo: a URL or a small data URI */
#define LIST_MAX	100		/* items of an array member */
#define ITEM_MAX	2048		/* bytes of an array item */
#define TTL_MAX		(10LL * 365 * 24 * 3600)

/* What the API calls client_type, derived from the record when read. */
enum ctype {
	CT_WEB,		/* confidential, authorization code */
	CT_SPA,		/* web, public: PKCE instead of a secret */
	CT_NATIVE,	/* application_type native */
	CT_MACHINE,	/* client_credentials only */
	CT__MAX
};

static const char *const ctypes[CT__MAX] = {
	"web",		/* CT_WEB */
	"spa",		/* CT_SPA */
	"native",	/* CT_NATIVE */
	"machine",	/* CT_MACHINE */
};

/* The API's pkce setting: require_pkce plus the auth method. */
enum pkce {
	PKCE_NONE,	/* PKCE not required */
	PKCE_INSTEAD,	/* public client, PKCE required */
	PKCE_WITH,	/* secret and PKCE both required */
	PKCE__MAX
};

static const char *const pkces[PKCE__MAX] = {
	"none",					/* PKCE_NONE */
	"enforcePkceInsteadOfClientCredentials",	/* PKCE_INSTEAD */
	"enforcePkceWithClientCredentials",	/* PKCE_WITH */
};

/* token_expiration.access_token_ttl sets these ... */
static const char *const access_ttls[] = {
	"authorization_code_grant_access_token_lifespan",
	"client_credentials_grant_access_token_lifespan",
	"implicit_grant_access_token_lifespan",
	"jwt_bearer_grant_access_token_lifespan",
	"refresh_token_grant_access_token_lifespan",
	NULL
};

/* ... and refresh_token_ttl these. */
static const char *const refresh_ttls[] = {
	"authorization_code_grant_refresh_token_lifespan",
	"refresh_token_grant_refresh_token_lifespan",
	NULL
};

/*
 * Members of the API that oidcgi cannot honour: each is taken only with
 * its off value (or null, or left out), anything else is a 400 naming
 * it and saying why.
 */
enum off {
	OFF_NULL,	/* only null */
	OFF_FALSE,	/* false */
	OFF_EMPTY,	/* an empty array */
	OFF_OIDC,	/* the string "oidc": the only protocol */
	OFF_DISABLED	/* an object whose member sub is false or absent */
};

struct unbuilt {
	const char	*key;
	enum off	 off;
	const char	*sub;		/* OFF_DISABLED */
	const char	*why;
};

/* Members of a client (first_client, or a client's own body). */
static const struct unbuilt client_unbuilt[] = {
	{ "authentication_protocol", OFF_OIDC, NULL,
	  "OpenID Connect is the only protocol" },
	{ "client_group_id", OFF_NULL, NULL, "client groups do not exist" },
	{ "default_custom_claims", OFF_EMPTY, NULL,
	  "custom claims are not added to tokens" },
	{ "role_ids", OFF_EMPTY, NULL, "roles do not exist" },
	{ "fapi_version_compliancy", OFF_FALSE, NULL,
	  "the FAPI profile is not supported" },
	{ "ciba", OFF_DISABLED, "enabled",
	  "client-initiated backchannel authentication is not supported" },
	{ "authentication_configuration", OFF_NULL, NULL,
	  "use 'token_endpoint_auth_method' and 'pkce'" },
	{ "tenant_id", OFF_NULL, NULL, "oidcgi has a single tenant" },
	{ NULL, OFF_NULL, NULL, NULL }
};

/* Members of an application body. */
static const struct unbuilt app_unbuilt[] = {
	{ "first_client_authentication_protocol", OFF_OIDC, NULL,
	  "OpenID Connect is the only protocol" },
	{ "tenant_id", OFF_NULL, NULL, "oidcgi has a single tenant" },
	{ "service_providers", OFF_EMPTY, NULL,
	  "SAML service providers are not supported" },
	{ "authenticator_preferences", OFF_DISABLED, "is_centralized",
	  "a centralized authenticator is not supported" },
	{ "allow_public_signup", OFF_FALSE, NULL,
	  "users are added by the administrator (oidcgi users add)" },
	{ "login_preferences", OFF_NULL, NULL,
	  "the login methods are those of the login application" },
	{ "subdomain", OFF_NULL, NULL, "applications have no subdomain" },
	{ "custom_domain", OFF_NULL, NULL,
	  "applications have no domain of their own" },
	{ "invite_member_email_expiration_minutes", OFF_NULL, NULL,
	  "oidcgi sends no invitations" },
	{ "password_sharing_group_id", OFF_NULL, NULL,
	  "password sharing groups do not exist" },
	{ "external_communication", OFF_NULL, NULL,
	  "oidcgi sends no messages" },
	{ NULL, OFF_NULL, NULL, NULL }
};

/* Record members that the library's errors name, and their names here. */
static const struct {
	const char	*rec;
	const char	*api;
} renames[] = {
	{ "client_name", "name" },
	{ "audience", "resources" },
};

/*
 * Arguments and results of the write functions.  A write function may
 * run more than once (ostore_write() retries when the map grows), so
 * each starts with op_reset().
 */
struct op {
	const char	*app_id;
	const char	*client_id;
	const json_t	*body;		/* request body, or NULL */
	struct oapp	 app;		/* result: application record */
	json_t		*rec;		/* result: client record */
	char		 secret[OCLIENT_SECRET_MAX + 1];
};


/*
 * Rewrite the quoted record member names in err's description ('audience')
 * to this API's names ('resources'), so that a client error names the
 * field the caller sent.  from/to, when not NULL, is one more pair tried
 * first.
 */
static void
rename_fields(struct oerr *err, const char *from, const char *to)
{
	char		 pat[80], buf[sizeof(err->description)];
	const char	*f, *t, *p;
	size_t		 i, n = sizeof(renames) / sizeof(renames[0]);

	for (i = 0; i <= n; i++) {
		f = i == 0 ? from : renames[i - 1].rec;
		t = i == 0 ? to : renames[i - 1].api;
		if (f == NULL)
			continue;
		snprintf(pat, sizeof(pat), "'%s'", f);
		if ((p = strstr(err->description, pat)) == NULL)
			continue;
		snprintf(buf, sizeof(buf), "%.*s'%s'%s",
		    (int)(p - err->description), err->description, t,
		    p + strlen(pat));
		memcpy(err->description, buf, sizeof(buf));
		return;
	}
}

/* 1 if the space-separated list s contains the word w. */
static int
has_word(const char *s, const char *w)
{
	size_t	 n, wl = strlen(w);

	while (*s != '\0') {
		while (*s == ' ')
			s++;
		n = strcspn(s, " ");
		if (n == wl && strncmp(s, w, n) == 0)
			return 1;
		s += n;
	}
	return 0;
}

/* 1 if the array of strings a has an item containing the word w. */
static int
any_word(const json_t *a, const char *w)
{
	const json_t	*e;
	size_t		 i;

	json_array_foreach(a, i, e)
		if (json_is_string(e) && has_word(json_string_value(e), w))
			return 1;
	return 0;
}

/* The client_type of a client record (see enum ctype). */
static enum ctype
ctype_of(const json_t *rec)
{
	const json_t	*gt = json_object_get(rec, "grant_types");
	const char	*s;

	if ((s = ojson_str(rec, "application_type")) != NULL &&
	    strcmp(s, "native") == 0)
		return CT_NATIVE;
	if (any_word(gt, "client_credentials") &&
	    !any_word(gt, "authorization_code") && !any_word(gt, "implicit"))
		return CT_MACHINE;
	if ((s = ojson_str(rec, "token_endpoint_auth_method")) != NULL &&
	    strcmp(s, "none") == 0)
		return CT_SPA;
	return CT_WEB;
}

/* The pkce setting of a client record (see enum pkce). */
static enum pkce
pkce_of(const json_t *rec)
{
	const char	*s = ojson_str(rec, "token_endpoint_auth_method");

	if (!json_is_true(json_object_get(rec, "require_pkce")))
		return PKCE_NONE;
	return s != NULL && strcmp(s, "none") == 0 ? PKCE_INSTEAD : PKCE_WITH;
}

/*
 * Refuse the members of o listed in tab unless they hold their off
 * value (struct unbuilt).  Returns 1, or 0 with a 400 in err naming the
 * first member refused.
 */
static int
refuse_unbuilt(const json_t *o, const struct unbuilt *tab,
    struct oerr *err)
{
	const json_t	*v;
	json_t		*a = NULL, *sub = NULL;
	const char	*s = NULL;
	int		 b = 0;

	for (; tab->key != NULL; tab++) {
		if ((v = json_object_get(o, tab->key)) == NULL ||
		    json_is_null(v))
			continue;
		switch (tab->off) {
		case OFF_FALSE:
			if (!ojson_get_bool(o, tab->key, 0, &b, err))
				return 0;
			if (!b)
				continue;
			oerr_set(err, OERR_INVALID_REQUEST, "The field '%s' "
			    "cannot be true: %s.", tab->key, tab->why);
			return 0;
		case OFF_EMPTY:
			if (!ojson_get_strarray(o, tab->key, LIST_MAX,
			    ITEM_MAX, 0, &a, err))
				return 0;
			if (json_array_size(a) == 0)
				continue;
			oerr_set(err, OERR_INVALID_REQUEST, "The field '%s' "
			    "must be empty: %s.", tab->key, tab->why);
			return 0;
		case OFF_OIDC:
			if (!ojson_get_str(o, tab->key, 64, 0, &s, err))
				return 0;
			if (strcmp(s, "oidc") == 0)
				continue;
			oerr_set(err, OERR_INVALID_REQUEST, "The field '%s' "
			    "must be 'oidc': %s.", tab->key, tab->why);
			return 0;
		case OFF_DISABLED:
			if (!ojson_get_object(o, tab->key, 0, &sub, err))
				return 0;
			b = 0;
			if (!ojson_get_bool(sub, tab->sub, 0, &b, err))
				return 0;
			if (!b)
				continue;
			oerr_set(err, OERR_INVALID_REQUEST, "The field '%s' of "
			    "'%s' cannot be true: %s.", tab->sub, tab->key,
			    tab->why);
			return 0;
		default:
			oerr_set(err, OERR_INVALID_REQUEST, "The field '%s' is "
			    "not supported: %s.", tab->key, tab->why);
			return 0;
		}
	}
	return 1;
}

/*
 * Look a name up in a table of n names.  Returns its index, or -1.
 */
static int
lookup(const char *s, const char *const *names, int n)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/*
 * Where a client member comes from: the client object c, or, when it is
 * absent (or null) there, the deprecated member topkey of the
 * application body top (POST and PUT /v1/applications).  Returns the
 * object that holds it and sets *name to the member's name there; when
 * neither has it, returns c with *name = key, so getters see it absent.
 */
static const json_t *
src(const json_t *c, const char *key, const json_t *top,
    const char *topkey, const char **name)
{
	const json_t	*v;

	*name = key;
	if ((v = json_object_get(c, key)) != NULL && !json_is_null(v))
		return c;
	if (top != NULL && topkey != NULL &&
	    (v = json_object_get(top, topkey)) != NULL && !json_is_null(v)) {
		*name = topkey;
		return top;
	}
	return c;
}

/*
 * Resolve token_endpoint_auth_method and require_pkce from the pkce
 * setting pk (-1: not given), the method given (or NULL), the
 * client_type ct (ct_given when the caller sent it) and the old record
 * (NULL on create).  Sets *method (NULL: keep) and *reqpkce (-1: keep).
 * Returns 1, or 0 with a 400 in err when the settings disagree.
 */
static int
resolve_auth(int pk, const char **method, enum ctype ct, int ct_given,
    const json_t *old, unsigned flags, int *reqpkce, struct oerr *err)
{
	const char	*oldm = old != NULL ?
			    ojson_str(old, "token_endpoint_auth_method") : NULL;
	const char	*m = *method;
	int		 oldpub = oldm != NULL && strcmp(oldm, "none") == 0;
	int		 rc = 0;

	*reqpkce = -1;
	if (pk == PKCE_INSTEAD && m != NULL && strcmp(m, "none") != 0)
		oerr_set(err, OERR_INVALID_REQUEST, "The field 'pkce' is "
		    "'%s' (a public client without a secret), so "
		    "'token_endpoint_auth_method' cannot be '%s'.",
		    pkces[pk], m);
	else if ((pk == PKCE_WITH || pk == PKCE_NONE) && m != NULL &&
	    strcmp(m, "none") == 0)
		oerr_set(err, OERR_INVALID_REQUEST, "The field 'pkce' is "
		    "'%s', but a client without credentials "
		    "(token_endpoint_auth_method 'none') must use PKCE "
		    "instead: use '%s'.", pkces[pk], pkces[PKCE_INSTEAD]);
	else if (pk == PKCE_INSTEAD) {
		m = "none";
		*reqpkce = 1;
		rc = 1;
	} else if (pk == PKCE_WITH || pk == PKCE_NONE) {
		if (m == NULL)
			m = oldm != NULL && !oldpub ? oldm :
			    "client_secret_basic";
		*reqpkce = pk == PKCE_WITH;
		rc = 1;
	} else if (m != NULL) {
		/* A public client always uses PKCE. */
		if (strcmp(m, "none") == 0)
			*reqpkce = 1;
		rc = 1;
	} else if (((flags & OAPPS_CREATE) || ct_given) && (ct == CT_SPA ||
	    (ct == CT_NATIVE && (flags & OAPPS_CREATE)))) {
		m = "none";
		*reqpkce = 1;
		rc = 1;
	} else {
		/* A public client made web or machine needs a secret. */
		if (ct_given && oldpub && (ct == CT_WEB || ct == CT_MACHINE))
			m = "client_secret_basic";
		rc = 1;
	}
	/* A spa is a public client: client_type and method must agree. */
	if (rc && ct_given && ct == CT_SPA && m != NULL &&
	    strcmp(m, "none") != 0) {
		oerr_set(err, OERR_INVALID_REQUEST, "The field 'client_type' "
		    "is 'spa', a public client: its 'pkce' must be '%s' and "
		    "its 'token_endpoint_auth_method' 'none'.",
		    pkces[PKCE_INSTEAD]);
		rc = 0;
	}
	*method = m;
	return rc;
}

/*
 * Set response_types, grant_types and application_type of in from the
 * client_type ct and the response types rt (NULL: not given; then the
 * old record's, or ["code"]).  Machine clients get client_credentials
 * only; the others the grants their response types need (RFC 7591
 * §2.1) plus refresh_token.  Returns 1, or 0 with a 400 in err.
 */
static int
set_types(json_t *in, enum ctype ct, const json_t *rt, const json_t *old,
    struct oerr *err)
{
	json_t	*gt;

	json_object_set_new(in, "application_type",
	    json_string(ct == CT_NATIVE ? "native" : "web"));
	if (ct == CT_MACHINE) {
		if (rt != NULL && json_array_size(rt) > 0) {
			oerr_set(err, OERR_INVALID_REQUEST, "The field "
			    "'response_types' must be empty: a 'machine' "
			    "client uses client credentials only.");
			return 0;
		}
		json_object_set_new(in, "response_types", json_array());
		json_object_set_new(in, "grant_types",
		    json_pack("[s]", "client_credentials"));
		return 1;
	}
	if (rt != NULL && json_array_size(rt) == 0) {
		oerr_set(err, OERR_INVALID_REQUEST, "The field "
		    "'response_types' must not be empty.");
		return 0;
	}
	if (rt == NULL && old != NULL && ctype_of(old) != CT_MACHINE &&
	    json_array_size(json_object_get(old, "response_types")) > 0)
		rt = json_object_get(old, "response_types");
	if (rt == NULL)
		json_object_set_new(in, "response_types",
		    json_pack("[s]", "code"));
	else
		json_object_set(in, "response_types", (json_t *)rt);
	rt = json_object_get(in, "response_types");
	gt = json_array();
	if (any_word(rt, "code"))
		json_array_append_new(gt, json_string("authorization_code"));
	if (any_word(rt, "token") || any_word(rt, "id_token"))
		json_array_append_new(gt, json_string("implicit"));
	json_array_append_new(gt, json_string("refresh_token"));
	json_object_set_new(in, "grant_types", gt);
	return 1;
}

/*
 * The device grant in the grant_types of in (those set, or else the
 * old record's) when on, out of them when not.
 */
static void
device_grant(json_t *in, const json_t *old, int on)
{
	static const char	 g[] =
	    "urn:ietf:params:oauth:grant-type:device_code";
	json_t			*gt, *v;
	size_t			 i;

	if ((gt = json_object_get(in, "grant_types")) == NULL) {
		if (old == NULL || (v = json_object_get(old, "grant_types")) ==
		    NULL || any_word(v, g) == on)
			return;
		gt = json_deep_copy(v);
		json_object_set_new(in, "grant_types", gt);
	}
	for (i = json_array_size(gt); i > 0; i--)
		if (ojson_is(json_array_get(gt, i - 1), g))
			json_array_remove(gt, i - 1);
	if (on)
		json_array_append_new(gt, json_string(g));
}

/*
 * Set every lifespan in names to secs ("<secs>s", a Go duration for
 * oclient_build()), or to null for 0 ("use the configured ttl": a null
 * resets the member even when merging).
 */
static void
set_ttls(json_t *in, const char *const *names, long long secs)
{
	char	 buf[32];

	snprintf(buf, sizeof(buf), "%llds", secs);
	for (; *names != NULL; names++)
		json_object_set_new(in, *names, secs > 0 ? json_string(buf) :
		    json_null());
}

/*
 * supported_prompts (the array a) may only name every prompt, or none
 * (the record's default): limiting the prompts of a client's
 * authorization requests is not enforced, so it is refused.  Returns 1,
 * or 0 with a 400 in err.
 */
static int
all_prompts(const json_t *a, struct oerr *err)
{
	static const char *const all[] = {
		"login", "consent", "none", "select_account", NULL
	};
	const int	 nall = sizeof(all) / sizeof(all[0]) - 1;
	const json_t	*e;
	size_t		 i;
	int		 j, found;

	if (json_array_size(a) == 0)
		return 1;
	for (j = 0; all[j] != NULL; j++) {
		found = 0;
		json_array_foreach(a, i, e)
			if (strcmp(json_string_value(e), all[j]) == 0)
				found = 1;
		if (!found)
			break;
	}
	json_array_foreach(a, i, e)
		if (lookup(json_string_value(e), all, nall) < 0)
			break;
	if (all[j] == NULL && i == json_array_size(a))
		return 1;
	oerr_set(err, OERR_INVALID_REQUEST, "The field 'supported_prompts' "
	    "must list every prompt (login, consent, none, select_account) "
	    "or none: limiting a client's prompts is not supported.");
	return 0;
}

/* The API's client as oclient_build()'s input (apps.h). */
json_t *
oapps_client_in(const json_t *c, const json_t *top, const json_t *old,
    unsigned flags, const char *defname, struct oerr *err)
{
	json_t		*in = json_object(), *v = NULL, *rt = NULL;
	json_t		*te = NULL, *da = NULL;
	const json_t	*o;
	const char	*k, *s = NULL, *method = NULL;
	long long	 at = 0, rtt = 0, rot = 0, sess = 0;
	int		 ct = CT_WEB, ct_given = 0, pk = -1, reqpkce, b, ok = 0;

	if (!refuse_unbuilt(c, client_unbuilt, err))
		goto out;
	o = src(c, "name", top, "client_display_name", &k);
	if (!ojson_get_str(o, k, NAME_MAX_LEN, (flags & OAPPS_NAME) ?
	    OJSON_REQUIRED | OJSON_NONEMPTY : 0, &s, err))
		goto out;
	if (s == NULL && (flags & OAPPS_CREATE))
		s = defname;
	if (s != NULL)
		json_object_set_new(in, "client_name", json_string(s));

	s = NULL;
	o = src(c, "description", top, "client_description", &k);
	if (!ojson_get_str(o, k, NAME_MAX_LEN, 0, &s, err))
		goto out;
	if (s != NULL)
		json_object_set_new(in, "description", json_string(s));

	s = NULL;
	o = src(c, "client_type", top, "client_type", &k);
	if (!ojson_get_str(o, k, 32, 0, &s, err))
		goto out;
	if (s != NULL && (ct = lookup(s, ctypes, CT__MAX)) < 0) {
		oerr_set(err, OERR_INVALID_REQUEST, "The field '%s' must be "
		    "one of web, spa, native or machine.", k);
		goto out;
	}
	if (s != NULL)
		ct_given = 1;
	else
		ct = old != NULL ? ctype_of(old) : CT_WEB;

	s = NULL;
	o = src(c, "pkce", top, "pkce", &k);
	if (!ojson_get_str(o, k, 64, 0, &s, err))
		goto out;
	if (s != NULL && (pk = lookup(s, pkces, PKCE__MAX)) < 0) {
		oerr_set(err, OERR_INVALID_REQUEST, "The field '%s' must be "
		    "one of %s, %s or %s.", k, pkces[PKCE_INSTEAD],
		    pkces[PKCE_WITH], pkces[PKCE_NONE]);
		goto out;
	}

	o = src(c, "token_endpoint_auth_method", top, "client_auth_method",
	    &k);
	if (!ojson_get_str(o, k, 64, 0, &method, err))
		goto out;
	if (!resolve_auth(pk, &method, ct, ct_given, old, flags, &reqpkce,
	    err))
		goto out;
	if (method != NULL)
		json_object_set_new(in, "token_endpoint_auth_method",
		    json_string(method));
	if (reqpkce >= 0)
		json_object_set_new(in, "require_pkce",
		    json_boolean(reqpkce));

	if (!ojson_get_strarray(c, "response_types", LIST_MAX, ITEM_MAX, 0,
	    &rt, err))
		goto out;
	if (((flags & OAPPS_CREATE) || ct_given || rt != NULL) &&
	    !set_types(in, ct, rt, old, err))
		goto out;

	o = src(c, "redirect_uris", top, "redirect_uris", &k);
	if (!ojson_get_strarray(o, k, LIST_MAX, ITEM_MAX,
	    (flags & OAPPS_REDIRECTS) ? OJSON_REQUIRED : 0, &v, err))
		goto out;
	if (v != NULL)
		json_object_set(in, "redirect_uris", v);

	v = NULL;
	o = src(c, "resources", top, "resources", &k);
	if (!ojson_get_strarray(o, k, LIST_MAX, ITEM_MAX, 0, &v, err))
		goto out;
	if (v != NULL)
		json_object_set(in, "audience", v);

	v = NULL;
	if (!ojson_get_strarray(c, "supported_prompts", LIST_MAX, ITEM_MAX, 0,
	    &v, err) || (v != NULL && !all_prompts(v, err)))
		goto out;
	if (v != NULL)
		json_object_set(in, "supported_prompts", v);

	/* An object member replaces the old one whole: absent means 0. */
	if (!ojson_get_object(c, "token_expiration", 0, &te, err) ||
	    (te != NULL && (!ojson_get_int(te, "access_token_ttl", 0, TTL_MAX,
	    0, &at, err) || !ojson_get_int(te, "refresh_token_ttl", 0,
	    TTL_MAX, 0, &rtt, err) || !ojson_get_int(te, "max_refresh_rotate",
	    0, INT32_MAX, 0, &rot, err))))
		goto out;
	if (rot != 0) {
		oerr_set(err, OERR_INVALID_REQUEST, "The field "
		    "'max_refresh_rotate' of 'token_expiration' must be 0: "
		    "a limit on refresh token rotations is not supported.");
		goto out;
	}
	if (te != NULL) {
		set_ttls(in, access_ttls, at);
		set_ttls(in, refresh_ttls, rtt);
		json_object_set_new(in, "max_refresh_rotate",
		    json_integer(rot));
	}

	if (!ojson_get_int(c, "session_expiration", 0, TTL_MAX, 0, &sess,
	    err))
		goto out;
	if (sess != 0) {
		oerr_set(err, OERR_INVALID_REQUEST, "The field "
		    "'session_expiration' must be 0: a login session lifetime "
		    "per client is not supported (the configured one "
		    "applies).");
		goto out;
	}
	if (json_object_get(c, "session_expiration") != NULL &&
	    !json_is_null(json_object_get(c, "session_expiration")))
		json_object_set_new(in, "session_expiration",
		    json_integer(sess));

	b = -1;
	if (!ojson_get_bool(c, "enforce_par", 0, &b, err))
		goto out;
	/* The client's require_pushed_authorization_requests (RFC 9126). */
	if (b >= 0)
		json_object_set_new(in, "require_pushed_authorization_requests",
		    json_boolean(b));

	o = src(c, "device_authorization", top, "device_authorization", &k);
	if (!ojson_get_object(o, k, 0, &da, err))
		goto out;
	b = 0;
	if (da != NULL && !ojson_get_bool(da, "enabled", 0, &b, err))
		goto out;
	if (da != NULL)
		json_object_set_new(in, "device_authorization",
		    json_boolean(b));
	/* It switches the client's device grant (RFC 8628). */
	device_grant(in, old, da != NULL ? b : old != NULL &&
	    json_is_true(json_object_get(old, "device_authorization")));
	ok = 1;
out:
	if (!ok) {
		json_decref(in);
		in = NULL;
	}
	return in;
}

/* The first non-null lifespan of names in rec, in seconds, or 0. */
static long long
ttl_of(const json_t *rec, const char *const *names)
{
	const json_t	*v;

	for (; *names != NULL; names++)
		if (json_is_integer(v = json_object_get(rec, *names)))
			return json_integer_value(v);
	return 0;
}

/* Copy member from of rec to out as key (null when rec lacks it). */
static void
copy(json_t *out, const char *key, const json_t *rec, const char *from)
{
	json_t	*v = json_object_get(rec, from);

	json_object_set_new(out, key, v != NULL ? json_incref(v) :
	    json_null());
}

/*
 * A client record in the API's client shape (apps.h): only the members
 * named here are copied, so internal ones never appear.
 */
json_t *
oapps_client_view(const json_t *rec, const char *secret)
{
	json_t	*out = json_object(), *te;

	copy(out, "app_id", rec, "app_id");
	json_object_set_new(out, "tenant_id", json_null());
	copy(out, "client_id", rec, "client_id");
	if (secret != NULL && *secret != '\0')
		json_object_set_new(out, "client_secret", json_string(secret));
	copy(out, "name", rec, "client_name");
	copy(out, "description", rec, "description");
	copy(out, "resources", rec, "audience");
	copy(out, "created_at", rec, "created_at");
	copy(out, "updated_at", rec, "updated_at");
	json_object_set_new(out, "authentication_protocol",
	    json_string("oidc"));
	json_object_set_new(out, "client_group_id", json_null());
	json_object_set_new(out, "default_custom_claims", json_array());
	copy(out, "redirect_uris", rec, "redirect_uris");
	json_object_set_new(out, "client_type",
	    json_string(ctypes[ctype_of(rec)]));
	copy(out, "response_types", rec, "response_types");
	copy(out, "token_endpoint_auth_method", rec,
	    "token_endpoint_auth_method");
	json_object_set_new(out, "pkce", json_string(pkces[pkce_of(rec)]));
	json_object_set_new(out, "device_authorization", json_pack("{s:b}",
	    "enabled", json_is_true(json_object_get(rec,
	    "device_authorization"))));
	copy(out, "supported_prompts", rec, "supported_prompts");
	te = json_object();
	json_object_set_new(te, "access_token_ttl",
	    json_integer(ttl_of(rec, access_ttls)));
	json_object_set_new(te, "refresh_token_ttl",
	    json_integer(ttl_of(rec, refresh_ttls)));
	json_object_set_new(te, "max_refresh_rotate", json_integer(
	    ojson_int(rec, "max_refresh_rotate")));
	json_object_set_new(out, "token_expiration", te);
	json_object_set_new(out, "session_expiration", json_integer(
	    ojson_int(rec, "session_expiration")));
	json_object_set_new(out, "enforce_par", json_boolean(json_is_true(
	    json_object_get(rec, "require_pushed_authorization_requests"))));
	json_object_set_new(out, "fapi_version_compliancy", json_false());
	return out;
}

/* Set member key of out to the string v, or to null when v is NULL. */
static void
set_str(json_t *out, const char *key, const char *v)
{
	json_object_set_new(out, key, v != NULL ? json_string(v) :
	    json_null());
}

/* An application with its default client, in the API's shape (apps.h). */
json_t *
oapps_app_view(const struct oapp *app, const json_t *rec,
    const char *secret)
{
	json_t	*out = json_object();

	set_str(out, "app_id", app->id);
	json_object_set_new(out, "tenant_id", json_null());
	set_str(out, "app_name", app->name);
	set_str(out, "app_description", app->description);
	set_str(out, "logo", app->logo);
	if (rec == NULL)
		json_object_set_new(out, "client_id", json_null());
	else {
		json_object_set_new(out, "client_type",
		    json_string(ctypes[ctype_of(rec)]));
		copy(out, "client_id", rec, "client_id");
		copy(out, "client_display_name", rec, "client_name");
		copy(out, "client_description", rec, "description");
		if (secret != NULL && *secret != '\0')
			json_object_set_new(out, "client_secret",
			    json_string(secret));
		copy(out, "redirect_uris", rec, "redirect_uris");
		copy(out, "resources", rec, "audience");
		copy(out, "client_auth_method", rec,
		    "token_endpoint_auth_method");
		json_object_set_new(out, "pkce",
		    json_string(pkces[pkce_of(rec)]));
		json_object_set_new(out, "device_authorization",
		    json_pack("{s:b}", "enabled", json_is_true(
		    json_object_get(rec, "device_authorization"))));
	}
	set_str(out, "created_at", app->created_at);
	set_str(out, "updated_at", app->updated_at);
	json_object_set_new(out, "service_providers", json_array());
	json_object_set_new(out, "authenticator_preferences",
	    json_pack("{s:b}", "is_centralized", 0));
	json_object_set_new(out, "allow_public_signup", json_false());
	return out;
}


/*
 * Load client id of application app_id.  A client that does not exist or
 * belongs to another application is a 404.  Returns a new reference, or
 * NULL with err set.
 */
static json_t *
client_load(struct ostore_txn *t, const char *app_id, const char *id,
    struct oerr *err)
{
	json_t		*rec = NULL;
	const char	*a;

	if (strlen(id) > OCLIENT_ID_MAX)
		oerr_set(err, OERR_NOT_FOUND, "The client does not exist.");
	else if ((rec = oclient_load(t, id, err)) != NULL &&
	    ((a = ojson_str(rec, "app_id")) == NULL ||
	    strcmp(a, app_id) != 0)) {
		oerr_set(err, OERR_NOT_FOUND, "The application '%s' has no "
		    "client '%s'.", app_id, id);
		json_decref(rec);
		rec = NULL;
	}
	return rec;
}

/* The default client of app, or NULL when it is gone (a new reference). */
static json_t *
default_client(struct ostore_txn *t, const struct oapp *app)
{
	struct oerr	 e;
	const char	*id = app->default_client_id;

	oerr_clear(&e);
	if (id == NULL || strlen(id) > OCLIENT_ID_MAX)
		return NULL;
	return oclient_load(t, id, &e);
}

/*
 * The application's clients (full records) in a new array, or NULL
 * with err set.
 */
static json_t *
app_clients(struct ostore_txn *t, const char *app_id, struct oerr *err)
{
	struct oclient_filter	 f;
	size_t			 total;

	memset(&f, 0, sizeof(f));
	f.app_id = app_id;
	return oclient_list(t, &f, 0, SIZE_MAX, &total, err);
}

/* Release an op's results and wipe its secret (before a (re)run). */
static void
op_reset(struct op *op)
{
	oapp_clear(&op->app);
	json_decref(op->rec);
	op->rec = NULL;
	ocrypto_wipe(op->secret, sizeof(op->secret));
}

/*
 * Validate the application members of body (app_name required when
 * create is set) and copy them into app.  Returns 1, or 0 with a 400.
 */
static int
app_fields(struct oapp *app, const json_t *body, int create,
    struct oerr *err)
{
	const char	*name = NULL, *desc = NULL, *logo = NULL;

	if (!refuse_unbuilt(body, app_unbuilt, err))
		return 0;
	if (!ojson_get_str(body, "app_name", NAME_MAX_LEN, OJSON_NONEMPTY |
	    (create ? OJSON_REQUIRED : 0), &name, err) ||
	    !ojson_get_str(body, "app_description", DESC_MAX_LEN, 0, &desc,
	    err) ||
	    !ojson_get_str(body, "logo", LOGO_MAX_LEN, 0, &logo, err))
		return 0;
	if (name != NULL)
		oapp_set(&app->name, name);
	if (desc != NULL || create)
		oapp_set(&app->description, desc != NULL ? desc : "");
	if (logo != NULL || create)
		oapp_set(&app->logo, logo != NULL ? logo : "");
	return 1;
}

/*
 * Write function of POST /v1/applications: the application and its
 * default client (first_client, or the deprecated top-level client
 * members) in one transaction, so an invalid client stores nothing.
 */
static int
create_app_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct op	*op = arg;
	json_t		*first = NULL, *empty = json_object(), *cin = NULL;
	char		 id[OAPP_ID_LEN + 1], now[32];
	int		 rc = 0;

	op_reset(op);
	ocrypto_uuid4(id);
	otime_rfc3339(onow(), now, sizeof(now));
	oapp_set(&op->app.id, id);
	if (!app_fields(&op->app, op->body, 1, err) ||
	    !ojson_get_object(op->body, "first_client", 0, &first, err) ||
	    (cin = oapps_client_in(first != NULL ? first : empty, op->body,
	    NULL, OAPPS_CREATE, op->app.name, err)) == NULL)
		goto out;
	json_object_set_new(cin, "app_id", json_string(id));
	if ((op->rec = oclient_build(cin, NULL, OCLIENT_GEN_ID, op->secret,
	    err)) == NULL) {
		rename_fields(err, NULL, NULL);
		goto out;
	}
	if (!oclient_insert(t, op->rec, err))
		goto out;
	oapp_set(&op->app.created_at, now);
	oapp_set(&op->app.updated_at, now);
	oapp_set(&op->app.default_client_id, ojson_str(op->rec, "client_id"));
	rc = oapp_insert(t, &op->app, err);
out:
	json_decref(empty);
	json_decref(cin);
	return rc;
}

/*
 * Update the client op->rec (loaded in the same transaction; replaced
 * by the new record) with cin, mapped from the API input: merged, the
 * secret kept; a secret newly needed (a public client made
 * confidential) is returned once in op->secret.  Returns 1, or 0 with
 * err set.
 */
static int
client_update(struct ostore_txn *t, struct op *op, const json_t *cin,
    struct oerr *err)
{
	json_t	*rec;

	if ((rec = oclient_build(cin, op->rec, OCLIENT_MERGE |
	    OCLIENT_KEEP_SECRET, op->secret, err)) == NULL)
		return 0;
	json_decref(op->rec);
	op->rec = rec;
	return oclient_replace(t, op->rec, err);
}

/* Members of the application body that configure its default client. */
static const char *const client_keys[] = {
	"first_client", "client_display_name", "client_description",
	"client_type", "redirect_uris", "resources", "pkce",
	"client_auth_method", "device_authorization", NULL
};

/*
 * Write function of PUT /v1/applications/{appId}: the members given
 * replace the app's; the deprecated client members (and first_client)
 * update the default client in the same transaction.
 */
static int
update_app_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct op	*op = arg;
	json_t		*first = NULL, *empty = json_object(), *cin = NULL;
	char		 now[32];
	size_t		 i;
	int		 rc = 0, touch = 0;

	op_reset(op);
	if (!oapp_load(t, op->app_id, &op->app, err) ||
	    !app_fields(&op->app, op->body, 0, err) ||
	    !ojson_get_object(op->body, "first_client", 0, &first, err))
		goto out;
	otime_rfc3339(onow(), now, sizeof(now));
	oapp_set(&op->app.updated_at, now);
	if (!oapp_replace(t, &op->app, err))
		goto out;
	op->rec = default_client(t, &op->app);
	for (i = 0; client_keys[i] != NULL; i++)
		if (json_object_get(op->body, client_keys[i]) != NULL)
			touch = 1;
	if (touch && op->rec == NULL)
		oerr_set(err, OERR_NOT_FOUND, "The application '%s' has no "
		    "default client any more.", op->app_id);
	else if (touch && ((cin = oapps_client_in(first != NULL ? first :
	    empty, op->body, op->rec, 0, NULL, err)) == NULL ||
	    !client_update(t, op, cin, err)))
		rename_fields(err, NULL, NULL);
	else
		rc = 1;
out:
	json_decref(empty);
	json_decref(cin);
	return rc;
}

/*
 * Delete the clients of app (all, or all but its default one when
 * keep_default is set).  Returns 1, or 0 with err set.
 */
static int
remove_clients(struct ostore_txn *t, const struct oapp *app,
    int keep_default, struct oerr *err)
{
	json_t		*list, *rec;
	const char	*def = app->default_client_id, *id;
	size_t		 i;
	int		 rc = 0;

	if ((list = app_clients(t, app->id, err)) == NULL)
		return 0;
	json_array_foreach(list, i, rec) {
		id = ojson_str(rec, "client_id");
		if (keep_default && def != NULL && strcmp(id, def) == 0)
			continue;
		if (!olife_client_remove(t, id, err))
			goto out;
	}
	rc = 1;
out:
	json_decref(list);
	return rc;
}

/* Write function of DELETE /v1/applications/{appId}: with its clients. */
static int
delete_app_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct op	*op = arg;

	op_reset(op);
	if (!oapp_load(t, op->app_id, &op->app, err) ||
	    !remove_clients(t, &op->app, 0, err))
		return 0;
	return oapp_remove(t, op->app_id, err);
}

/*
 * Write function of PUT /v1/applications/{appId}/resources (the default
 * client) and .../clients/{clientId}/resources: {"resource_ids": [...]}
 * becomes the client's audience.
 */
static int
resources_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct op	*op = arg;
	json_t		*ids = NULL, *cin = NULL;
	const char	*id;
	int		 rc = 0;

	op_reset(op);
	if (!oapp_load(t, op->app_id, &op->app, err) ||
	    !ojson_get_strarray(op->body, "resource_ids", LIST_MAX, ITEM_MAX,
	    OJSON_REQUIRED, &ids, err))
		goto out;
	if ((id = op->client_id) == NULL &&
	    (id = op->app.default_client_id) == NULL) {
		oerr_set(err, OERR_NOT_FOUND, "The application '%s' has no "
		    "default client.", op->app_id);
		goto out;
	}
	if ((op->rec = client_load(t, op->app_id, id, err)) == NULL)
		goto out;
	cin = json_pack("{s:O}", "audience", ids);
	if (!client_update(t, op, cin, err))
		rename_fields(err, "audience", "resource_ids");
	else
		rc = 1;
out:
	json_decref(cin);
	return rc;
}

/* Write function of POST /v1/applications/{appId}/clients. */
static int
create_client_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct op	*op = arg;
	json_t		*cin = NULL;
	int		 rc = 0;

	op_reset(op);
	if (!oapp_load(t, op->app_id, &op->app, err) ||
	    (cin = oapps_client_in(op->body, NULL, NULL, OAPPS_CREATE |
	    OAPPS_NAME | OAPPS_REDIRECTS, NULL, err)) == NULL)
		goto out;
	json_object_set_new(cin, "app_id", json_string(op->app_id));
	if ((op->rec = oclient_build(cin, NULL, OCLIENT_GEN_ID, op->secret,
	    err)) == NULL)
		rename_fields(err, NULL, NULL);
	else
		rc = oclient_insert(t, op->rec, err);
out:
	json_decref(cin);
	return rc;
}

/*
 * Write function of DELETE /v1/applications/{appId}/clients: "deletes
 * all clients for an application" -- all but the default one, since an
 * application always has one.
 */
static int
delete_clients_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct op	*op = arg;

	op_reset(op);
	return oapp_load(t, op->app_id, &op->app, err) &&
	    remove_clients(t, &op->app, 1, err);
}

/*
 * Write function of PUT /v1/applications/{appId}/clients/{clientId}:
 * the members given replace the client's (object members whole); the
 * rest, members this API does not show, and the secret are kept.
 */
static int
update_client_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct op	*op = arg;
	json_t		*cin = NULL;
	int		 rc = 0;

	op_reset(op);
	if (!oapp_load(t, op->app_id, &op->app, err) ||
	    (op->rec = client_load(t, op->app_id, op->client_id,
	    err)) == NULL)
		goto out;
	if ((cin = oapps_client_in(op->body, NULL, op->rec, 0, NULL, err)) ==
	    NULL || !client_update(t, op, cin, err))
		rename_fields(err, NULL, NULL);
	else
		rc = 1;
out:
	json_decref(cin);
	return rc;
}

/*
 * Write function of DELETE /v1/applications/{appId}/clients/{clientId}.
 * The default client is refused with a 400 (the API's one documented
 * error here): an application always has its default client.
 */
static int
delete_client_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct op	*op = arg;
	const char	*def;

	op_reset(op);
	if (!oapp_load(t, op->app_id, &op->app, err) ||
	    (op->rec = client_load(t, op->app_id, op->client_id,
	    err)) == NULL)
		return 0;
	if ((def = op->app.default_client_id) != NULL &&
	    strcmp(def, op->client_id) == 0) {
		oerr_set(err, OERR_INVALID_REQUEST, "The client '%s' is the "
		    "default client of the application '%s' and cannot be "
		    "deleted; delete the application instead.",
		    op->client_id, op->app_id);
		return 0;
	}
	return olife_client_remove(t, op->client_id, err);
}

/* What a write request answers with. */

/* What a write operation answers with. */
enum reply {
	REPLY_APP,	/* {"result": application with default client} */
	REPLY_CLIENT,	/* {"result": the client} */
	REPLY_NONE	/* nothing: 1 for success */
};

/*
 * Run the write function fn in one write transaction with the ids and
 * body given, and build its answer (what); id_out, when not NULL, gets
 * the new application's (REPLY_APP) or client's (REPLY_CLIENT) id.
 * The secret, when one was made, is in the answer and then wiped.
 * Returns a new reference (json_true() for REPLY_NONE), or NULL with
 * err set.
 */
static json_t *
write_op(int (*fn)(struct ostore_txn *, void *, struct oerr *),
    const char *app_id, const char *client_id, const json_t *body,
    enum reply what, char *id_out, size_t idsz, struct oerr *err)
{
	struct op	 op;
	json_t		*out = NULL;

	memset(&op, 0, sizeof(op));
	op.app_id = app_id;
	op.client_id = client_id;
	op.body = body;
	if (!ostore_write(fn, &op, err))
		goto out;
	switch (what) {
	case REPLY_APP:
		out = json_pack("{s:o}", "result", oapps_app_view(&op.app,
		    op.rec, op.secret));
		if (id_out != NULL)
			snprintf(id_out, idsz, "%s", op.app.id);
		break;
	case REPLY_CLIENT:
		out = json_pack("{s:o}", "result",
		    oapps_client_view(op.rec, op.secret));
		if (id_out != NULL)
			snprintf(id_out, idsz, "%s",
			    ojson_str(op.rec, "client_id"));
		break;
	default:
		out = json_true();
		break;
	}
out:
	op_reset(&op);
	return out;
}

/* Run a write operation that answers nothing: 1, or 0 with err set. */
static int
write_none(int (*fn)(struct ostore_txn *, void *, struct oerr *),
    const char *app_id, const char *client_id, struct oerr *err)
{
	json_t	*done;

	done = write_op(fn, app_id, client_id, NULL, REPLY_NONE, NULL, 0,
	    err);
	json_decref(done);
	return done != NULL;
}

json_t *
oapps_create(const json_t *body, char *app_id_out, struct oerr *err)
{
	return write_op(create_app_fn, NULL, NULL, body, REPLY_APP,
	    app_id_out, OAPP_ID_MAX + 1, err);
}

json_t *
oapps_update(const char *app_id, const json_t *body, struct oerr *err)
{
	return write_op(update_app_fn, app_id, NULL, body, REPLY_APP, NULL,
	    0, err);
}

int
oapps_delete(const char *app_id, struct oerr *err)
{
	return write_none(delete_app_fn, app_id, NULL, err);
}

json_t *
oapps_set_resources(const char *app_id, const char *client_id,
    const json_t *body, struct oerr *err)
{
	return write_op(resources_fn, app_id, client_id, body,
	    client_id != NULL ? REPLY_CLIENT : REPLY_APP, NULL, 0, err);
}

json_t *
oapps_client_add(const char *app_id, const json_t *body,
    char *client_id_out, struct oerr *err)
{
	return write_op(create_client_fn, app_id, NULL, body, REPLY_CLIENT,
	    client_id_out, OCLIENT_ID_MAX + 1, err);
}

json_t *
oapps_client_update(const char *app_id, const char *client_id,
    const json_t *body, struct oerr *err)
{
	return write_op(update_client_fn, app_id, client_id, body,
	    REPLY_CLIENT, NULL, 0, err);
}

int
oapps_client_delete(const char *app_id, const char *client_id,
    struct oerr *err)
{
	return write_none(delete_client_fn, app_id, client_id, err);
}

int
oapps_clients_delete(const char *app_id, struct oerr *err)
{
	return write_none(delete_clients_fn, app_id, NULL, err);
}

/* Visitor state of the application scans of oapps_list(). */
struct applist {
	struct ostore_txn	*t;
	json_t			*out;
	int			 basic;	/* basic info only, no client */
};

/* One application of the scan: append its view. */
static int
list_cb(const struct oapp *app, void *arg, struct oerr *err)
{
	struct applist	*l = arg;
	json_t		*rec, *v;

	if (l->basic) {
		v = json_object();
		set_str(v, "app_id", app->id);
		json_object_set_new(v, "tenant_id", json_null());
		set_str(v, "app_name", app->name);
		set_str(v, "app_description", app->description);
		json_array_append_new(l->out, v);
		return 1;
	}
	rec = default_client(l->t, app);
	json_array_append_new(l->out, oapps_app_view(app, rec, NULL));
	json_decref(rec);
	return 1;
}

/* What a read operation shows. */
enum view {
	VIEW_APPS,	/* {"result": [every application]} */
	VIEW_BASIC,	/* {"result": [every application's basic info]} */
	VIEW_APP,	/* {"result": the application} */
	VIEW_CLIENTS,	/* {"result": [the application's clients]} */
	VIEW_CLIENT	/* {"result": the client} */
};

/*
 * Build what a read operation shows from the store (t), each
 * application with its default client.  No secret is ever shown.
 * Returns a new reference, or NULL with err set.
 */
static json_t *
read_view(struct ostore_txn *t, const char *app_id, const char *client_id,
    enum view what, struct oerr *err)
{
	struct applist	 l;
	struct oapp	 app;
	json_t		*list = NULL, *rec = NULL, *c, *a, *out = NULL;
	size_t		 i;

	if (what == VIEW_APPS || what == VIEW_BASIC) {
		memset(&l, 0, sizeof(l));
		l.t = t;
		l.out = json_array();
		l.basic = what == VIEW_BASIC;
		if (oapp_scan(t, list_cb, &l, err))
			return json_pack("{s:o}", "result", l.out);
		json_decref(l.out);
		return NULL;
	}
	memset(&app, 0, sizeof(app));
	if (!oapp_load(t, app_id, &app, err))
		return NULL;
	switch (what) {
	case VIEW_CLIENT:
		if ((rec = client_load(t, app_id, client_id, err)) != NULL)
			out = json_pack("{s:o}", "result",
			    oapps_client_view(rec, NULL));
		break;
	case VIEW_CLIENTS:
		if ((list = app_clients(t, app_id, err)) == NULL)
			break;
		a = json_array();
		json_array_foreach(list, i, c)
			json_array_append_new(a, oapps_client_view(c, NULL));
		out = json_pack("{s:o}", "result", a);
		break;
	default:
		rec = default_client(t, &app);
		out = json_pack("{s:o}", "result", oapps_app_view(&app, rec,
		    NULL));
		break;
	}
	oapp_clear(&app);
	json_decref(list);
	json_decref(rec);
	return out;
}

/*
 * Run a read operation in one read transaction of its own.  Returns a
 * new reference, or NULL with err set.
 */
static json_t *
read_op(const char *app_id, const char *client_id, enum view what,
    struct oerr *err)
{
	struct ostore_txn	*t;
	json_t			*out;

	if ((t = ostore_read_begin(err)) == NULL)
		return NULL;
	out = read_view(t, app_id, client_id, what, err);
	ostore_read_end(t);
	return out;
}

json_t *
oapps_list(struct oerr *err)
{
	return read_op(NULL, NULL, VIEW_APPS, err);
}

json_t *
oapps_list_basic(struct oerr *err)
{
	return read_op(NULL, NULL, VIEW_BASIC, err);
}

json_t *
oapps_get(const char *app_id, struct oerr *err)
{
	return read_op(app_id, NULL, VIEW_APP, err);
}

json_t *
oapps_clients(const char *app_id, struct oerr *err)
{
	return read_op(app_id, NULL, VIEW_CLIENTS, err);
}

json_t *
oapps_client_get(const char *app_id, const char *client_id,
    struct oerr *err)
{
	return read_op(app_id, client_id, VIEW_CLIENT, err);
}
