/*
 * conf.h: configuration.
 *
 * Keys are named as Hydra names them (urls.self.issuer, ttl.access_token,
 * ...).  They are read from a file of "key = value" lines and then
 * overridden by environment variables named as Hydra's: the key
 * upper-cased with '.' as '_' (URLS_SELF_ISSUER, SECRETS_SYSTEM,
 * SERVE_PUBLIC_PORT, ...).  An empty variable counts as unset; a
 * variable that Apache renamed REDIRECT_<name> (a RewriteRule's E= flag,
 * SetEnv before an internal redirect) counts as <name> (see oenv()).
 *
 * The file is the one named by the caller (the CLI's -c), else by
 * OIDCGI_CONFIG, else oidcgi.conf in the folder of the running binary
 * (a shared host: suexec passes no OIDCGI_* variable), else
 * OCONF_DEFAULT_PATH: conf/oidcgi.conf in the development build, which
 * may be missing; the installed path, which must exist, in a build of
 * make install.  Every value is checked against the key table
 * at start; the first bad one stops the binary with a one-line message
 * naming where it came from ("file:line: key: ...", "ENV_NAME: ..." or
 * "key: ...").  A secret's value never appears in a message.
 *
 * File format: UTF-8, "key = value" lines, whole-line '#' comments and
 * blank lines; spaces around key and value are trimmed; a value may be
 * double-quoted (then \" and \\ are its only escapes); lines are at most
 * 4096 bytes; an unknown or repeated key is an error.  conf/oidcgi.conf
 * lists every key with its default.
 *
 * The data directory comes from OIDCGI_DATA_DIR, else from Hydra's dsn
 * key (DSN) when it is a path (relative paths in the file are relative
 * to the file's folder), else OCONF_DEFAULT_DATA.  When no
 * secrets.system is configured, one is generated once into
 * <data>/secrets.system with mode 0600 and read from there afterwards; it
 * is never printed.
 */
#ifndef OIDCGI_CONF_H
#define OIDCGI_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

/*
 * Where an installed build looks (make install compiles these in from
 * its sysconfdir and localstatedir; its configuration file is then
 * required).  The development build reads conf/oidcgi.conf if present
 * and keeps its data in var/, both relative to the working directory.
 */
#ifdef OIDCGI_CONF_FILE
#define OCONF_DEFAULT_PATH	OIDCGI_CONF_FILE
#define OCONF_FILE_REQUIRED	1
#else
#define OCONF_DEFAULT_PATH	"conf/oidcgi.conf"
#define OCONF_FILE_REQUIRED	0
#endif
#ifdef OIDCGI_DATA_DEFAULT
#define OCONF_DEFAULT_DATA	OIDCGI_DATA_DEFAULT
#else
#define OCONF_DEFAULT_DATA	"var"
#endif
#define OCONF_FILE_NAME		"oidcgi.conf"	/* beside the binaries */
#define OCONF_SECRET_FILE	"secrets.system"
#define OCONF_SECRET_MIN	16	/* bytes, as Hydra requires */
#define OCONF_SECRETS_MAX	8
#define OCONF_LIST_MAX		16	/* entries of a list of names */
#define OCONF_NAME_MAX		64	/* bytes of one name in a list */
#define OCONF_ORIGIN_MAX	255	/* bytes of one origin or host in a list */

enum oconf_token_strategy {
	OCONF_TOKEN_OPAQUE,
	OCONF_TOKEN_JWT
};

/*
 * A comma-separated list of names (webfinger.jwks.broadcast_keys): each
 * 1 to OCONF_NAME_MAX bytes of letters, digits, '.', '-' and '_', kept
 * in the order written, duplicates included.  The lists of origins and
 * hosts (serve.admin.*) hold entries of up to OCONF_ORIGIN_MAX bytes,
 * each checked as an origin or a host[:port] (or "*").
 */
struct oconf_list {
	char		*v[OCONF_LIST_MAX];
	size_t		 n;
};

struct oconf {
	/* urls.* (absolute URLs; issuer always ends in '/') */
	char		*issuer;		/* urls.self.issuer */
	char		*admin_url;		/* urls.self.admin */
	char		*url_login;		/* urls.login */
	char		*url_consent;		/* urls.consent */
	char		*url_logout;		/* urls.logout */
	char		*url_error;		/* urls.error */
	char		*url_post_logout;	/* urls.post_logout_redirect */
	char		*url_device_verification; /* urls.device.verification */
	char		*url_device_success;	/* urls.device.success */
	/* secrets.system: [0] encrypts and signs, all of them verify */
	char		*secrets[OCONF_SECRETS_MAX];
	size_t		 nsecrets;
	/* secrets.admin: when set, admin requests need it as a Bearer token */
	char		*admin_key;
	/* ttl.* in seconds; refresh_token -1 means never expires */
	int64_t		 ttl_access_token;
	int64_t		 ttl_refresh_token;
	int64_t		 ttl_id_token;
	int64_t		 ttl_auth_code;
	int64_t		 ttl_login_consent;
	int64_t		 ttl_device_user_code;	/* ttl.device_user_code */
	/* oauth2.grant.refresh_token.rotation_grace_period: 0 (off) to 300 */
	int64_t		 refresh_grace;
	/* oauth2.grant.jwt.max_ttl: a jwt-bearer assertion's longest life */
	int64_t		 jwt_max_ttl;
	/* oauth2.logout.revoke_tokens: logout revokes the session's tokens */
	int		 logout_revoke;
	/* oauth2.pushed_authorization_requests.enforced and .ttl (s) */
	int		 par_enforced;
	int64_t		 par_ttl;
	enum oconf_token_strategy access_token_strategy; /* strategies.access_token */
	int		 dcr_enabled;	/* oidc.dynamic_client_registration.enabled */
	int		 dpop_nonce;	/* oauth2.dpop.require_nonce */
	/*
	 * oidc.subject_identifiers.supported_types ("public", "pairwise")
	 * and .pairwise.salt (NULL: unset; pairwise needs it).
	 */
	struct oconf_list subject_types;
	char		*pairwise_salt;
	/*
	 * What a self-registered client may have (cgi-bin/register.c):
	 * oidc.dynamic_client_registration.default_scope (its scope when
	 * it asks for none, and the most it may ask for),
	 * .allowed_grant_types and .allowed_audience.
	 */
	struct oconf_list dcr_scope;
	struct oconf_list dcr_grant_types;
	struct oconf_list dcr_audience;
	/*
	 * clients.http.disallow_private_ip_ranges: refuse internal hosts
	 * in every client's server-side URIs (self-registered clients'
	 * always are); clients.http.private_ip_exception_urls: URIs
	 * allowed all the same (lib/records/clients.h, oclient_uris_check()).
	 */
	int		 client_http_no_private;
	struct oconf_list client_http_exceptions;
	/*
	 * clients.http.allow_loopback_http: a client's jwks_uri may be
	 * http:// to a loopback address (lib/protocol/clientkeys.h).
	 */
	int		 client_http_loopback;
	int		 public_port;	/* serve.public.port */
	int		 admin_port;	/* serve.admin.port */
	/*
	 * The admin listener's fences against browsers (lib/web/route.h):
	 * serve.admin.cors.enabled and .allowed_origins (origins as
	 * written, "*" for any; empty by default), and serve.admin.hosts,
	 * the Host values accepted besides urls.self.admin's and the
	 * loopback names ("*" turns the check off).
	 */
	int		 admin_cors;
	struct oconf_list admin_cors_origins;
	/*
	 * CORS of both listeners (lib/web/cors.h): serve.<listener>.cors.
	 * enabled, allowed_origins ("*", origins, one '*' glob each),
	 * allowed_methods, allowed_headers, exposed_headers,
	 * allow_credentials and max_age (seconds; 0: no header).
	 */
	struct oconf_list admin_cors_methods;
	struct oconf_list admin_cors_headers;
	struct oconf_list admin_cors_exposed;
	int		 admin_cors_credentials;
	int		 admin_cors_max_age;
	int		 public_cors;
	struct oconf_list public_cors_origins;
	struct oconf_list public_cors_methods;
	struct oconf_list public_cors_headers;
	struct oconf_list public_cors_exposed;
	int		 public_cors_credentials;
	int		 public_cors_max_age;
	struct oconf_list admin_hosts;
	size_t		 body_max;	/* serve.request_body_max (bytes) */
	enum olog_level	 log_level;	/* log.level */
	int		 expose_debug;	/* oauth2.expose_internal_errors */
	size_t		 map_size;	/* store.map_size (bytes, initial) */
	/*
	 * webfinger.jwks.broadcast_keys: the key sets whose public keys
	 * /.well-known/jwks.json publishes besides the ID-token and
	 * access-token sets, which it always publishes.
	 */
	struct oconf_list broadcast_keys;
	/* ui.lockout.*: the bundled login page's lockout of a username */
	int		 lockout_attempts;	/* failures that lock it */
	int64_t		 lockout_window;	/* within these seconds */
	int64_t		 lockout_duration;	/* locked this long */
	/*
	 * The data directory: OIDCGI_DATA_DIR, else a path in dsn (DSN),
	 * else OCONF_DEFAULT_DATA; data_from names which, for messages.
	 */
	char		*data_dir;
	const char	*data_from;
	/*
	 * A postgres:// or postgresql:// dsn (DSN): the store is that
	 * PostgreSQL database (the data directory still holds the secret
	 * and the metrics); NULL: the store is LMDB in data_dir.  Holds a
	 * password, maybe: never printed.
	 */
	char		*dsn;
	char		*path;		/* the file read, or NULL */
};

/*
 * Load the configuration: defaults, then the file, then the environment,
 * then validate.  When path is NULL, the file is looked for as the
 * comment at the top says (a missing named file is an error; so is a
 * missing default file in an installed build).  data_dir is set as
 * said there too, trailing slashes removed.  Secrets are only taken
 * from secrets.system here; generating one is oconf_secrets()'s job.
 * Returns 1, or 0 with a one-line message in errbuf (errbuf may be NULL
 * if errsz is 0).  On success free with oconf_free(); on failure *c is
 * left zeroed with nothing to free (oconf_free() on it is harmless).
 */
int	 oconf_load(struct oconf *, const char *path, char *errbuf,
	    size_t errsz);
/*
 * Make sure secrets are available: when none were configured, read
 * <data_dir>/secrets.system, creating it (with a fresh 256-bit random
 * secret, mode 0600, atomically, so concurrent first starts agree) when
 * missing.  Creates the data directory (mode 0700; only its last
 * component) if needed.  The file must be a regular file of one line of
 * at least OCONF_SECRET_MIN bytes; group or other access is warned
 * about, not refused.  When secrets were configured, does nothing.
 * Returns 1, or 0 with a message in errbuf.
 */
int	 oconf_secrets(struct oconf *, char *errbuf, size_t errsz);
/*
 * 1 if oidc.subject_identifiers.supported_types lists type ("public",
 * "pairwise"); c may be NULL (then 0).
 */
int	 oconf_subject_type(const struct oconf *c, const char *type);
/* Wipe the secrets, free everything and zero the struct. */
void	 oconf_free(struct oconf *);

/*
 * The value of one key as text in buf (durations in seconds, booleans as
 * true/false, lists comma-separated), for operators and scripts.
 * secrets.system is refused: a secret is never printed; dsn is the
 * data directory, or the PostgreSQL URL with its password as "***".
 * Returns 1, or
 * 0 with a message in buf (also when a list does not fit in it).
 */
int	 oconf_value(const struct oconf *, const char *key, char *buf,
	    size_t bufsz);

/*
 * Parse a duration as Hydra writes them ("1h", "30m", "720h", "1h30m",
 * "3600s", "10s", or a bare number of seconds; "-1" for never) into
 * seconds: pieces of <digits><unit>, unit h, m or s, summed as Go's
 * time.ParseDuration does.  No fractions, signs (but the lone "-1"),
 * spaces or sub-second units.  "0" parses as 0: the ttl.* keys refuse
 * it, and take 1s to 87600h (ttl.refresh_token also -1).
 * Returns 1 on success, 0 on malformed input or int64_t overflow.
 */
int	 oconf_duration(const char *, int64_t *);

/*
 * The process-wide configuration, set by omain() before serving.
 * NULL before that.
 */
extern const struct oconf *oconf;

#endif
