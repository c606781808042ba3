/*
 * conf.c: configuration (see conf.h).
 *
 * One table, keys[], says for every key its type, its default (as the
 * text a user would write, parsed like any other value), its bounds and
 * where the result goes in struct oconf.  Loading is four steps:
 *
 *	1. read the file into raw strings, one per key (file_read);
 *	2. for each key in table order take the environment variable if
 *	   set and non-empty, else the file's value, else the default;
 *	3. parse and check that text by the key's type (key_set);
 *	4. cross-key checks (the two ports must differ).
 *
 * The first failure stops loading with one line in errbuf naming where
 * the bad value came from: "file:line: key: ...", "ENV_NAME: ..." or
 * "key: ...".  A secret's value never appears in a message.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/conf.h"
#include "base/crypto.h"
/* the default names OKEYS_ACCESS_TOKEN (lib/records/keys.h) */
#include "base/url.h"
#include "base/util.h"

const struct oconf *oconf = NULL;

#define LINE_MAX_LEN	4096		/* bytes per line, newline excluded */
#define VALUE_MAX_LEN	LINE_MAX_LEN	/* bytes per environment value */
#define URL_MAX_LEN	2048
#define QUOTE_MAX	48		/* bytes of a bad value echoed back */
#define SECRET_FILE_MAX	1024		/* bytes read from secrets.system */
#define SECRET_GEN_LEN	32		/* random bytes of a generated secret */

#define TTL_MAX		(10LL * 365 * 24 * 3600)	/* 87600h */
#define MIB		(1024LL * 1024)
#if SIZE_MAX > 0xffffffffUL
#define MAP_MAX		(1024LL * 1024 * MIB)		/* 1 TiB */
#else
#define MAP_MAX		(1024LL * MIB)			/* 1 GiB */
#endif

enum ktype {
	KT_PORT,	/* int, TCP port */
	KT_BYTES,	/* size_t, plain decimal byte count */
	KT_ISSUER,	/* char *, absolute URL without query, ends in '/' */
	KT_URL,		/* char *, absolute URL; default is issuer + def */
	KT_SECRETS,	/* secrets[] and nsecrets, comma-separated */
	KT_KEY,		/* char *, one secret of at least min bytes, or unset */
	KT_TTL,		/* int64_t seconds, via oconf_duration() */
	KT_BOOL,	/* int, true|false|1|0 */
	KT_INT,		/* int, plain decimal within min..max */
	KT_ENUM,	/* int via set(), one of choices[] */
	KT_NAMES,	/* struct oconf_list, comma-separated names */
	KT_DSN		/* Hydra's dsn: a path names the data directory */
};

#define KF_NEVER	0x1	/* KT_TTL: "-1" means never expires */

struct choice {
	const char	*name;
	int		 value;
};

struct key {
	const char		*name;
	enum ktype		 type;
	const char		*def;	/* default text; see enum ktype */
	long long		 min, max;
	int			 flags;
	size_t			 off;	/* offsetof(struct oconf, field) */
	const struct choice	*choices; /* KT_ENUM, NULL-terminated */
	void			(*set)(struct oconf *, int); /* KT_ENUM */
	/*
	 * KT_NAMES: checks one entry (NULL if good, else why); NULL for
	 * names (name_char()).  max is then an entry's most bytes (0:
	 * OCONF_NAME_MAX).  A list without a default is empty.
	 */
	const char		*(*check)(const char *);
};

/*
 * Key indices.  NOTE: ORDER MATTERS: keys are resolved in this order,
 * and the issuer's default needs serve.public.port while the other
 * URLs' defaults need the final issuer.
 */
enum kid {
	K_PUBLIC_PORT,
	K_ADMIN_PORT,
	K_BODY_MAX,
	K_ADMIN_CORS,
	K_ADMIN_CORS_ORIGINS,
	K_ADMIN_CORS_METHODS,
	K_ADMIN_CORS_HEADERS,
	K_ADMIN_CORS_EXPOSED,
	K_ADMIN_CORS_CREDENTIALS,
	K_ADMIN_CORS_MAX_AGE,
	K_PUBLIC_CORS,
	K_PUBLIC_CORS_ORIGINS,
	K_PUBLIC_CORS_METHODS,
	K_PUBLIC_CORS_HEADERS,
	K_PUBLIC_CORS_EXPOSED,
	K_PUBLIC_CORS_CREDENTIALS,
	K_PUBLIC_CORS_MAX_AGE,
	K_ADMIN_HOSTS,
	K_ISSUER,
	K_URL_ADMIN,
	K_URL_LOGIN,
	K_URL_CONSENT,
	K_URL_LOGOUT,
	K_URL_ERROR,
	K_URL_POST_LOGOUT,
	K_SECRETS,
	K_ADMIN_KEY,
	K_TTL_ACCESS,
	K_TTL_REFRESH,
	K_TTL_ID,
	K_TTL_CODE,
	K_TTL_LOGIN_CONSENT,
	K_REFRESH_GRACE,
	K_JWT_MAX_TTL,
	K_PAR_ENFORCED,
	K_PAR_TTL,
	K_STRATEGY,
	K_DCR,
	K_DCR_SCOPE,
	K_DCR_GRANTS,
	K_DCR_AUDIENCE,
	K_CLIENT_NO_PRIVATE,
	K_CLIENT_IP_EXCEPTIONS,
	K_CLIENT_LOOPBACK_HTTP,
	K_DPOP_NONCE,
	K_SUBJECT_TYPES,
	K_PAIRWISE_SALT,
	K_LOG_LEVEL,
	K_EXPOSE,
	K_MAP_SIZE,
	K_LOCKOUT_ATTEMPTS,
	K_LOCKOUT_WINDOW,
	K_LOCKOUT_DURATION,
	K_BROADCAST_KEYS,
	K_DSN,
	K_LOGOUT_REVOKE,
	K_URL_DEVICE_VERIFICATION,
	K_URL_DEVICE_SUCCESS,
	K_TTL_DEVICE,
	K__MAX
};

static void	set_strategy(struct oconf *, int);
static void	set_log_level(struct oconf *, int);
static const char *origin_check(const char *);
static const char *method_check(const char *);
static const char *header_check(const char *);
static const char *host_check(const char *);
static const char *token_check(const char *);
static const char *url_entry_check(const char *);
static const char *subject_type_check(const char *);

static const struct choice strategies[] = {
	{ "opaque",	OCONF_TOKEN_OPAQUE },
	{ "jwt",	OCONF_TOKEN_JWT },
	{ NULL,		0 }
};

/* "warning" is what Hydra's documentation writes. */
static const struct choice log_levels[] = {
	{ "debug",	OLOG_DEBUG },
	{ "info",	OLOG_INFO },
	{ "warn",	OLOG_WARN },
	{ "warning",	OLOG_WARN },
	{ "error",	OLOG_ERROR },
	{ NULL,		0 }
};

#define F(f)	offsetof(struct oconf, f)

/* Hydra's defaults of serve.*.cors (driver/config/serve.go). */
#define CORS_METHODS	"POST,GET,PUT,PATCH,DELETE,CONNECT,HEAD,OPTIONS,TRACE"
#define CORS_HEADERS	"Accept,Content-Type,Content-Length," \
			"Accept-Language,Content-Language,Authorization"
#define CORS_EXPOSED	"Cache-Control,Expires,Last-Modified,Pragma," \
			"Content-Length,Content-Language,Content-Type"

static const struct key keys[K__MAX] = {
	/* K_PUBLIC_PORT */
	{ "serve.public.port", KT_PORT, "4444", 1, 65535, 0,
	    F(public_port), NULL, NULL },
	/* K_ADMIN_PORT */
	{ "serve.admin.port", KT_PORT, "4445", 1, 65535, 0,
	    F(admin_port), NULL, NULL },
	/* K_BODY_MAX */
	{ "serve.request_body_max", KT_BYTES, "1048576", 1024, 64 * MIB, 0,
	    F(body_max), NULL, NULL },
	/* K_ADMIN_CORS: Hydra's; off, so a browser's cross-site call fails */
	{ "serve.admin.cors.enabled", KT_BOOL, "false", 0, 1, 0,
	    F(admin_cors), NULL, NULL },
	/*
	 * K_ADMIN_CORS_ORIGINS: Hydra's, but empty by default (Hydra's
	 * is "*"): origins must be named, "*" being any.
	 */
	{ "serve.admin.cors.allowed_origins", KT_NAMES, NULL, 0,
	    OCONF_ORIGIN_MAX, 0, F(admin_cors_origins), NULL, NULL,
	    origin_check },
	/*
	 * K_ADMIN_CORS_METHODS to K_ADMIN_CORS_MAX_AGE: Hydra's defaults
	 * (its driver/config defaultCORSOptions), but the methods are the
	 * admin API's own and the exposed headers add Link, X-Total-Count
	 * and Location, which its lists and creations answer with.
	 */
	{ "serve.admin.cors.allowed_methods", KT_NAMES,
	    "GET,HEAD,POST,PUT,PATCH,DELETE", 0, 0, 0,
	    F(admin_cors_methods), NULL, NULL, method_check },
	{ "serve.admin.cors.allowed_headers", KT_NAMES, CORS_HEADERS, 0, 0,
	    0, F(admin_cors_headers), NULL, NULL, header_check },
	{ "serve.admin.cors.exposed_headers", KT_NAMES, CORS_EXPOSED
	    ",Link,X-Total-Count,Location", 0, 0, 0, F(admin_cors_exposed),
	    NULL, NULL, header_check },
	{ "serve.admin.cors.allow_credentials", KT_BOOL, "true", 0, 1, 0,
	    F(admin_cors_credentials), NULL, NULL },
	{ "serve.admin.cors.max_age", KT_INT, "0", 0, INT_MAX, 0,
	    F(admin_cors_max_age), NULL, NULL },
	/*
	 * K_PUBLIC_CORS to K_PUBLIC_CORS_MAX_AGE: Hydra's, defaults
	 * included: enabled with no allowed_origins lets any origin in.
	 */
	{ "serve.public.cors.enabled", KT_BOOL, "false", 0, 1, 0,
	    F(public_cors), NULL, NULL },
	{ "serve.public.cors.allowed_origins", KT_NAMES, NULL, 0,
	    OCONF_ORIGIN_MAX, 0, F(public_cors_origins), NULL, NULL,
	    origin_check },
	{ "serve.public.cors.allowed_methods", KT_NAMES, CORS_METHODS, 0,
	    0, 0, F(public_cors_methods), NULL, NULL, method_check },
	{ "serve.public.cors.allowed_headers", KT_NAMES, CORS_HEADERS, 0,
	    0, 0, F(public_cors_headers), NULL, NULL, header_check },
	{ "serve.public.cors.exposed_headers", KT_NAMES, CORS_EXPOSED, 0,
	    0, 0, F(public_cors_exposed), NULL, NULL, header_check },
	{ "serve.public.cors.allow_credentials", KT_BOOL, "true", 0, 1, 0,
	    F(public_cors_credentials), NULL, NULL },
	{ "serve.public.cors.max_age", KT_INT, "0", 0, INT_MAX, 0,
	    F(public_cors_max_age), NULL, NULL },
	/* K_ADMIN_HOSTS: Host values the admin listener answers besides its own */
	{ "serve.admin.hosts", KT_NAMES, NULL, 0, OCONF_ORIGIN_MAX, 0,
	    F(admin_hosts), NULL, NULL, host_check },
	/* K_ISSUER: default http://127.0.0.1:<serve.public.port>/ */
	{ "urls.self.issuer", KT_ISSUER, NULL, 0, 0, 0,
	    F(issuer), NULL, NULL },
	/* K_URL_ADMIN: default http://127.0.0.1:<serve.admin.port>/ */
	{ "urls.self.admin", KT_ISSUER, NULL, 0, 0, 0,
	    F(admin_url), NULL, NULL },
	/* K_URL_LOGIN */
	{ "urls.login", KT_URL, "ui/login", 0, 0, 0,
	    F(url_login), NULL, NULL },
	/* K_URL_CONSENT */
	{ "urls.consent", KT_URL, "ui/consent", 0, 0, 0,
	    F(url_consent), NULL, NULL },
	/* K_URL_LOGOUT */
	{ "urls.logout", KT_URL, "ui/logout", 0, 0, 0,
	    F(url_logout), NULL, NULL },
	/* K_URL_ERROR */
	{ "urls.error", KT_URL, "ui/error", 0, 0, 0,
	    F(url_error), NULL, NULL },
	/* K_URL_POST_LOGOUT */
	{ "urls.post_logout_redirect", KT_URL, "ui/logged-out", 0, 0, 0,
	    F(url_post_logout), NULL, NULL },
	/* K_SECRETS: none by default; see oconf_secrets() */
	{ "secrets.system", KT_SECRETS, NULL, OCONF_SECRET_MIN,
	    OCONF_SECRETS_MAX, 0, F(secrets), NULL, NULL },
	/* K_ADMIN_KEY: none by default (the admin listener is the fence) */
	{ "secrets.admin", KT_KEY, NULL, OCONF_SECRET_MIN, 0, 0,
	    F(admin_key), NULL, NULL },
	/* K_TTL_ACCESS */
	{ "ttl.access_token", KT_TTL, "1h", 1, TTL_MAX, 0,
	    F(ttl_access_token), NULL, NULL },
	/* K_TTL_REFRESH */
	{ "ttl.refresh_token", KT_TTL, "720h", 1, TTL_MAX, KF_NEVER,
	    F(ttl_refresh_token), NULL, NULL },
	/* K_TTL_ID */
	{ "ttl.id_token", KT_TTL, "1h", 1, TTL_MAX, 0,
	    F(ttl_id_token), NULL, NULL },
	/* K_TTL_CODE */
	{ "ttl.auth_code", KT_TTL, "10m", 1, TTL_MAX, 0,
	    F(ttl_auth_code), NULL, NULL },
	/* K_TTL_LOGIN_CONSENT */
	{ "ttl.login_consent_request", KT_TTL, "30m", 1, TTL_MAX, 0,
	    F(ttl_login_consent), NULL, NULL },
	/*
	 * K_REFRESH_GRACE: Hydra 2.3's graceful refresh token rotation;
	 * 0 is strict rotation, and Hydra caps the period at 5m.
	 */
	{ "oauth2.grant.refresh_token.rotation_grace_period", KT_TTL, "0",
	    0, 5 * 60, 0, F(refresh_grace), NULL, NULL },
	/*
	 * K_JWT_MAX_TTL: Hydra's; how far in the future a jwt-bearer
	 * grant's assertion may expire (RFC 7523 §3 item 4)
	 */
	{ "oauth2.grant.jwt.max_ttl", KT_TTL, "720h", 1, TTL_MAX, 0,
	    F(jwt_max_ttl), NULL, NULL },
	/*
	 * K_PAR_ENFORCED: every authorization request must be pushed
	 * (RFC 9126 §5: require_pushed_authorization_requests)
	 */
	{ "oauth2.pushed_authorization_requests.enforced", KT_BOOL, "false",
	    0, 1, 0, F(par_enforced), NULL, NULL },
	/* K_PAR_TTL: how long a pushed request's request_uri lives */
	{ "oauth2.pushed_authorization_requests.ttl", KT_TTL, "60s", 1,
	    3600, 0, F(par_ttl), NULL, NULL },
	/* K_STRATEGY */
	{ "strategies.access_token", KT_ENUM, "opaque", 0, 0, 0,
	    0, strategies, set_strategy },
	/* K_DCR */
	{ "oidc.dynamic_client_registration.enabled", KT_BOOL, "false",
	    0, 1, 0, F(dcr_enabled), NULL, NULL },
	/*
	 * K_DCR_SCOPE: Hydra's; the scope of a self-registered client
	 * that asks for none, and (oidcgi) the most it may ask for.
	 */
	{ "oidc.dynamic_client_registration.default_scope", KT_NAMES,
	    "offline_access,offline,openid", 0, 0, 0, F(dcr_scope), NULL,
	    NULL, token_check },
	/* K_DCR_GRANTS: grant types a self-registered client may have */
	{ "oidc.dynamic_client_registration.allowed_grant_types", KT_NAMES,
	    "authorization_code,refresh_token,implicit", 0, 0, 0,
	    F(dcr_grant_types), NULL, NULL, token_check },
	/* K_DCR_AUDIENCE: audiences it may ask for (none by default) */
	{ "oidc.dynamic_client_registration.allowed_audience", KT_NAMES,
	    NULL, 0, OCONF_ORIGIN_MAX, 0, F(dcr_audience), NULL, NULL,
	    token_check },
	/*
	 * K_CLIENT_NO_PRIVATE: Hydra's; refuse internal hosts in the URIs
	 * of every client, not only self-registered ones (lib/records/clients.h)
	 */
	{ "clients.http.disallow_private_ip_ranges", KT_BOOL, "false", 0, 1,
	    0, F(client_http_no_private), NULL, NULL },
	/* K_CLIENT_IP_EXCEPTIONS: Hydra's; URIs allowed all the same */
	{ "clients.http.private_ip_exception_urls", KT_NAMES, NULL, 0,
	    URL_MAX_LEN, 0, F(client_http_exceptions), NULL, NULL,
	    url_entry_check },
	/*
	 * K_CLIENT_LOOPBACK_HTTP: oidcgi's; a client's jwks_uri may be
	 * http:// on a loopback address (development and tests)
	 */
	{ "clients.http.allow_loopback_http", KT_BOOL, "false", 0, 1,
	    0, F(client_http_loopback), NULL, NULL },
	/* K_DPOP_NONCE: DPoP proofs need a server nonce (RFC 9449 §8) */
	{ "oauth2.dpop.require_nonce", KT_BOOL, "false", 0, 1, 0,
	    F(dpop_nonce), NULL, NULL },
	/* K_SUBJECT_TYPES: Hydra's; "public" and/or "pairwise" */
	{ "oidc.subject_identifiers.supported_types", KT_NAMES, "public", 0,
	    0, 0, F(subject_types), NULL, NULL, subject_type_check },
	/* K_PAIRWISE_SALT: Hydra's; pairwise needs it (oconf_load()) */
	{ "oidc.subject_identifiers.pairwise.salt", KT_KEY, NULL, 8, 0, 0,
	    F(pairwise_salt), NULL, NULL },
	/* K_LOG_LEVEL */
	{ "log.level", KT_ENUM, "info", 0, 0, 0,
	    0, log_levels, set_log_level },
	/* K_EXPOSE */
	{ "oauth2.expose_internal_errors", KT_BOOL, "false", 0, 1, 0,
	    F(expose_debug), NULL, NULL },
	/* K_MAP_SIZE */
	{ "store.map_size", KT_BYTES, "67108864", MIB, MAP_MAX, 0,
	    F(map_size), NULL, NULL },
	/* K_LOCKOUT_ATTEMPTS: failed sign-ins on one username that lock it */
	{ "ui.lockout.attempts", KT_INT, "5", 1, 1000, 0,
	    F(lockout_attempts), NULL, NULL },
	/* K_LOCKOUT_WINDOW: ... when they fall within this time */
	{ "ui.lockout.window", KT_TTL, "15m", 1, 30LL * 24 * 3600, 0,
	    F(lockout_window), NULL, NULL },
	/* K_LOCKOUT_DURATION: how long the username then stays locked */
	{ "ui.lockout.duration", KT_TTL, "15m", 1, 30LL * 24 * 3600, 0,
	    F(lockout_duration), NULL, NULL },
	/*
	 * K_BROADCAST_KEYS: key sets /.well-known/jwks.json publishes
	 * besides the two token sets (it always does); Hydra's default.
	 */
	{ "webfinger.jwks.broadcast_keys", KT_NAMES, "hydra.jwt.access-token",
	    0, 0, 0, F(broadcast_keys), NULL, NULL },
	/*
	 * K_DSN: Hydra's database DSN.  A path names the data directory
	 * (the LMDB store); OIDCGI_DATA_DIR wins over it.  See dsn_set().
	 */
	{ "dsn", KT_DSN, NULL, 0, 0, 0, F(data_dir), NULL, NULL },
	/*
	 * K_LOGOUT_REVOKE: a login session that ends (logout, the admin
	 * API) takes the tokens issued under it along (off, as Hydra)
	 */
	{ "oauth2.logout.revoke_tokens", KT_BOOL, "false", 0, 1, 0,
	    F(logout_revoke), NULL, NULL },
	/* K_URL_DEVICE_VERIFICATION: where a user types a device's code */
	{ "urls.device.verification", KT_URL, "ui/device", 0, 0, 0,
	    F(url_device_verification), NULL, NULL },
	/* K_URL_DEVICE_SUCCESS: where a device flow ends for the user */
	{ "urls.device.success", KT_URL, "ui/device/done", 0, 0, 0,
	    F(url_device_success), NULL, NULL },
	/* K_TTL_DEVICE: how long a device and user code live (RFC 8628) */
	{ "ttl.device_user_code", KT_TTL, "10m", 1, TTL_MAX, 0,
	    F(ttl_device_user_code), NULL, NULL },
};

#undef F

/*
 * Raw text of each key as the file gave it (owned), with its line, before
 * the environment and defaults are applied.
 */
struct raw {
	char	*val[K__MAX];
	size_t	 line[K__MAX];
};

/*
 * Setter of strategies.access_token.
 */
static void
set_strategy(struct oconf *c, int v)
{
	c->access_token_strategy = (enum oconf_token_strategy)v;
}

/*
 * Setter of log.level.
 */
static void
set_log_level(struct oconf *c, int v)
{
	c->log_level = (enum olog_level)v;
}

/*
 * Format one line into errbuf (which may be NULL when errsz is 0).
 */
static void
seterr(char *errbuf, size_t errsz, const char *fmt, ...)
{
	va_list	 ap;

	if (errbuf == NULL || errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errsz, fmt, ap);
	va_end(ap);
}

/*
 * Copy s into buf as a short, printable, double-quoted string for an
 * error message: at most QUOTE_MAX bytes, anything outside printable
 * ASCII shown as '?', "..." appended when cut.  Returns buf.
 * NEVER use it on a secret.
 */
static const char *
quote(char *buf, size_t bufsz, const char *s)
{
	size_t	 i, j = 0;

	if (bufsz < QUOTE_MAX + 6)
		return "";
	buf[j++] = '"';
	for (i = 0; s[i] != '\0' && i < QUOTE_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];
		buf[j++] = (ch < 0x20 || ch >= 0x7f) ? '?' : (char)ch;
	}
	if (s[i] != '\0') {
		memcpy(buf + j, "...", 3);
		j += 3;
	}
	buf[j++] = '"';
	buf[j] = '\0';
	return buf;
}

/*
 * Write the environment variable name of a key into buf: upper case,
 * '.' as '_' (urls.self.issuer -> URLS_SELF_ISSUER), as Hydra names them.
 */
static void
key_envname(const char *name, char *buf, size_t bufsz)
{
	size_t	 i;

	for (i = 0; name[i] != '\0' && i + 1 < bufsz; i++)
		buf[i] = name[i] == '.' ? '_' :
		    (char)toupper((unsigned char)name[i]);
	buf[i] = '\0';
}

/*
 * Look a key name up in the table.  Returns its index or K__MAX.
 */
static enum kid
key_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < K__MAX; i++)
		if (strcmp(keys[i].name, name) == 0)
			return (enum kid)i;
	return K__MAX;
}

/*
 * Parse a duration ("1h30m", "3600s", "90", "-1") into seconds.
 * Like Go's time.ParseDuration restricted to whole seconds: one or more
 * <digits><unit> with unit h, m or s, in any order, summed; or a bare
 * number of seconds; or exactly "-1".  Fractions ("1.5h"), signs other
 * than the lone "-1", spaces and sub-second units (ms, us, ns) are
 * refused.  "0" parses as 0; callers decide whether that is allowed.
 * Returns 1, or 0 on malformed input or int64_t overflow.
 */
int
oconf_duration(const char *s, int64_t *out)
{
	int64_t	 total = 0, n, mul;
	int	 first = 1, d;

	if (s == NULL || *s == '\0')
		return 0;
	if (strcmp(s, "-1") == 0) {
		*out = -1;
		return 1;
	}
	while (*s != '\0') {
		if (*s < '0' || *s > '9')
			return 0;
		for (n = 0; *s >= '0' && *s <= '9'; s++) {
			d = *s - '0';
			if (n > (INT64_MAX - d) / 10)
				return 0;
			n = n * 10 + d;
		}
		switch (*s) {
		case 'h':
			mul = 3600;
			s++;
			break;
		case 'm':
			mul = 60;
			s++;
			break;
		case 's':
			mul = 1;
			s++;
			break;
		case '\0':
			/* A bare number is seconds, but not "1h30". */
			if (!first)
				return 0;
			mul = 1;
			break;
		default:
			return 0;
		}
		if (n > INT64_MAX / mul)
			return 0;
		n *= mul;
		if (total > INT64_MAX - n)
			return 0;
		total += n;
		first = 0;
	}
	*out = total;
	return 1;
}

/*
 * Check an absolute http(s) URL: scheme http or https (any case), a
 * non-empty host (name, IPv4 or [IPv6]) with an optional port 1-65535,
 * no user info, no fragment, a query only if allowed, and no byte that
 * must be percent-encoded (RFC 3986 §2).  Returns NULL if good, else the
 * reason for the message ("is not an absolute http(s) URL", ...).
 */
static const char *
url_check(const char *s, int allow_query)
{
	struct ourl	 u;
	const char	*why;

	if (strncasecmp(s, "http://", 7) != 0 &&
	    strncasecmp(s, "https://", 8) != 0)
		return "is not an absolute http(s) URL";
	if ((why = ourl_parse(s, &u)) != NULL)
		return strcmp(why, "has no host") == 0 ?
		    "is not an absolute http(s) URL" : why;
	if (u.has_userinfo)
		return "has user info (user@host)";
	if (u.has_fragment)
		return "has a fragment";
	if (u.has_query && !allow_query)
		return "has a query";
	return NULL;
}

/*
 * Split a comma-separated secrets.system value into c->secrets[].
 * Entries are taken verbatim (no trimming: a secret may hold any byte
 * but ','); each must be at least OCONF_SECRET_MIN bytes.  Messages
 * name the entry by number, never by value.  Returns 1, or 0 with
 * "<where>: ..." in errbuf.
 */
static int
secrets_set(struct oconf *c, const char *val, const char *where,
    char *errbuf, size_t errsz)
{
	const char	*p, *comma;
	size_t		 len, n = 0;

	for (p = val; ; p = comma + 1) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (n == OCONF_SECRETS_MAX) {
			seterr(errbuf, errsz, "%s: more than %d entries",
			    where, OCONF_SECRETS_MAX);
			return 0;
		}
		if (len == 0) {
			seterr(errbuf, errsz, "%s: entry %zu is empty",
			    where, n + 1);
			return 0;
		}
		if (len < OCONF_SECRET_MIN) {
			seterr(errbuf, errsz, "%s: entry %zu is shorter "
			    "than %d bytes", where, n + 1, OCONF_SECRET_MIN);
			return 0;
		}
		c->secrets[n++] = oxstrndup(p, len);
		c->nsecrets = n;
		if (comma == NULL)
			break;
	}
	return 1;
}

/*
 * Free the names of a list and empty it.
 */
static void
list_free(struct oconf_list *l)
{
	size_t	 i;

	for (i = 0; i < OCONF_LIST_MAX; i++)
		free(l->v[i]);
	memset(l, 0, sizeof(*l));
}

/*
 * Whether ch may be in a name of a list: ASCII letters, digits, '.',
 * '-' and '_', so a key set name needs no escaping in a path, a log
 * line or this file.
 */
static int
name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_';
}

/*
 * An entry of serve.*.cors.allowed_origins: "*" (any origin), or an
 * origin as browsers send it (RFC 6454 §6.1): http or https, a host
 * and an optional port, nothing else; with at most one '*' standing
 * for part of the host (https:// then "*.example.com"; "*" alone: any
 * https origin), as Hydra's configuration schema allows.  NULL if
 * good, else why.
 */
static const char *
origin_check(const char *s)
{
	struct ourl	 u;
	char		 buf[OCONF_ORIGIN_MAX + 1], *star;

	if (strcmp(s, "*") == 0)
		return NULL;
	if (strncasecmp(s, "http://", 7) != 0 &&
	    strncasecmp(s, "https://", 8) != 0)
		return "is not \"*\" or an origin (http[s]://host[:port])";
	if (strlen(s) >= sizeof(buf))
		return "is too long";
	memcpy(buf, s, strlen(s) + 1);
	if ((star = strchr(buf, '*')) != NULL) {
		if (strchr(star + 1, '*') != NULL)
			return "has more than one '*'";
		if (strpbrk(strstr(buf, "://") + 3, "/?#@") != NULL)
			return "is not an origin (http[s]://host[:port], "
			    "no path)";
		if (strcmp(star - 3, "://*") == 0)
			return NULL;	/* "<scheme>://" "*": any host */
		*star = 'x';
	}
	if (ourl_parse(buf, &u) != NULL || u.has_userinfo ||
	    u.path_len != 0 || u.has_query || u.has_fragment ||
	    u.host[0] == '\0')
		return "is not an origin (http[s]://host[:port], no path)";
	return NULL;
}

/*
 * An entry of serve.*.cors.allowed_methods: one of the methods Hydra's
 * configuration schema lists.  NULL if good, else why.
 */
static const char *
method_check(const char *s)
{
	static const char *const m[] = { "POST", "GET", "PUT", "PATCH",
	    "DELETE", "CONNECT", "HEAD", "OPTIONS", "TRACE" };
	size_t	 i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (strcmp(s, m[i]) == 0)
			return NULL;
	return "is not one of POST, GET, PUT, PATCH, DELETE, CONNECT, "
	    "HEAD, OPTIONS, TRACE";
}

/*
 * An entry of serve.*.cors.allowed_headers or exposed_headers: a
 * header name (RFC 9110 §5.1, a token), or "*".  NULL if good, else
 * why.
 */
static const char *
header_check(const char *s)
{
	if (strcmp(s, "*") == 0)
		return NULL;
	if (strspn(s, "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(s))
		return "is not a header name";
	return NULL;
}

/*
 * An entry of serve.admin.hosts: "*" (any Host), or a host name, IPv4
 * or [IPv6] literal with an optional port, as a Host header carries it
 * (RFC 9110 §7.2).  NULL if good, else why.
 */
static const char *
host_check(const char *s)
{
	struct ourl	 u;
	char		 buf[OCONF_ORIGIN_MAX + 16];

	if (strcmp(s, "*") == 0)
		return NULL;
	snprintf(buf, sizeof(buf), "http://%s", s);
	if (strpbrk(s, "/?#@") != NULL || ourl_parse(buf, &u) != NULL ||
	    u.host[0] == '\0')
		return "is not \"*\" or a host[:port]";
	return NULL;
}

/*
 * An entry of the oidc.dynamic_client_registration.* lists: a scope
 * token (RFC 6749 §3.3 NQCHAR), a grant type or an audience, without
 * ','.  NULL if good, else why.
 */
static const char *
token_check(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x21 || *s > 0x7e || *s == '"' || *s == '\\')
			return "may only hold visible ASCII characters but "
			    "'\"' and '\\'";
	return NULL;
}

/*
 * An entry of oidc.subject_identifiers.supported_types (OpenID Connect
 * Core §8).  NULL if good, else why.
 */
static const char *
subject_type_check(const char *s)
{
	if (strcmp(s, "public") != 0 && strcmp(s, "pairwise") != 0)
		return "is neither \"public\" nor \"pairwise\"";
	return NULL;
}

/*
 * An entry of clients.http.private_ip_exception_urls: an absolute
 * http(s) URL, compared byte for byte.  NULL if good, else why.
 */
static const char *
url_entry_check(const char *s)
{
	struct ourl	 u;

	if (ourl_parse(s, &u) != NULL || (strcmp(u.scheme, "http") != 0 &&
	    strcmp(u.scheme, "https") != 0) || u.host[0] == '\0')
		return "is not an absolute http(s) URL";
	return NULL;
}

/*
 * Split a comma-separated list of names into l, replacing what it held.
 * Spaces and tabs around an entry are trimmed ("a, b", as YAML and
 * environment lists are often written).  Each entry must be 1 to max
 * bytes (0: OCONF_NAME_MAX) for which check() holds (NULL: name_char()
 * for every byte); at most OCONF_LIST_MAX entries.  Duplicates are kept
 * (users of the list skip them).  Returns 1, or 0 with "<where>: ..."
 * in errbuf; l then holds the entries before the bad one, for
 * oconf_free().
 */
static int
names_set(struct oconf_list *l, const char *val, const char *where,
    size_t max, const char *(*check)(const char *), char *errbuf,
    size_t errsz)
{
	const char	*p, *comma, *end;
	char		 q[QUOTE_MAX + 8], *s;
	const char	*why;
	size_t		 i, len;

	if (max == 0)
		max = OCONF_NAME_MAX;
	list_free(l);
	for (p = val; ; p = comma + 1) {
		comma = strchr(p, ',');
		end = comma != NULL ? comma : p + strlen(p);
		p += strspn(p, " \t");
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		len = (size_t)(end - p);
		if (l->n == OCONF_LIST_MAX) {
			seterr(errbuf, errsz, "%s: more than %d entries",
			    where, OCONF_LIST_MAX);
			return 0;
		}
		if (len == 0) {
			seterr(errbuf, errsz, "%s: entry %zu is empty",
			    where, l->n + 1);
			return 0;
		}
		s = oxstrndup(p, len);
		if (len > max) {
			seterr(errbuf, errsz, "%s: entry %zu %s is longer "
			    "than %zu bytes", where, l->n + 1,
			    quote(q, sizeof(q), s), max);
			free(s);
			return 0;
		}
		if (check != NULL && (why = check(s)) != NULL) {
			seterr(errbuf, errsz, "%s: entry %zu %s %s", where,
			    l->n + 1, quote(q, sizeof(q), s), why);
			free(s);
			return 0;
		}
		for (i = 0; check == NULL && i < len && name_char(s[i]); i++)
			continue;
		if (check == NULL && i < len) {
			seterr(errbuf, errsz, "%s: entry %zu %s may only hold "
			    "letters, digits, '.', '-' and '_'", where,
			    l->n + 1, quote(q, sizeof(q), s));
			free(s);
			return 0;
		}
		l->v[l->n++] = s;
		if (comma == NULL)
			break;
	}
	return 1;
}

/*
 * Append src to the NUL-terminated string in dst of size dstsz,
 * truncating silently (only used for messages).
 */
static void
append(char *dst, const char *src, size_t dstsz)
{
	size_t	 len = strlen(dst);

	if (len + 1 < dstsz)
		snprintf(dst + len, dstsz - len, "%s", src);
}

/*
 * A bound of a duration key for a message, in its largest whole unit
 * ("1s", "5m", "87600h").  Returns buf.
 */
static const char *
dur(long long secs, char *buf, size_t bufsz)
{
	if (secs >= 3600 && secs % 3600 == 0)
		snprintf(buf, bufsz, "%lldh", secs / 3600);
	else if (secs >= 60 && secs % 60 == 0)
		snprintf(buf, bufsz, "%lldm", secs / 60);
	else
		snprintf(buf, bufsz, "%llds", secs);
	return buf;
}

/*
 * Set the store from Hydra's dsn (where names the source).  A
 * postgres:// or postgresql:// URL is the PostgreSQL database of the
 * store (kept in c->dsn, never echoed: it may hold a password); any
 * other "scheme:" is refused.  A path names the data directory (the
 * LMDB store); a relative one from the file is relative to the file's
 * folder.  OIDCGI_DATA_DIR, when set, wins (data_from says so) and the
 * path is only checked.
 * Returns 1, or 0 with a message in errbuf.
 */
static int
dsn_set(struct oconf *c, const char *val, const char *where, char *errbuf,
    size_t errsz)
{
	const char	*slash;
	char		*dir;
	size_t		 len, dlen = 0;

	len = strcspn(val, ":/");
	if (strncmp(val, "postgres://", 11) == 0 ||
	    strncmp(val, "postgresql://", 13) == 0) {
		if (strlen(val) > 4096) {
			seterr(errbuf, errsz, "%s: longer than 4096 bytes",
			    where);
			return 0;
		}
		free(c->dsn);
		c->dsn = oxstrdup(val);
		return 1;
	}
	if (strncmp(val, "cockroach://", 12) == 0) {
		seterr(errbuf, errsz, "%s: CockroachDB is reached as "
		    "postgres://...; set dsn to a postgres:// URL or to the "
		    "data directory's path", where);
		return 0;
	}
	if (val[len] == ':' || strcmp(val, "memory") == 0) {
		seterr(errbuf, errsz, "%s: not a path; dsn names the data "
		    "directory (the LMDB store), e.g. /var/lib/oidcgi", where);
		return 0;
	}
	len = strlen(val);
	while (len > 1 && val[len - 1] == '/')
		len--;
	if (len == 1 && val[0] == '/') {
		seterr(errbuf, errsz, "%s: \"/\" cannot be the data "
		    "directory", where);
		return 0;
	}
	if (len > PATH_MAX - sizeof(OCONF_SECRET_FILE) - 64) {
		seterr(errbuf, errsz, "%s: path too long", where);
		return 0;
	}
	if (c->data_from != NULL)
		return 1;		/* OIDCGI_DATA_DIR wins */
	/* Relative to the configuration file's folder when from it. */
	if (val[0] != '/' && strcmp(where, "DSN") != 0 && c->path != NULL &&
	    (slash = strrchr(c->path, '/')) != NULL)
		dlen = (size_t)(slash - c->path) + 1;
	dir = oxmalloc(dlen + len + 1);
	memcpy(dir, c->path != NULL ? c->path : "", dlen);
	memcpy(dir + dlen, val, len);
	dir[dlen + len] = '\0';
	free(c->data_dir);
	c->data_dir = dir;
	c->data_from = strcmp(where, "DSN") == 0 ? "DSN" : "dsn";
	return 1;
}

/*
 * Parse val by key k's type and store it in c.  where names the source
 * for messages ("file:line: key", "ENV_NAME" or "key").
 * Returns 1, or 0 with a message in errbuf.
 */
static int
key_set(struct oconf *c, enum kid k, const char *val, const char *where,
    char *errbuf, size_t errsz)
{
	const struct key	*kt = &keys[k];
	unsigned char		*field = (unsigned char *)c + kt->off;
	const struct choice	*ch;
	const char		*why;
	char			 q[QUOTE_MAX + 8], list[128], *s;
	long long		 v;
	int64_t			 d;
	size_t			 len;

	switch (kt->type) {
	case KT_PORT:
		if (!ostrtonum(val, strlen(val), kt->min, kt->max, &v)) {
			seterr(errbuf, errsz, "%s: %s is not a port (%lld-%lld)",
			    where, quote(q, sizeof(q), val), kt->min, kt->max);
			return 0;
		}
		*(int *)(void *)field = (int)v;
		return 1;
	case KT_INT:
		if (!ostrtonum(val, strlen(val), kt->min, kt->max, &v)) {
			seterr(errbuf, errsz, "%s: %s is not a number "
			    "(%lld-%lld)", where, quote(q, sizeof(q), val),
			    kt->min, kt->max);
			return 0;
		}
		*(int *)(void *)field = (int)v;
		return 1;
	case KT_BYTES:
		if (!ostrtonum(val, strlen(val), kt->min, kt->max, &v)) {
			seterr(errbuf, errsz, "%s: %s is not a size in bytes "
			    "(%lld-%lld)", where, quote(q, sizeof(q), val),
			    kt->min, kt->max);
			return 0;
		}
		*(size_t *)(void *)field = (size_t)v;
		return 1;
	case KT_ISSUER:
	case KT_URL:
		if ((why = url_check(val, kt->type == KT_URL)) != NULL) {
			seterr(errbuf, errsz, "%s: %s %s", where,
			    quote(q, sizeof(q), val), why);
			return 0;
		}
		len = strlen(val);
		if (kt->type == KT_ISSUER && val[len - 1] != '/') {
			s = oxmalloc(len + 2);
			memcpy(s, val, len);
			memcpy(s + len, "/", 2);
		} else
			s = oxstrdup(val);
		free(*(char **)(void *)field);
		*(char **)(void *)field = s;
		return 1;
	case KT_SECRETS:
		return secrets_set(c, val, where, errbuf, errsz);
	case KT_DSN:
		return dsn_set(c, val, where, errbuf, errsz);
	case KT_NAMES:
		return names_set((struct oconf_list *)(void *)field, val,
		    where, (size_t)kt->max, kt->check, errbuf, errsz);
	case KT_KEY:
		if (strlen(val) < (size_t)kt->min) {
			seterr(errbuf, errsz, "%s: is shorter than %lld bytes",
			    where, kt->min);
			return 0;
		}
		*(char **)(void *)field = oxstrdup(val);
		return 1;
	case KT_TTL:
		if (!oconf_duration(val, &d)) {
			seterr(errbuf, errsz, "%s: %s is not a duration "
			    "(e.g. 1h, 30m, 3600s)", where,
			    quote(q, sizeof(q), val));
			return 0;
		}
		if ((d < kt->min || d > kt->max) &&
		    !(d == -1 && (kt->flags & KF_NEVER))) {
			seterr(errbuf, errsz, "%s: %s is out of range "
			    "(%s to %s%s)", where, quote(q, sizeof(q), val),
			    dur(kt->min, list, sizeof(list) / 2),
			    dur(kt->max, list + sizeof(list) / 2,
			    sizeof(list) / 2),
			    (kt->flags & KF_NEVER) ? ", or -1 for never" : "");
			return 0;
		}
		*(int64_t *)(void *)field = d;
		return 1;
	case KT_BOOL:
		if (strcmp(val, "true") == 0 || strcmp(val, "1") == 0)
			*(int *)(void *)field = 1;
		else if (strcmp(val, "false") == 0 || strcmp(val, "0") == 0)
			*(int *)(void *)field = 0;
		else {
			seterr(errbuf, errsz, "%s: %s is not a boolean "
			    "(true or false)", where, quote(q, sizeof(q), val));
			return 0;
		}
		return 1;
	case KT_ENUM:
		for (ch = kt->choices; ch->name != NULL; ch++)
			if (strcmp(val, ch->name) == 0) {
				kt->set(c, ch->value);
				return 1;
			}
		list[0] = '\0';
		for (ch = kt->choices; ch->name != NULL; ch++) {
			if (ch != kt->choices)
				append(list, ", ", sizeof(list));
			append(list, ch->name, sizeof(list));
		}
		seterr(errbuf, errsz, "%s: %s is not one of: %s", where,
		    quote(q, sizeof(q), val), list);
		return 0;
	}
	abort();
}

/*
 * Take the value part of a line (already trimmed, NUL-terminated, may be
 * empty) and return it as a new string: verbatim, or, if it starts with
 * '"', the text up to the closing '"' with \" and \\ unescaped (any other
 * backslash is refused, and nothing but spaces may follow the closing
 * quote).  Returns NULL with *why set on a malformed quoted value.
 */
static char *
value_unquote(const char *v, const char **why)
{
	char	*out, *o;

	if (*v != '"')
		return oxstrdup(v);
	o = out = oxmalloc(strlen(v));
	for (v++; *v != '"'; v++) {
		if (*v == '\0') {
			*why = "unterminated quoted value";
			goto fail;
		}
		if (*v == '\\') {
			v++;
			if (*v != '"' && *v != '\\') {
				*why = "bad escape in quoted value "
				    "(only \\\" and \\\\)";
				goto fail;
			}
		}
		*o++ = *v;
	}
	if (v[1] != '\0') {
		*why = "text after the closing quote";
		goto fail;
	}
	*o = '\0';
	return out;
fail:
	free(out);
	return NULL;
}

/*
 * Read one line of at most LINE_MAX_LEN bytes (newline excluded) from f
 * into buf (LINE_MAX_LEN + 1 bytes), NUL-terminated, without the newline
 * or a trailing CR.  Returns 1 with a line, 0 at end of file, -1 if the
 * line is too long or holds a NUL byte (*why says which; the rest of the
 * line is not consumed), -2 on a read error.
 */
static int
line_read(FILE *f, char *buf, const char **why)
{
	size_t	 n = 0;
	int	 ch;

	while ((ch = getc(f)) != EOF && ch != '\n') {
		if (ch == '\0') {
			*why = "line holds a NUL byte";
			return -1;
		}
		if (n == LINE_MAX_LEN) {
			*why = "line longer than 4096 bytes";
			return -1;
		}
		buf[n++] = (char)ch;
	}
	if (ferror(f))
		return -2;
	if (ch == EOF && n == 0)
		return 0;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return 1;
}

/*
 * Read the configuration file f (named path for messages) into raw:
 * "key = value" lines, whole-line '#' comments and blank lines.  An
 * unknown or repeated key is an error, so typos cannot pass silently.
 * Returns 1, or 0 with "path:line: ..." in errbuf.
 */
static int
file_read(FILE *f, const char *path, struct raw *raw, char *errbuf,
    size_t errsz)
{
	char		*buf = NULL, *key, *eq, *val, *end;
	char		 q[QUOTE_MAX + 8];
	const char	*why = NULL;
	size_t		 line = 0;
	enum kid	 k;
	int		 rc = 0, r;

	buf = oxmalloc(LINE_MAX_LEN + 1);
	while ((r = line_read(f, buf, &why)) == 1) {
		line++;
		key = buf;
		/* A UTF-8 byte order mark is allowed at the very start. */
		if (line == 1 && strncmp(key, "\xef\xbb\xbf", 3) == 0)
			key += 3;
		if (!outf8(key, strlen(key))) {
			seterr(errbuf, errsz, "%s:%zu: not valid UTF-8",
			    path, line);
			goto out;
		}
		key += strspn(key, " \t");
		if (*key == '\0' || *key == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			/* Don't echo the line: it may be a secret. */
			seterr(errbuf, errsz, "%s:%zu: expected "
			    "\"key = value\"", path, line);
			goto out;
		}
		for (end = eq; end > key && (end[-1] == ' ' ||
		    end[-1] == '\t'); end--)
			continue;
		*end = '\0';
		val = eq + 1;
		val += strspn(val, " \t");
		for (end = val + strlen(val); end > val && (end[-1] == ' ' ||
		    end[-1] == '\t'); end--)
			continue;
		*end = '\0';

		if (*key == '\0') {
			seterr(errbuf, errsz, "%s:%zu: missing key before "
			    "'='", path, line);
			goto out;
		}
		if ((k = key_find(key)) == K__MAX) {
			seterr(errbuf, errsz, "%s:%zu: unknown key %s",
			    path, line, quote(q, sizeof(q), key));
			goto out;
		}
		if (raw->val[k] != NULL) {
			seterr(errbuf, errsz, "%s:%zu: duplicate key \"%s\" "
			    "(first on line %zu)", path, line, keys[k].name,
			    raw->line[k]);
			goto out;
		}
		if ((raw->val[k] = value_unquote(val, &why)) == NULL) {
			seterr(errbuf, errsz, "%s:%zu: %s: %s", path, line,
			    keys[k].name, why);
			goto out;
		}
		raw->line[k] = line;
	}
	if (r == -1)
		seterr(errbuf, errsz, "%s:%zu: %s", path, line + 1, why);
	else if (r == -2)
		seterr(errbuf, errsz, "%s: read error", path);
	else
		rc = 1;
out:
	free(buf);
	return rc;
}

/*
 * The path of "oidcgi.conf" in the folder of the running binary, into
 * buf (a shared host keeps it beside the binaries, where suexec's
 * cleaned environment cannot name it).  Returns 1, or 0 when the
 * binary's path is unknown.
 */
static int
beside_binary(char *buf, size_t bufsz)
{
	char	 exe[PATH_MAX];
	char	*slash;
	ssize_t	 n;

	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
		return 0;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return 0;
	slash[1] = '\0';
	return (size_t)snprintf(buf, bufsz, "%s%s", exe,
	    OCONF_FILE_NAME) < bufsz;
}

/*
 * Open the configuration file (see conf.h for the order it is looked
 * for in).  Sets *fp (NULL when there is no file) and c->path.
 * Returns 1, or 0 with a message in errbuf.
 */
static int
file_open(struct oconf *c, const char *path, FILE **fp, char *errbuf,
    size_t errsz)
{
	const char	*env, *pfx = "";
	char		 beside[PATH_MAX];
	struct stat	 st;
	FILE		*f = NULL;
	int		 named = 1, dflt = 0;

	*fp = NULL;
	if (path == NULL && (env = oenv("OIDCGI_CONFIG")) != NULL) {
		path = env;
		pfx = "OIDCGI_CONFIG: ";
	}
	if (path == NULL && beside_binary(beside, sizeof(beside)) &&
	    access(beside, F_OK) == 0)
		path = beside;
	if (path == NULL) {
		path = OCONF_DEFAULT_PATH;
		named = OCONF_FILE_REQUIRED;
		dflt = 1;
	}
	if ((f = fopen(path, "r")) == NULL) {
		if (!named && errno == ENOENT)
			return 1;
		if (dflt && errno == ENOENT) {
			seterr(errbuf, errsz, "no configuration file: %s does "
			    "not exist (copy the example configuration there, "
			    "put %s beside the binaries, or name one in "
			    "OIDCGI_CONFIG)", path, OCONF_FILE_NAME);
			return 0;
		}
		seterr(errbuf, errsz, "%s%s: %s", pfx, path, strerror(errno));
		return 0;
	}
	if (fstat(fileno(f), &st) == -1) {
		seterr(errbuf, errsz, "%s: %s", path, strerror(errno));
		fclose(f);
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		seterr(errbuf, errsz, "%s: not a regular file", path);
		fclose(f);
		return 0;
	}
	c->path = oxstrdup(path);
	*fp = f;
	return 1;
}

/*
 * Set c->data_dir from $OIDCGI_DATA_DIR, trailing slashes removed, when
 * it is set (the dsn key or the default come later).  Returns 1, or 0
 * if nothing is left.
 */
static int
data_dir_set(struct oconf *c, char *errbuf, size_t errsz)
{
	const char	*env;
	size_t		 len;

	if ((env = oenv("OIDCGI_DATA_DIR")) == NULL)
		return 1;
	len = strlen(env);
	while (len > 0 && env[len - 1] == '/')
		len--;
	if (len == 0) {
		seterr(errbuf, errsz, "OIDCGI_DATA_DIR: \"/\" cannot be "
		    "the data directory");
		return 0;
	}
	if (len > PATH_MAX - sizeof(OCONF_SECRET_FILE) - 64) {
		seterr(errbuf, errsz, "OIDCGI_DATA_DIR: path too long");
		return 0;
	}
	c->data_dir = oxstrndup(env, len);
	c->data_from = "OIDCGI_DATA_DIR";
	return 1;
}

/*
 * Load the configuration (see conf.h).  On failure everything allocated
 * so far is freed and *c is left zeroed, so oconf_free() on it is
 * harmless but not needed.
 */
int
oconf_load(struct oconf *c, const char *path, char *errbuf, size_t errsz)
{
	struct raw	 raw;
	FILE		*f = NULL;
	const char	*val, *env;
	char		 envname[64], where[PATH_MAX + 128], def[URL_MAX_LEN + 64];
	size_t		 i;
	int		 rc = 0;

	memset(c, 0, sizeof(*c));
	memset(&raw, 0, sizeof(raw));
	seterr(errbuf, errsz, "%s", "");

	if (!file_open(c, path, &f, errbuf, errsz))
		goto out;
	if (f != NULL && !file_read(f, c->path, &raw, errbuf, errsz))
		goto out;
	if (!data_dir_set(c, errbuf, errsz))
		goto out;

	for (i = 0; i < K__MAX; i++) {
		key_envname(keys[i].name, envname, sizeof(envname));
		/* An empty variable counts as unset. */
		if ((env = oenv(envname)) != NULL) {
			if (strlen(env) > VALUE_MAX_LEN) {
				seterr(errbuf, errsz, "%s: longer than %d "
				    "bytes", envname, VALUE_MAX_LEN);
				goto out;
			}
			val = env;
			snprintf(where, sizeof(where), "%s", envname);
		} else if (raw.val[i] != NULL) {
			val = raw.val[i];
			snprintf(where, sizeof(where), "%s:%zu: %s",
			    c->path, raw.line[i], keys[i].name);
		} else {
			snprintf(where, sizeof(where), "%s", keys[i].name);
			switch (keys[i].type) {
			case KT_SECRETS:
				continue;	/* see oconf_secrets() */
			case KT_KEY:
			case KT_DSN:
				continue;	/* unset */
			case KT_NAMES:
				if (keys[i].def == NULL)
					continue;	/* empty */
				val = keys[i].def;
				break;
			case KT_ISSUER:
				snprintf(def, sizeof(def),
				    "http://127.0.0.1:%d/", i == K_URL_ADMIN ?
				    c->admin_port : c->public_port);
				val = def;
				break;
			case KT_URL:
				snprintf(def, sizeof(def), "%s%s",
				    c->issuer, keys[i].def);
				val = def;
				break;
			default:
				val = keys[i].def;
				break;
			}
		}
		if (!key_set(c, (enum kid)i, val, where, errbuf, errsz))
			goto out;
	}

	if (c->data_dir == NULL) {
		c->data_dir = oxstrdup(OCONF_DEFAULT_DATA);
		c->data_from = "the default data directory";
	}
	if (c->public_port == c->admin_port) {
		seterr(errbuf, errsz, "serve.admin.port: %d is the same as "
		    "serve.public.port", c->admin_port);
		goto out;
	}
	if (oconf_subject_type(c, "pairwise") && c->pairwise_salt == NULL) {
		seterr(errbuf, errsz, "oidc.subject_identifiers."
		    "supported_types: pairwise needs "
		    "oidc.subject_identifiers.pairwise.salt");
		goto out;
	}
	rc = 1;
out:
	if (f != NULL)
		fclose(f);
	for (i = 0; i < K__MAX; i++) {
		if (raw.val[i] != NULL && i == K_SECRETS)
			ocrypto_wipe(raw.val[i], strlen(raw.val[i]));
		free(raw.val[i]);
	}
	if (!rc)
		oconf_free(c);
	return rc;
}

/*
 * Read the secret file at path into c->secrets[0].  The file must be a
 * regular file holding one line of at least OCONF_SECRET_MIN bytes (a
 * trailing newline is stripped); group or other access is only warned
 * about.  Returns 1, 0 with a message in errbuf, or -1 with errno
 * ENOENT (and no message) when the file does not exist.
 */
static int
secret_file_read(struct oconf *c, const char *path, char *errbuf,
    size_t errsz)
{
	struct stat	 st;
	char		 buf[SECRET_FILE_MAX + 1];
	size_t		 n = 0;
	ssize_t		 r;
	int		 fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return -1;
		seterr(errbuf, errsz, "%s: %s", path, strerror(errno));
		return 0;
	}
	if (fstat(fd, &st) == -1) {
		seterr(errbuf, errsz, "%s: %s", path, strerror(errno));
		goto out;
	} else if (!S_ISREG(st.st_mode)) {
		seterr(errbuf, errsz, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077)
		olog_warn("%s: mode %03o lets group or others read it; "
		    "chmod 600", path, (unsigned)(st.st_mode & 0777));
	while (n < sizeof(buf)) {
		if ((r = read(fd, buf + n, sizeof(buf) - n)) == -1) {
			if (errno == EINTR)
				continue;
			seterr(errbuf, errsz, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n == sizeof(buf)) {
		seterr(errbuf, errsz, "%s: longer than %d bytes", path,
		    SECRET_FILE_MAX);
		goto out;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (memchr(buf, '\n', n) != NULL || memchr(buf, '\0', n) != NULL) {
		seterr(errbuf, errsz, "%s: must hold exactly one line", path);
		goto out;
	}
	if (n < OCONF_SECRET_MIN) {
		seterr(errbuf, errsz, "%s: secret is shorter than %d bytes",
		    path, OCONF_SECRET_MIN);
		goto out;
	}
	c->secrets[0] = oxstrndup(buf, n);
	c->nsecrets = 1;
	rc = 1;
out:
	ocrypto_wipe(buf, sizeof(buf));
	close(fd);
	return rc;
}

/*
 * Create the secret file at path atomically: write a fresh secret to a
 * temporary file in the same directory (mkstemp: O_CREAT|O_EXCL, mode
 * 0600), fsync it, then link() it to path, so path either does not exist
 * or holds a whole secret.  If link() finds path already there, another
 * process won the race; that is not an error, the caller reads theirs.
 * Returns 1, or 0 with a message in errbuf.
 */
static int
secret_file_create(const struct oconf *c, const char *path, char *errbuf,
    size_t errsz)
{
	char	 tmp[PATH_MAX], tok[64];
	size_t	 len, off = 0;
	ssize_t	 w;
	int	 fd = -1, dfd, rc = 0, linked = 0, made = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", c->data_dir,
	    OCONF_SECRET_FILE) >= sizeof(tmp)) {
		seterr(errbuf, errsz, "%s: path too long", c->data_dir);
		return 0;
	}
	if (!ocrypto_token(tok, sizeof(tok) - 1, SECRET_GEN_LEN)) {
		seterr(errbuf, errsz, "%s: cannot generate a secret", path);
		goto out;
	}
	len = strlen(tok);
	tok[len++] = '\n';
	if ((fd = mkstemp(tmp)) == -1) {
		seterr(errbuf, errsz, "%s: cannot create a temporary file: "
		    "%s", c->data_dir, strerror(errno));
		goto out;
	}
	made = 1;
	while (off < len) {
		if ((w = write(fd, tok + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			seterr(errbuf, errsz, "%s: write: %s", tmp,
			    strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) == -1) {
		seterr(errbuf, errsz, "%s: fsync: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		seterr(errbuf, errsz, "%s: close: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (link(tmp, path) == -1) {
		if (errno != EEXIST) {
			seterr(errbuf, errsz, "%s: link: %s", path,
			    strerror(errno));
			goto out;
		}
	} else
		linked = 1;
	/* Make the new name durable too; failure here is not fatal. */
	if (linked && (dfd = open(c->data_dir, O_RDONLY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	rc = 1;
out:
	ocrypto_wipe(tok, sizeof(tok));
	if (fd != -1)
		close(fd);
	if (made)
		(void)unlink(tmp);
	return rc;
}

/*
 * Create the data directory (only its last component, mode 0700) unless
 * it exists as a directory.  Returns 1, or 0 with a message in errbuf.
 */
static int
data_dir_make(const struct oconf *c, char *errbuf, size_t errsz)
{
	struct stat	 st;

	if (stat(c->data_dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 1;
	if (mkdir(c->data_dir, 0700) == 0)
		return 1;
	if (errno == ENOENT) {
		seterr(errbuf, errsz, "%s: cannot create %s: its parent "
		    "directory does not exist", c->data_from, c->data_dir);
		return 0;
	}
	if (errno != EEXIST) {
		seterr(errbuf, errsz, "%s: mkdir %s: %s%s", c->data_from,
		    c->data_dir, strerror(errno), errno == EACCES ?
		    " (the data directory's parent must be writable by the "
		    "user oidcgi runs as, or create it with oidcgi init "
		    "--user)" : "");
		return 0;
	}
	if (stat(c->data_dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		seterr(errbuf, errsz, "%s: %s is not a directory",
		    c->data_from, c->data_dir);
		return 0;
	}
	return 1;
}

/*
 * Make sure c has a secret (see conf.h).  Configured secrets are used as
 * they are and no file is touched.
 */
int
oconf_secrets(struct oconf *c, char *errbuf, size_t errsz)
{
	char	 path[PATH_MAX];
	int	 r, tries;

	if (c->nsecrets > 0)
		return 1;
	if (c->data_dir == NULL) {
		seterr(errbuf, errsz, "no data directory (oconf_load first)");
		return 0;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", c->data_dir,
	    OCONF_SECRET_FILE) >= sizeof(path)) {
		seterr(errbuf, errsz, "%s: path too long", c->data_dir);
		return 0;
	}
	if (!data_dir_make(c, errbuf, errsz))
		return 0;
	/*
	 * Read; if missing, create and read again.  Whoever's link() wins,
	 * everyone reads the same file.  The second round only fails to
	 * find it if someone removes it meanwhile.
	 */
	for (tries = 0; tries < 2; tries++) {
		if ((r = secret_file_read(c, path, errbuf, errsz)) != -1)
			return r;
		if (!secret_file_create(c, path, errbuf, errsz))
			return 0;
	}
	seterr(errbuf, errsz, "%s: vanished after it was created", path);
	return 0;
}

/* 1 if oidc.subject_identifiers.supported_types lists type. */
int
oconf_subject_type(const struct oconf *c, const char *type)
{
	size_t	 i;

	for (i = 0; c != NULL && i < c->subject_types.n; i++)
		if (strcmp(c->subject_types.v[i], type) == 0)
			return 1;
	return 0;
}

/*
 * Free everything c holds, wiping the secrets first, and zero c.
 * Safe on a zeroed or already freed struct.
 */
void
oconf_free(struct oconf *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < OCONF_SECRETS_MAX; i++) {
		if (c->secrets[i] == NULL)
			continue;
		ocrypto_wipe(c->secrets[i], strlen(c->secrets[i]));
		free(c->secrets[i]);
	}
	if (c->admin_key != NULL) {
		ocrypto_wipe(c->admin_key, strlen(c->admin_key));
		free(c->admin_key);
	}
	if (c->pairwise_salt != NULL) {
		ocrypto_wipe(c->pairwise_salt, strlen(c->pairwise_salt));
		free(c->pairwise_salt);
	}
	list_free(&c->subject_types);
	free(c->issuer);
	free(c->admin_url);
	free(c->url_login);
	free(c->url_consent);
	free(c->url_logout);
	free(c->url_error);
	free(c->url_post_logout);
	free(c->url_device_verification);
	free(c->url_device_success);
	list_free(&c->broadcast_keys);
	list_free(&c->admin_cors_origins);
	list_free(&c->admin_cors_methods);
	list_free(&c->admin_cors_headers);
	list_free(&c->admin_cors_exposed);
	list_free(&c->public_cors_origins);
	list_free(&c->public_cors_methods);
	list_free(&c->public_cors_headers);
	list_free(&c->public_cors_exposed);
	list_free(&c->admin_hosts);
	list_free(&c->dcr_scope);
	list_free(&c->dcr_grant_types);
	list_free(&c->dcr_audience);
	list_free(&c->client_http_exceptions);
	free(c->data_dir);
	free(c->dsn);
	free(c->path);
	memset(c, 0, sizeof(*c));
}

/*
 * The name of the choice whose value is v, or "?".
 */
static const char *
choice_name(const struct choice *ch, int v)
{
	for (; ch->name != NULL; ch++)
		if (ch->value == v)
			return ch->name;
	return "?";
}

/*
 * The PostgreSQL URL dsn into buf with its password (the userinfo's, and
 * any password= parameter's value) shown as "***": what an operator may
 * see of it.  Returns 1, or 0 with a message in buf when it does not fit.
 */
static int
dsn_shown(const char *dsn, char *buf, size_t bufsz)
{
	const char	*p, *auth, *at, *colon, *q;
	size_t		 len = 0, n;

	if (bufsz == 0)
		return 0;
	buf[0] = '\0';
#define PUT(s, l) do {							\
	if ((l) >= bufsz - len)						\
		goto toolong;						\
	memcpy(buf + len, (s), (l));					\
	len += (l);							\
	buf[len] = '\0';						\
} while (0)
	p = dsn;
	if ((auth = strstr(p, "://")) != NULL) {
		auth += 3;
		n = strcspn(auth, "/?#");
		at = NULL;
		for (q = auth; q < auth + n; q++)
			if (*q == '@')
				at = q;
		colon = at != NULL ? memchr(auth, ':', (size_t)(at - auth)) :
		    NULL;
		if (colon != NULL) {
			PUT(p, (size_t)(colon + 1 - p));
			PUT("***", 3);
			p = at;
		}
	}
	/* The query's password= values. */
	while ((q = strpbrk(p, "?&")) != NULL) {
		PUT(p, (size_t)(q + 1 - p));
		p = q + 1;
		if (strncmp(p, "password=", 9) == 0) {
			PUT(p, 9);
			PUT("***", 3);
			p += 9 + strcspn(p + 9, "&#");
		}
	}
	PUT(p, strlen(p));
#undef PUT
	return 1;
toolong:
	seterr(buf, bufsz, "dsn: the value is longer than %zu bytes",
	    bufsz - 1);
	return 0;
}

int
oconf_value(const struct oconf *c, const char *name, char *buf,
    size_t bufsz)
{
	enum kid		 k;
	const struct key	*key;
	const struct oconf_list	*l;
	const char		*p;
	size_t			 i, len = 0;
	int			 n;

	if ((k = key_find(name)) == K__MAX) {
		seterr(buf, bufsz, "unknown key \"%.64s\"", name);
		return 0;
	}
	key = &keys[k];
	p = (const char *)c + key->off;
	switch (key->type) {
	case KT_PORT:
	case KT_INT:
	case KT_BOOL:
		if (key->type == KT_BOOL)
			snprintf(buf, bufsz, "%s",
			    *(const int *)p ? "true" : "false");
		else
			snprintf(buf, bufsz, "%d", *(const int *)p);
		return 1;
	case KT_BYTES:
		snprintf(buf, bufsz, "%zu", *(const size_t *)p);
		return 1;
	case KT_ISSUER:
	case KT_URL:
		snprintf(buf, bufsz, "%s", *(char *const *)p);
		return 1;
	case KT_TTL:
		snprintf(buf, bufsz, "%lld", (long long)*(const int64_t *)p);
		return 1;
	case KT_ENUM:
		snprintf(buf, bufsz, "%s", choice_name(key->choices,
		    k == K_STRATEGY ? (int)c->access_token_strategy :
		    (int)c->log_level));
		return 1;
	case KT_NAMES:
		l = (const struct oconf_list *)(const void *)p;
		if (bufsz > 0)
			buf[0] = '\0';
		for (i = 0; i < l->n; i++) {
			n = snprintf(buf + len, bufsz - len, "%s%s",
			    i > 0 ? "," : "", l->v[i]);
			if (n < 0 || (size_t)n >= bufsz - len) {
				seterr(buf, bufsz, "%s: the value is longer "
				    "than %zu bytes", name, bufsz - 1);
				return 0;
			}
			len += (size_t)n;
		}
		return 1;
	case KT_DSN:
		/* The store's PostgreSQL URL, password hidden; else the path. */
		if (c->dsn != NULL)
			return dsn_shown(c->dsn, buf, bufsz);
		snprintf(buf, bufsz, "%s", c->data_dir);
		return 1;
	case KT_SECRETS:
	case KT_KEY:
		break;
	}
	seterr(buf, bufsz, "%s: secrets are never printed", name);
	return 0;
}
