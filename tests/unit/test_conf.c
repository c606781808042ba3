/*
 * test_conf.c: unit tests of lib/base/conf.c: durations, defaults, the file
 * format, environment overrides, every class of error, issuer
 * normalisation and the generated secret.
 *
 * Each test starts from a clean environment (env_clear) and works in its
 * own directory under $TMPDIR.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/conf.h"
#include "t.h"

#define EXAMPLE_CONF	"conf/oidcgi.conf"

/* Every key, and its environment variable, as Hydra names them. */
static const struct {
	const char	*key;
	const char	*env;
} names[] = {
	{ "urls.self.issuer", "URLS_SELF_ISSUER" },
	{ "urls.login", "URLS_LOGIN" },
	{ "urls.consent", "URLS_CONSENT" },
	{ "urls.logout", "URLS_LOGOUT" },
	{ "urls.error", "URLS_ERROR" },
	{ "urls.post_logout_redirect", "URLS_POST_LOGOUT_REDIRECT" },
	{ "secrets.system", "SECRETS_SYSTEM" },
	{ "ttl.access_token", "TTL_ACCESS_TOKEN" },
	{ "ttl.refresh_token", "TTL_REFRESH_TOKEN" },
	{ "ttl.id_token", "TTL_ID_TOKEN" },
	{ "ttl.auth_code", "TTL_AUTH_CODE" },
	{ "ttl.login_consent_request", "TTL_LOGIN_CONSENT_REQUEST" },
	{ "strategies.access_token", "STRATEGIES_ACCESS_TOKEN" },
	{ "oidc.dynamic_client_registration.enabled",
	    "OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED" },
	{ "oidc.dynamic_client_registration.default_scope",
	    "OIDC_DYNAMIC_CLIENT_REGISTRATION_DEFAULT_SCOPE" },
	{ "oidc.dynamic_client_registration.allowed_grant_types",
	    "OIDC_DYNAMIC_CLIENT_REGISTRATION_ALLOWED_GRANT_TYPES" },
	{ "oidc.dynamic_client_registration.allowed_audience",
	    "OIDC_DYNAMIC_CLIENT_REGISTRATION_ALLOWED_AUDIENCE" },
	{ "clients.http.disallow_private_ip_ranges",
	    "CLIENTS_HTTP_DISALLOW_PRIVATE_IP_RANGES" },
	{ "clients.http.private_ip_exception_urls",
	    "CLIENTS_HTTP_PRIVATE_IP_EXCEPTION_URLS" },
	{ "serve.public.port", "SERVE_PUBLIC_PORT" },
	{ "serve.admin.port", "SERVE_ADMIN_PORT" },
	{ "serve.request_body_max", "SERVE_REQUEST_BODY_MAX" },
	{ "serve.admin.cors.enabled", "SERVE_ADMIN_CORS_ENABLED" },
	{ "serve.admin.cors.allowed_origins",
	    "SERVE_ADMIN_CORS_ALLOWED_ORIGINS" },
	{ "serve.admin.cors.allowed_methods",
	    "SERVE_ADMIN_CORS_ALLOWED_METHODS" },
	{ "serve.admin.cors.allowed_headers",
	    "SERVE_ADMIN_CORS_ALLOWED_HEADERS" },
	{ "serve.admin.cors.exposed_headers",
	    "SERVE_ADMIN_CORS_EXPOSED_HEADERS" },
	{ "serve.admin.cors.allow_credentials",
	    "SERVE_ADMIN_CORS_ALLOW_CREDENTIALS" },
	{ "serve.admin.cors.max_age", "SERVE_ADMIN_CORS_MAX_AGE" },
	{ "serve.public.cors.enabled", "SERVE_PUBLIC_CORS_ENABLED" },
	{ "serve.public.cors.allowed_origins",
	    "SERVE_PUBLIC_CORS_ALLOWED_ORIGINS" },
	{ "serve.public.cors.allowed_methods",
	    "SERVE_PUBLIC_CORS_ALLOWED_METHODS" },
	{ "serve.public.cors.allowed_headers",
	    "SERVE_PUBLIC_CORS_ALLOWED_HEADERS" },
	{ "serve.public.cors.exposed_headers",
	    "SERVE_PUBLIC_CORS_EXPOSED_HEADERS" },
	{ "serve.public.cors.allow_credentials",
	    "SERVE_PUBLIC_CORS_ALLOW_CREDENTIALS" },
	{ "serve.public.cors.max_age", "SERVE_PUBLIC_CORS_MAX_AGE" },
	{ "serve.admin.hosts", "SERVE_ADMIN_HOSTS" },
	{ "oauth2.dpop.require_nonce", "OAUTH2_DPOP_REQUIRE_NONCE" },
	{ "oidc.subject_identifiers.supported_types",
	    "OIDC_SUBJECT_IDENTIFIERS_SUPPORTED_TYPES" },
	{ "oidc.subject_identifiers.pairwise.salt",
	    "OIDC_SUBJECT_IDENTIFIERS_PAIRWISE_SALT" },
	{ "log.level", "LOG_LEVEL" },
	{ "oauth2.expose_internal_errors", "OAUTH2_EXPOSE_INTERNAL_ERRORS" },
	{ "store.map_size", "STORE_MAP_SIZE" },
	{ "ui.lockout.attempts", "UI_LOCKOUT_ATTEMPTS" },
	{ "ui.lockout.window", "UI_LOCKOUT_WINDOW" },
	{ "ui.lockout.duration", "UI_LOCKOUT_DURATION" },
	{ "webfinger.jwks.broadcast_keys", "WEBFINGER_JWKS_BROADCAST_KEYS" },
	{ "dsn", "DSN" },
};
#define NNAMES	(sizeof(names) / sizeof(names[0]))

#define S16A	"0123456789abcdef"
#define S16B	"fedcba9876543210"
/* Key set names of 48, 64 and 65 bytes. */
#define N48	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
#define N64	N48 "0123456789._-xyz"
#define N65	N64 "Z"

static int	 topfd = -1;		/* the directory we started in */
static char	 tmp[256];		/* this test's scratch directory */
static char	 errbuf[512];

/*
 * Unset every variable conf.c reads.
 */
static void
env_clear(void)
{
	size_t	 i;

	char	 buf[128];

	for (i = 0; i < NNAMES; i++) {
		unsetenv(names[i].env);
		snprintf(buf, sizeof(buf), "REDIRECT_%s", names[i].env);
		unsetenv(buf);
	}
	unsetenv("OIDCGI_CONFIG");
	unsetenv("OIDCGI_DATA_DIR");
	unsetenv("REDIRECT_OIDCGI_CONFIG");
	unsetenv("REDIRECT_OIDCGI_DATA_DIR");
	unsetenv("REDIRECT_REDIRECT_OIDCGI_DATA_DIR");
}

/*
 * Remove path and, if it is a directory, everything below it.
 */
static void
rm_rf(const char *path)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;
	char		 sub[PATH_MAX];

	if (lstat(path, &st) == -1)
		return;
	if (S_ISDIR(st.st_mode)) {
		chmod(path, 0700);
		if ((d = opendir(path)) != NULL) {
			while ((de = readdir(d)) != NULL) {
				if (strcmp(de->d_name, ".") == 0 ||
				    strcmp(de->d_name, "..") == 0)
					continue;
				snprintf(sub, sizeof(sub), "%s/%s", path,
				    de->d_name);
				rm_rf(sub);
			}
			closedir(d);
		}
		rmdir(path);
	} else
		unlink(path);
}

/*
 * Start a test: clean environment, back in the starting directory, and a
 * fresh empty scratch directory in tmp[].
 */
static void
setup(void)
{
	const char	*base;

	env_clear();
	if (fchdir(topfd) == -1)
		abort();
	if (tmp[0] != '\0')
		rm_rf(tmp);
	if ((base = getenv("TMPDIR")) == NULL || *base == '\0')
		base = "/tmp";
	snprintf(tmp, sizeof(tmp), "%s/test_conf.XXXXXX", base);
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		abort();
	}
	errbuf[0] = '\0';
}

/*
 * Write len bytes of data to tmp/name; the full path goes into out.
 */
static void
write_bytes(const char *name, const void *data, size_t len, char *out,
    size_t outsz)
{
	FILE	*f;

	snprintf(out, outsz, "%s/%s", tmp, name);
	if ((f = fopen(out, "w")) == NULL ||
	    fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(out);
		abort();
	}
}

/*
 * Write a NUL-terminated string to tmp/name.
 */
static void
write_file(const char *name, const char *data, char *out, size_t outsz)
{
	write_bytes(name, data, strlen(data), out, outsz);
}

/*
 * Load a configuration file holding text.  Returns oconf_load's result.
 */
static int
load_text(struct oconf *c, const char *text)
{
	char	 path[PATH_MAX];

	write_file("oidcgi.conf", text, path, sizeof(path));
	return oconf_load(c, path, errbuf, sizeof(errbuf));
}

/*
 * Whether two configurations hold the same values (path aside).
 */
static int
conf_eq(const struct oconf *a, const struct oconf *b)
{
	size_t	 i;

	if (strcmp(a->issuer, b->issuer) != 0 ||
	    strcmp(a->url_login, b->url_login) != 0 ||
	    strcmp(a->url_consent, b->url_consent) != 0 ||
	    strcmp(a->url_logout, b->url_logout) != 0 ||
	    strcmp(a->url_error, b->url_error) != 0 ||
	    strcmp(a->url_post_logout, b->url_post_logout) != 0 ||
	    strcmp(a->data_dir, b->data_dir) != 0 ||
	    a->nsecrets != b->nsecrets)
		return 0;
	for (i = 0; i < a->nsecrets; i++)
		if (strcmp(a->secrets[i], b->secrets[i]) != 0)
			return 0;
	if (a->broadcast_keys.n != b->broadcast_keys.n)
		return 0;
	for (i = 0; i < a->broadcast_keys.n; i++)
		if (strcmp(a->broadcast_keys.v[i], b->broadcast_keys.v[i]) != 0)
			return 0;
	return a->ttl_access_token == b->ttl_access_token &&
	    a->ttl_refresh_token == b->ttl_refresh_token &&
	    a->ttl_id_token == b->ttl_id_token &&
	    a->ttl_auth_code == b->ttl_auth_code &&
	    a->ttl_login_consent == b->ttl_login_consent &&
	    a->access_token_strategy == b->access_token_strategy &&
	    a->dcr_enabled == b->dcr_enabled &&
	    a->public_port == b->public_port &&
	    a->admin_port == b->admin_port &&
	    a->body_max == b->body_max &&
	    a->log_level == b->log_level &&
	    a->expose_debug == b->expose_debug &&
	    a->map_size == b->map_size &&
	    a->lockout_attempts == b->lockout_attempts &&
	    a->lockout_window == b->lockout_window &&
	    a->lockout_duration == b->lockout_duration;
}

/*
 * Check that c holds exactly the documented defaults.
 */
static void
check_defaults(const struct oconf *c)
{
	CHECK_STR(c->issuer, "http://127.0.0.1:4444/");
	CHECK_STR(c->url_login, "http://127.0.0.1:4444/ui/login");
	CHECK_STR(c->url_consent, "http://127.0.0.1:4444/ui/consent");
	CHECK_STR(c->url_logout, "http://127.0.0.1:4444/ui/logout");
	CHECK_STR(c->url_error, "http://127.0.0.1:4444/ui/error");
	CHECK_STR(c->url_post_logout, "http://127.0.0.1:4444/ui/logged-out");
	CHECK_STR(c->url_device_verification,
	    "http://127.0.0.1:4444/ui/device");
	CHECK_STR(c->url_device_success,
	    "http://127.0.0.1:4444/ui/device/done");
	CHECK(c->ttl_device_user_code == 600);
	CHECK(c->nsecrets == 0);
	CHECK(c->secrets[0] == NULL);
	CHECK(c->ttl_access_token == 3600);
	CHECK(c->ttl_refresh_token == 720 * 3600);
	CHECK(c->ttl_id_token == 3600);
	CHECK(c->ttl_auth_code == 600);
	CHECK(c->ttl_login_consent == 1800);
	CHECK(c->access_token_strategy == OCONF_TOKEN_OPAQUE);
	CHECK(c->dcr_enabled == 0);
	CHECK(c->public_port == 4444);
	CHECK(c->admin_port == 4445);
	CHECK(c->body_max == 1048576);
	CHECK(c->log_level == OLOG_INFO);
	CHECK(c->expose_debug == 0);
	CHECK(c->map_size == (size_t)64 << 20);
	CHECK(c->lockout_attempts == 5);
	CHECK(c->lockout_window == 900);
	CHECK(c->lockout_duration == 900);
	CHECK(c->broadcast_keys.n == 1);
	CHECK_STR(c->broadcast_keys.v[0], "hydra.jwt.access-token");
	CHECK(c->broadcast_keys.v[1] == NULL);
	CHECK(c->admin_cors == 0);
	CHECK(c->admin_cors_origins.n == 0 &&
	    c->admin_cors_origins.v[0] == NULL);
	CHECK(c->admin_hosts.n == 0 && c->admin_hosts.v[0] == NULL);
	CHECK_STR(c->data_dir, "var");
}

/*
 * Check that a failed load left nothing behind.
 */
static void
check_zeroed(const struct oconf *c)
{
	CHECK(c->issuer == NULL && c->url_login == NULL &&
	    c->path == NULL && c->data_dir == NULL && c->nsecrets == 0 &&
	    c->secrets[0] == NULL && c->public_port == 0 &&
	    c->broadcast_keys.n == 0 && c->broadcast_keys.v[0] == NULL);
}

/*
 * oconf_duration: Go-style units h, m, s, bare seconds, "-1", overflow.
 */
static void
t_duration(void)
{
	static const struct {
		const char	*in;
		int		 ok;
		int64_t		 want;
	} tc[] = {
		{ "1h", 1, 3600 },
		{ "1h30m", 1, 5400 },
		{ "30m1h", 1, 5400 },
		{ "1h30m15s", 1, 5415 },
		{ "90s", 1, 90 },
		{ "90", 1, 90 },
		{ "3600s", 1, 3600 },
		{ "10m", 1, 600 },
		{ "720h", 1, 2592000 },
		{ "0", 1, 0 },
		{ "0s", 1, 0 },
		{ "-1", 1, -1 },
		{ "2562047788015215h", 1, INT64_C(2562047788015215) * 3600 },
		{ "9223372036854775807", 1, INT64_MAX },
		{ "9223372036854775807s", 1, INT64_MAX },
		{ "", 0, 0 },
		{ "h", 0, 0 },
		{ "1x", 0, 0 },
		{ "1d", 0, 0 },
		{ "1h30", 0, 0 },
		{ "1.5h", 0, 0 },
		{ "100ms", 0, 0 },
		{ "5us", 0, 0 },
		{ "-1h", 0, 0 },
		{ "-2", 0, 0 },
		{ "+1h", 0, 0 },
		{ " 1h", 0, 0 },
		{ "1h ", 0, 0 },
		{ "1 h", 0, 0 },
		{ "1H", 0, 0 },
		{ "99999999999999999999h", 0, 0 },
		{ "9223372036854775808", 0, 0 },
		{ "2562047788015216h", 0, 0 },
		{ "5124095576030432h", 0, 0 },	/* wraps to 3584 */
		{ "1s9223372036854775807s", 0, 0 },
		{ "9223372036854775807s1s", 0, 0 },
	};
	size_t	 i;
	int64_t	 v;

	setup();
	for (i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		v = 12345;
		if (oconf_duration(tc[i].in, &v) != tc[i].ok) {
			fprintf(stderr, "duration \"%s\": want %s\n",
			    tc[i].in, tc[i].ok ? "ok" : "error");
			CHECK(0);
		} else if (tc[i].ok && v != tc[i].want) {
			fprintf(stderr, "duration \"%s\": %lld != %lld\n",
			    tc[i].in, (long long)v, (long long)tc[i].want);
			CHECK(0);
		} else if (!tc[i].ok)
			CHECK(v == 12345);
	}
	CHECK(oconf_duration(NULL, &v) == 0);
}

/*
 * No file (none named, no default file in the working directory) and no
 * environment: every documented default.
 */
static void
t_defaults(void)
{
	struct oconf	 c;

	setup();
	CHECK(chdir(tmp) == 0);
	CHECK(oconf_load(&c, NULL, errbuf, sizeof(errbuf)) == 1);
	CHECK_STR(errbuf, "");
	CHECK(c.path == NULL);
	check_defaults(&c);
	oconf_free(&c);
	check_zeroed(&c);
	oconf_free(&c);			/* twice is harmless */
}

/*
 * conf/oidcgi.conf relative to the working directory is read when no
 * path is given; OIDCGI_CONFIG wins over it, and the argument over both.
 */
static void
t_file_choice(void)
{
	struct oconf	 c;
	char		 p1[PATH_MAX], p2[PATH_MAX];

	setup();
	CHECK(chdir(tmp) == 0);
	CHECK(mkdir("conf", 0700) == 0);
	write_file("conf/oidcgi.conf", "log.level = debug\n", p1,
	    sizeof(p1));
	CHECK(oconf_load(&c, NULL, errbuf, sizeof(errbuf)) == 1);
	CHECK_STR(c.path, OCONF_DEFAULT_PATH);
	CHECK(c.log_level == OLOG_DEBUG);
	oconf_free(&c);

	write_file("other.conf", "log.level = error\n", p2, sizeof(p2));
	setenv("OIDCGI_CONFIG", p2, 1);
	CHECK(oconf_load(&c, NULL, errbuf, sizeof(errbuf)) == 1);
	CHECK_STR(c.path, p2);
	CHECK(c.log_level == OLOG_ERROR);
	oconf_free(&c);

	CHECK(oconf_load(&c, p1, errbuf, sizeof(errbuf)) == 1);
	CHECK_STR(c.path, p1);
	CHECK(c.log_level == OLOG_DEBUG);
	oconf_free(&c);

	/* An empty OIDCGI_CONFIG is unset: back to the default file. */
	setenv("OIDCGI_CONFIG", "", 1);
	CHECK(oconf_load(&c, NULL, errbuf, sizeof(errbuf)) == 1);
	CHECK_STR(c.path, OCONF_DEFAULT_PATH);
	oconf_free(&c);
}

/*
 * Every key set from a file to something other than its default.
 */
static void
t_file_values(void)
{
	struct oconf	 c;

	setup();
	CHECK(load_text(&c,
	    "# a comment\n"
	    "\n"
	    "urls.self.issuer = https://id.example.com/\n"
	    "urls.login = https://ui.example.com/login?x=1\n"
	    "urls.consent = https://ui.example.com/consent\n"
	    "urls.logout = https://ui.example.com/logout\n"
	    "urls.error = https://ui.example.com/error\n"
	    "urls.post_logout_redirect = https://ui.example.com/bye\n"
	    "secrets.system = " S16A "," S16B "\n"
	    "ttl.access_token = 2h\n"
	    "ttl.refresh_token = -1\n"
	    "ttl.id_token = 15m\n"
	    "ttl.auth_code = 90s\n"
	    "ttl.login_consent_request = 1h30m\n"
	    "strategies.access_token = jwt\n"
	    "oidc.dynamic_client_registration.enabled = true\n"
	    "serve.public.port = 8080\n"
	    "serve.admin.port = 8081\n"
	    "serve.request_body_max = 2048\n"
	    "log.level = warning\n"
	    "oauth2.expose_internal_errors = 1\n"
	    "store.map_size = 1048576\n"
	    "webfinger.jwks.broadcast_keys = a-set,hydra.openid.id-token\n")
	    == 1);
	CHECK_STR(errbuf, "");
	CHECK_STR(c.issuer, "https://id.example.com/");
	CHECK_STR(c.url_login, "https://ui.example.com/login?x=1");
	CHECK_STR(c.url_consent, "https://ui.example.com/consent");
	CHECK_STR(c.url_logout, "https://ui.example.com/logout");
	CHECK_STR(c.url_error, "https://ui.example.com/error");
	CHECK_STR(c.url_post_logout, "https://ui.example.com/bye");
	CHECK(c.nsecrets == 2);
	CHECK_STR(c.secrets[0], S16A);
	CHECK_STR(c.secrets[1], S16B);
	CHECK(c.ttl_access_token == 7200);
	CHECK(c.ttl_refresh_token == -1);
	CHECK(c.ttl_id_token == 900);
	CHECK(c.ttl_auth_code == 90);
	CHECK(c.ttl_login_consent == 5400);
	CHECK(c.access_token_strategy == OCONF_TOKEN_JWT);
	CHECK(c.dcr_enabled == 1);
	CHECK(c.public_port == 8080);
	CHECK(c.admin_port == 8081);
	CHECK(c.body_max == 2048);
	CHECK(c.log_level == OLOG_WARN);
	CHECK(c.expose_debug == 1);
	CHECK(c.map_size == 1048576);
	CHECK(c.broadcast_keys.n == 2);
	CHECK_STR(c.broadcast_keys.v[0], "a-set");
	CHECK_STR(c.broadcast_keys.v[1], "hydra.openid.id-token");
	CHECK(c.path != NULL && strstr(c.path, "oidcgi.conf") != NULL);
	oconf_free(&c);
}

/*
 * Every key from its environment variable (which also checks the names).
 */
static void
t_env_values(void)
{
	struct oconf	 c;

	setup();
	setenv("URLS_SELF_ISSUER", "https://env.example.com/x", 1);
	setenv("URLS_LOGIN", "https://env.example.com/l", 1);
	setenv("URLS_CONSENT", "https://env.example.com/c", 1);
	setenv("URLS_LOGOUT", "https://env.example.com/o", 1);
	setenv("URLS_ERROR", "https://env.example.com/e", 1);
	setenv("URLS_POST_LOGOUT_REDIRECT", "https://env.example.com/p", 1);
	setenv("SECRETS_SYSTEM", S16B, 1);
	setenv("TTL_ACCESS_TOKEN", "5m", 1);
	setenv("TTL_REFRESH_TOKEN", "24h", 1);
	setenv("TTL_ID_TOKEN", "6m", 1);
	setenv("TTL_AUTH_CODE", "7m", 1);
	setenv("TTL_LOGIN_CONSENT_REQUEST", "8m", 1);
	setenv("STRATEGIES_ACCESS_TOKEN", "jwt", 1);
	setenv("OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED", "true", 1);
	setenv("SERVE_PUBLIC_PORT", "9000", 1);
	setenv("SERVE_ADMIN_PORT", "9001", 1);
	setenv("SERVE_REQUEST_BODY_MAX", "4096", 1);
	setenv("LOG_LEVEL", "debug", 1);
	setenv("OAUTH2_EXPOSE_INTERNAL_ERRORS", "true", 1);
	setenv("STORE_MAP_SIZE", "2097152", 1);
	setenv("WEBFINGER_JWKS_BROADCAST_KEYS", "env.set", 1);
	setenv("OIDCGI_DATA_DIR", "/srv/oidcgi//", 1);
	CHECK(load_text(&c, "") == 1);
	CHECK_STR(errbuf, "");
	CHECK_STR(c.issuer, "https://env.example.com/x/");
	CHECK_STR(c.url_login, "https://env.example.com/l");
	CHECK_STR(c.url_consent, "https://env.example.com/c");
	CHECK_STR(c.url_logout, "https://env.example.com/o");
	CHECK_STR(c.url_error, "https://env.example.com/e");
	CHECK_STR(c.url_post_logout, "https://env.example.com/p");
	CHECK(c.nsecrets == 1);
	CHECK_STR(c.secrets[0], S16B);
	CHECK(c.ttl_access_token == 300);
	CHECK(c.ttl_refresh_token == 86400);
	CHECK(c.ttl_id_token == 360);
	CHECK(c.ttl_auth_code == 420);
	CHECK(c.ttl_login_consent == 480);
	CHECK(c.access_token_strategy == OCONF_TOKEN_JWT);
	CHECK(c.dcr_enabled == 1);
	CHECK(c.public_port == 9000);
	CHECK(c.admin_port == 9001);
	CHECK(c.body_max == 4096);
	CHECK(c.log_level == OLOG_DEBUG);
	CHECK(c.expose_debug == 1);
	CHECK(c.map_size == 2097152);
	CHECK(c.broadcast_keys.n == 1);
	CHECK_STR(c.broadcast_keys.v[0], "env.set");
	CHECK_STR(c.data_dir, "/srv/oidcgi");
	oconf_free(&c);
}

/*
 * The environment wins over the file; an empty variable counts as unset.
 */
static void
t_env_over_file(void)
{
	struct oconf	 c;

	setup();
	setenv("TTL_ACCESS_TOKEN", "3h", 1);
	setenv("LOG_LEVEL", "", 1);
	setenv("SECRETS_SYSTEM", S16B, 1);
	CHECK(load_text(&c,
	    "ttl.access_token = 2h\n"
	    "log.level = error\n"
	    "secrets.system = " S16A "\n") == 1);
	CHECK(c.ttl_access_token == 3 * 3600);
	CHECK(c.log_level == OLOG_ERROR);
	CHECK(c.nsecrets == 1);
	CHECK_STR(c.secrets[0], S16B);
	oconf_free(&c);

	/* An empty URLS_SELF_ISSUER leaves the default, not an error. */
	setenv("URLS_SELF_ISSUER", "", 1);
	CHECK(load_text(&c, "") == 1);
	CHECK_STR(c.issuer, "http://127.0.0.1:4444/");
	oconf_free(&c);
}

/*
 * Whitespace, quoting, CRLF, a byte order mark and a 4096-byte line.
 */
static void
t_syntax(void)
{
	struct oconf	 c;
	char		*big;
	size_t		 n;

	setup();
	CHECK(load_text(&c,
	    "\xef\xbb\xbf# BOM, then a comment\r\n"
	    "   \t\r\n"
	    "  \t# indented comment\n"
	    " \tlog.level\t=\t warning \t\r\n"
	    "secrets.system = \"  spaced \\\"q\\\" \\\\ #x, " S16B "\"\n"
	    "strategies.access_token=\"jwt\"\n"
	    "ttl.auth_code =5m") == 1);
	CHECK_STR(errbuf, "");
	CHECK(c.log_level == OLOG_WARN);
	CHECK(c.nsecrets == 2);
	CHECK_STR(c.secrets[0], "  spaced \"q\" \\ #x");
	CHECK_STR(c.secrets[1], " " S16B);
	CHECK(c.access_token_strategy == OCONF_TOKEN_JWT);
	CHECK(c.ttl_auth_code == 300);
	oconf_free(&c);

	/* A line of exactly 4096 bytes is fine. */
	n = 4096;
	big = malloc(n + 2);
	CHECK(big != NULL);
	if (big == NULL)
		return;
	memset(big, 'x', n);
	big[0] = '#';
	big[n] = '\n';
	big[n + 1] = '\0';
	CHECK(load_text(&c, big) == 1);
	oconf_free(&c);
	free(big);
}

/*
 * Issuer normalisation and the URLs derived from the final issuer.
 */
static void
t_issuer(void)
{
	struct oconf	 c;

	setup();
	CHECK(load_text(&c, "urls.self.issuer = https://id.example.com/base\n")
	    == 1);
	CHECK_STR(c.issuer, "https://id.example.com/base/");
	CHECK_STR(c.url_login, "https://id.example.com/base/ui/login");
	CHECK_STR(c.url_consent, "https://id.example.com/base/ui/consent");
	CHECK_STR(c.url_logout, "https://id.example.com/base/ui/logout");
	CHECK_STR(c.url_error, "https://id.example.com/base/ui/error");
	CHECK_STR(c.url_post_logout,
	    "https://id.example.com/base/ui/logged-out");
	oconf_free(&c);

	CHECK(load_text(&c, "urls.self.issuer = https://id.example.com\n"
	    "urls.consent = https://other.example.com/c\n") == 1);
	CHECK_STR(c.issuer, "https://id.example.com/");
	CHECK_STR(c.url_login, "https://id.example.com/ui/login");
	CHECK_STR(c.url_consent, "https://other.example.com/c");
	oconf_free(&c);

	/* The default issuer follows serve.public.port. */
	setenv("SERVE_PUBLIC_PORT", "5555", 1);
	CHECK(load_text(&c, "") == 1);
	CHECK_STR(c.issuer, "http://127.0.0.1:5555/");
	CHECK_STR(c.url_error, "http://127.0.0.1:5555/ui/error");
	oconf_free(&c);
	unsetenv("SERVE_PUBLIC_PORT");

	/* Other accepted forms. */
	CHECK(load_text(&c, "urls.self.issuer = HTTPS://[::1]:8443/a%20b/\n")
	    == 1);
	CHECK_STR(c.issuer, "HTTPS://[::1]:8443/a%20b/");
	oconf_free(&c);
	CHECK(load_text(&c, "urls.self.issuer = http://localhost:1\n") == 1);
	CHECK_STR(c.issuer, "http://localhost:1/");
	oconf_free(&c);
}

/*
 * webfinger.jwks.broadcast_keys: entries trimmed, kept in order with
 * duplicates, every allowed character, the limits exactly, the
 * environment over the file, and oconf_value()'s comma-separated text.
 */
static void
t_broadcast_keys(void)
{
	struct oconf	 c;
	char		 buf[2048], small[16], want[2048];
	size_t		 i;

	setup();
	CHECK(load_text(&c, "webfinger.jwks.broadcast_keys = "
	    " a ,\tb.c\t, hydra.openid.id-token,a \n") == 1);
	CHECK_STR(errbuf, "");
	CHECK(c.broadcast_keys.n == 4);
	CHECK_STR(c.broadcast_keys.v[0], "a");
	CHECK_STR(c.broadcast_keys.v[1], "b.c");
	CHECK_STR(c.broadcast_keys.v[2], "hydra.openid.id-token");
	CHECK_STR(c.broadcast_keys.v[3], "a");
	CHECK(c.broadcast_keys.v[4] == NULL);
	CHECK(oconf_value(&c, "webfinger.jwks.broadcast_keys", buf,
	    sizeof(buf)) == 1);
	CHECK_STR(buf, "a,b.c,hydra.openid.id-token,a");
	/* Too small a buffer is an error, not a cut list. */
	CHECK(oconf_value(&c, "webfinger.jwks.broadcast_keys", small,
	    sizeof(small)) == 0);
	CHECK(strstr(small, "a,b.c") == NULL);
	oconf_free(&c);
	CHECK(c.broadcast_keys.n == 0 && c.broadcast_keys.v[0] == NULL);

	/* The default, as oconf_value() prints it. */
	CHECK(load_text(&c, "") == 1);
	CHECK(oconf_value(&c, "webfinger.jwks.broadcast_keys", buf,
	    sizeof(buf)) == 1);
	CHECK_STR(buf, "hydra.jwt.access-token");
	oconf_free(&c);

	/* Every allowed character; a quoted value is a list too. */
	CHECK(load_text(&c, "webfinger.jwks.broadcast_keys = "
	    "\"" N64 ", Z9\"\n") == 1);
	CHECK(c.broadcast_keys.n == 2);
	CHECK_STR(c.broadcast_keys.v[0], N64);
	CHECK_STR(c.broadcast_keys.v[1], "Z9");
	oconf_free(&c);

	/* Exactly 16 entries of 64 bytes: accepted, and printed whole. */
	want[0] = '\0';
	for (i = 0; i < OCONF_LIST_MAX; i++) {
		if (i > 0)
			strcat(want, ",");
		strcat(want, N64);
	}
	CHECK(strlen(want) == 16 * 64 + 15);
	setenv("WEBFINGER_JWKS_BROADCAST_KEYS", want, 1);
	CHECK(load_text(&c, "") == 1);
	CHECK(c.broadcast_keys.n == 16);
	CHECK_STR(c.broadcast_keys.v[15], N64);
	CHECK(oconf_value(&c, "webfinger.jwks.broadcast_keys", buf,
	    sizeof(buf)) == 1);
	CHECK_STR(buf, want);
	oconf_free(&c);

	/* The environment replaces the file's list; empty counts as unset. */
	setenv("WEBFINGER_JWKS_BROADCAST_KEYS", "from-env, second", 1);
	CHECK(load_text(&c, "webfinger.jwks.broadcast_keys = a,b,c\n") == 1);
	CHECK(c.broadcast_keys.n == 2);
	CHECK_STR(c.broadcast_keys.v[0], "from-env");
	CHECK_STR(c.broadcast_keys.v[1], "second");
	CHECK(c.broadcast_keys.v[2] == NULL);
	oconf_free(&c);
	setenv("WEBFINGER_JWKS_BROADCAST_KEYS", "", 1);
	CHECK(load_text(&c, "webfinger.jwks.broadcast_keys = a,b,c\n") == 1);
	CHECK(c.broadcast_keys.n == 3);
	CHECK_STR(c.broadcast_keys.v[2], "c");
	oconf_free(&c);
}

/*
 * serve.admin.cors.* and serve.admin.hosts: origins and hosts as
 * written, "*", the environment, oconf_value().
 */
static void
t_admin_fences(void)
{
	struct oconf	 c;
	char		 buf[512];

	CHECK(load_text(&c, "serve.admin.cors.enabled = true\n"
	    "serve.admin.cors.allowed_origins = https://a.example, "
	    "http://127.0.0.1:8080,HTTPS://[::1]:1\n"
	    "serve.admin.hosts = admin.internal, [::1]:4445,10.0.0.5:80\n")
	    == 1);
	CHECK(c.admin_cors == 1);
	CHECK(c.admin_cors_origins.n == 3);
	CHECK_STR(c.admin_cors_origins.v[0], "https://a.example");
	CHECK_STR(c.admin_cors_origins.v[1], "http://127.0.0.1:8080");
	CHECK_STR(c.admin_cors_origins.v[2], "HTTPS://[::1]:1");
	CHECK(c.admin_hosts.n == 3);
	CHECK_STR(c.admin_hosts.v[0], "admin.internal");
	CHECK_STR(c.admin_hosts.v[1], "[::1]:4445");
	CHECK_STR(c.admin_hosts.v[2], "10.0.0.5:80");
	CHECK(oconf_value(&c, "serve.admin.hosts", buf, sizeof(buf)) == 1);
	CHECK_STR(buf, "admin.internal,[::1]:4445,10.0.0.5:80");
	CHECK(oconf_value(&c, "serve.admin.cors.enabled", buf, sizeof(buf))
	    == 1);
	CHECK_STR(buf, "true");
	oconf_free(&c);

	setenv("SERVE_ADMIN_CORS_ALLOWED_ORIGINS", "*", 1);
	setenv("SERVE_ADMIN_HOSTS", "*", 1);
	CHECK(load_text(&c, "serve.admin.hosts = a.example\n") == 1);
	CHECK(c.admin_cors == 0);
	CHECK(c.admin_cors_origins.n == 1);
	CHECK_STR(c.admin_cors_origins.v[0], "*");
	CHECK(c.admin_hosts.n == 1);
	CHECK_STR(c.admin_hosts.v[0], "*");
	oconf_free(&c);
	unsetenv("SERVE_ADMIN_CORS_ALLOWED_ORIGINS");
	unsetenv("SERVE_ADMIN_HOSTS");

	/* Unset lists are empty, and print as "". */
	CHECK(load_text(&c, "") == 1);
	CHECK(oconf_value(&c, "serve.admin.cors.allowed_origins", buf,
	    sizeof(buf)) == 1);
	CHECK_STR(buf, "");
	oconf_free(&c);
}

/*
 * One bad configuration: file text (or NULL), an environment variable
 * (or NULL), and the message expected.  In want, "@" stands for the
 * configuration file's path.
 */
struct bad {
	const char	*file;
	const char	*env, *envval;
	const char	*want;
};

static const struct bad bads[] = {
	/* numbers */
	{ "ui.lockout.attempts = 0\n", NULL, NULL,
	    "@:1: ui.lockout.attempts: \"0\" is not a number (1-1000)" },
	{ NULL, "UI_LOCKOUT_ATTEMPTS", "5x",
	    "UI_LOCKOUT_ATTEMPTS: \"5x\" is not a number (1-1000)" },
	{ NULL, "UI_LOCKOUT_WINDOW", "721h",
	    "UI_LOCKOUT_WINDOW: \"721h\" is out of range (1s to 720h)" },
	/* durations */
	{ "ttl.access_token = 5x\n", NULL, NULL,
	    "@:1: ttl.access_token: \"5x\" is not a duration "
	    "(e.g. 1h, 30m, 3600s)" },
	{ NULL, "TTL_ACCESS_TOKEN", "5x",
	    "TTL_ACCESS_TOKEN: \"5x\" is not a duration "
	    "(e.g. 1h, 30m, 3600s)" },
	{ "ttl.id_token =\n", NULL, NULL,
	    "@:1: ttl.id_token: \"\" is not a duration (e.g. 1h, 30m, 3600s)" },
	{ "ttl.auth_code = 0\n", NULL, NULL,
	    "@:1: ttl.auth_code: \"0\" is out of range (1s to 87600h)" },
	{ "ttl.access_token = -1\n", NULL, NULL,
	    "@:1: ttl.access_token: \"-1\" is out of range (1s to 87600h)" },
	{ NULL, "TTL_ID_TOKEN", "87601h",
	    "TTL_ID_TOKEN: \"87601h\" is out of range (1s to 87600h)" },
	{ NULL, "TTL_REFRESH_TOKEN", "0",
	    "TTL_REFRESH_TOKEN: \"0\" is out of range "
	    "(1s to 87600h, or -1 for never)" },
	{ NULL, "TTL_LOGIN_CONSENT_REQUEST", "99999999999999999999h",
	    "TTL_LOGIN_CONSENT_REQUEST: \"99999999999999999999h\" is not a "
	    "duration (e.g. 1h, 30m, 3600s)" },
	/* URLs */
	{ "urls.login = http//x\n", NULL, NULL,
	    "@:1: urls.login: \"http//x\" is not an absolute http(s) URL" },
	{ "urls.login = /ui/login\n", NULL, NULL,
	    "@:1: urls.login: \"/ui/login\" is not an absolute http(s) URL" },
	{ NULL, "URLS_SELF_ISSUER", "ftp://example.com/",
	    "URLS_SELF_ISSUER: \"ftp://example.com/\" is not an absolute "
	    "http(s) URL" },
	{ NULL, "URLS_SELF_ISSUER", "https:///",
	    "URLS_SELF_ISSUER: \"https:///\" is not an absolute http(s) URL" },
	{ "urls.consent = https://x/c#frag\n", NULL, NULL,
	    "@:1: urls.consent: \"https://x/c#frag\" has a fragment" },
	{ NULL, "URLS_SELF_ISSUER", "https://x/#",
	    "URLS_SELF_ISSUER: \"https://x/#\" has a fragment" },
	{ NULL, "URLS_SELF_ISSUER", "https://x/?a=b",
	    "URLS_SELF_ISSUER: \"https://x/?a=b\" has a query" },
	{ NULL, "URLS_LOGIN", "https://u:p@x/",
	    "URLS_LOGIN: \"https://u:p@x/\" has user info (user@host)" },
	{ NULL, "URLS_LOGIN", "https://x:0/",
	    "URLS_LOGIN: \"https://x:0/\" has a bad port" },
	{ NULL, "URLS_LOGIN", "https://x:/",
	    "URLS_LOGIN: \"https://x:/\" has a bad port" },
	{ NULL, "URLS_LOGIN", "https://x:65536/",
	    "URLS_LOGIN: \"https://x:65536/\" has a bad port" },
	{ NULL, "URLS_LOGIN", "https://x y/",
	    "URLS_LOGIN: \"https://x y/\" has a bad host" },
	{ NULL, "URLS_LOGIN", "https://x/a b",
	    "URLS_LOGIN: \"https://x/a b\" has a character that must be "
	    "percent-encoded" },
	{ NULL, "URLS_LOGIN", "https://x/%zz",
	    "URLS_LOGIN: \"https://x/%zz\" has a bad percent-encoding" },
	{ NULL, "URLS_LOGIN", "https://[]/",
	    "URLS_LOGIN: \"https://[]/\" has a bad host" },
	/* keys and syntax */
	{ "# c\n\nurls.loginn = https://x/\n", NULL, NULL,
	    "@:3: unknown key \"urls.loginn\"" },
	{ "log.level = info\nlog.level = debug\n", NULL, NULL,
	    "@:2: duplicate key \"log.level\" (first on line 1)" },
	{ "log.level\n", NULL, NULL, "@:1: expected \"key = value\"" },
	{ " = info\n", NULL, NULL, "@:1: missing key before '='" },
	{ "log.level = \"info\n", NULL, NULL,
	    "@:1: log.level: unterminated quoted value" },
	{ "log.level = \"in\\fo\"\n", NULL, NULL,
	    "@:1: log.level: bad escape in quoted value (only \\\" and \\\\)" },
	{ "log.level = \"info\" x\n", NULL, NULL,
	    "@:1: log.level: text after the closing quote" },
	{ "log.level = inf\xff\n", NULL, NULL, "@:1: not valid UTF-8" },
	{ "log.level = \xc0\xaf\n", NULL, NULL, "@:1: not valid UTF-8" },
	{ "log.level = \xed\xa0\x80\n", NULL, NULL, "@:1: not valid UTF-8" },
	/* ports and sizes */
	{ NULL, "SERVE_PUBLIC_PORT", "0",
	    "SERVE_PUBLIC_PORT: \"0\" is not a port (1-65535)" },
	{ NULL, "SERVE_ADMIN_PORT", "65536",
	    "SERVE_ADMIN_PORT: \"65536\" is not a port (1-65535)" },
	{ "serve.public.port = 080\n", NULL, NULL,
	    "@:1: serve.public.port: \"080\" is not a port (1-65535)" },
	{ "serve.public.port = 5000\nserve.admin.port = 5000\n", NULL, NULL,
	    "serve.admin.port: 5000 is the same as serve.public.port" },
	{ NULL, "SERVE_ADMIN_PORT", "4444",
	    "serve.admin.port: 4444 is the same as serve.public.port" },
	{ NULL, "SERVE_REQUEST_BODY_MAX", "1023",
	    "SERVE_REQUEST_BODY_MAX: \"1023\" is not a size in bytes "
	    "(1024-67108864)" },
	{ NULL, "SERVE_REQUEST_BODY_MAX", "67108865",
	    "SERVE_REQUEST_BODY_MAX: \"67108865\" is not a size in bytes "
	    "(1024-67108864)" },
	{ NULL, "SERVE_REQUEST_BODY_MAX", "1MB",
	    "SERVE_REQUEST_BODY_MAX: \"1MB\" is not a size in bytes "
	    "(1024-67108864)" },
	{ NULL, "STORE_MAP_SIZE", "1048575",
	    "STORE_MAP_SIZE: \"1048575\" is not a size in bytes "
	    "(1048576-1099511627776)" },
	/* booleans and enums */
	{ "oauth2.expose_internal_errors = yes\n", NULL, NULL,
	    "@:1: oauth2.expose_internal_errors: \"yes\" is not a boolean "
	    "(true or false)" },
	{ NULL, "OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED", "TRUE",
	    "OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED: \"TRUE\" is not a "
	    "boolean (true or false)" },
	{ "strategies.access_token = JWT\n", NULL, NULL,
	    "@:1: strategies.access_token: \"JWT\" is not one of: opaque, "
	    "jwt" },
	{ NULL, "LOG_LEVEL", "verbose",
	    "LOG_LEVEL: \"verbose\" is not one of: debug, info, warn, "
	    "warning, error" },
	/* secrets: never echoed */
	{ NULL, "SECRETS_SYSTEM", S16A ",tooshortsecret",
	    "SECRETS_SYSTEM: entry 2 is shorter than 16 bytes" },
	{ "secrets.system = tooshortsecret\n", NULL, NULL,
	    "@:1: secrets.system: entry 1 is shorter than 16 bytes" },
	{ "secrets.system =\n", NULL, NULL,
	    "@:1: secrets.system: entry 1 is empty" },
	{ NULL, "SECRETS_SYSTEM", S16A ",," S16B,
	    "SECRETS_SYSTEM: entry 2 is empty" },
	{ NULL, "SECRETS_SYSTEM", S16A ",",
	    "SECRETS_SYSTEM: entry 2 is empty" },
	{ NULL, "SECRETS_SYSTEM",
	    S16A "," S16A "," S16A "," S16A "," S16A "," S16A "," S16A ","
	    S16A "," S16A,
	    "SECRETS_SYSTEM: more than 8 entries" },
	/* lists of key set names */
	{ "webfinger.jwks.broadcast_keys =\n", NULL, NULL,
	    "@:1: webfinger.jwks.broadcast_keys: entry 1 is empty" },
	{ "webfinger.jwks.broadcast_keys = a,,b\n", NULL, NULL,
	    "@:1: webfinger.jwks.broadcast_keys: entry 2 is empty" },
	{ NULL, "WEBFINGER_JWKS_BROADCAST_KEYS", "a,",
	    "WEBFINGER_JWKS_BROADCAST_KEYS: entry 2 is empty" },
	{ NULL, "WEBFINGER_JWKS_BROADCAST_KEYS", "a, \t ,b",
	    "WEBFINGER_JWKS_BROADCAST_KEYS: entry 2 is empty" },
	{ NULL, "WEBFINGER_JWKS_BROADCAST_KEYS", ",a",
	    "WEBFINGER_JWKS_BROADCAST_KEYS: entry 1 is empty" },
	{ NULL, "WEBFINGER_JWKS_BROADCAST_KEYS", "a,b c",
	    "WEBFINGER_JWKS_BROADCAST_KEYS: entry 2 \"b c\" may only hold "
	    "letters, digits, '.', '-' and '_'" },
	{ "webfinger.jwks.broadcast_keys = a/b\n", NULL, NULL,
	    "@:1: webfinger.jwks.broadcast_keys: entry 1 \"a/b\" may only "
	    "hold letters, digits, '.', '-' and '_'" },
	{ NULL, "WEBFINGER_JWKS_BROADCAST_KEYS", "set:1",
	    "WEBFINGER_JWKS_BROADCAST_KEYS: entry 1 \"set:1\" may only hold "
	    "letters, digits, '.', '-' and '_'" },
	{ NULL, "WEBFINGER_JWKS_BROADCAST_KEYS", "caf\xc3\xa9",
	    "WEBFINGER_JWKS_BROADCAST_KEYS: entry 1 \"caf??\" may only hold "
	    "letters, digits, '.', '-' and '_'" },
	{ NULL, "WEBFINGER_JWKS_BROADCAST_KEYS", "a;b",
	    "WEBFINGER_JWKS_BROADCAST_KEYS: entry 1 \"a;b\" may only hold "
	    "letters, digits, '.', '-' and '_'" },
	{ NULL, "WEBFINGER_JWKS_BROADCAST_KEYS",
	    "ok," N65,
	    "WEBFINGER_JWKS_BROADCAST_KEYS: entry 2 \"" N48 "...\" is longer "
	    "than 64 bytes" },
	{ NULL, "WEBFINGER_JWKS_BROADCAST_KEYS",
	    "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q",
	    "WEBFINGER_JWKS_BROADCAST_KEYS: more than 16 entries" },
	{ "webfinger.jwks.broadcast_keys = a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,\n",
	    NULL, NULL,
	    "@:1: webfinger.jwks.broadcast_keys: more than 16 entries" },
	/* the admin listener's origins and hosts */
	{ "serve.admin.cors.enabled = yes\n", NULL, NULL,
	    "@:1: serve.admin.cors.enabled: \"yes\" is not a boolean "
	    "(true or false)" },
	{ "serve.admin.cors.allowed_origins = https://a.example/\n", NULL,
	    NULL, "@:1: serve.admin.cors.allowed_origins: entry 1 "
	    "\"https://a.example/\" is not an origin (http[s]://host[:port], "
	    "no path)" },
	{ NULL, "SERVE_ADMIN_CORS_ALLOWED_ORIGINS", "https://a.example,a.example",
	    "SERVE_ADMIN_CORS_ALLOWED_ORIGINS: entry 2 \"a.example\" is not "
	    "\"*\" or an origin (http[s]://host[:port])" },
	{ NULL, "SERVE_ADMIN_CORS_ALLOWED_ORIGINS", "null",
	    "SERVE_ADMIN_CORS_ALLOWED_ORIGINS: entry 1 \"null\" is not "
	    "\"*\" or an origin (http[s]://host[:port])" },
	{ NULL, "SERVE_ADMIN_CORS_ALLOWED_ORIGINS", "https://u@a.example",
	    "SERVE_ADMIN_CORS_ALLOWED_ORIGINS: entry 1 \"https://u@a.example\" "
	    "is not an origin (http[s]://host[:port], no path)" },
	{ NULL, "SERVE_ADMIN_CORS_ALLOWED_ORIGINS", "https://a.example:0",
	    "SERVE_ADMIN_CORS_ALLOWED_ORIGINS: entry 1 \"https://a.example:0\" "
	    "is not an origin (http[s]://host[:port], no path)" },
	{ NULL, "SERVE_ADMIN_HOSTS", "a.example/x",
	    "SERVE_ADMIN_HOSTS: entry 1 \"a.example/x\" is not \"*\" or a "
	    "host[:port]" },
	{ NULL, "SERVE_ADMIN_HOSTS", "a.example:99999",
	    "SERVE_ADMIN_HOSTS: entry 1 \"a.example:99999\" is not \"*\" or a "
	    "host[:port]" },
	{ NULL, "SERVE_ADMIN_HOSTS", "u@a.example",
	    "SERVE_ADMIN_HOSTS: entry 1 \"u@a.example\" is not \"*\" or a "
	    "host[:port]" },
	{ "serve.admin.hosts = ok,\n", NULL, NULL,
	    "@:1: serve.admin.hosts: entry 2 is empty" },
	/* data directory */
	{ NULL, "OIDCGI_DATA_DIR", "///",
	    "OIDCGI_DATA_DIR: \"/\" cannot be the data directory" },
};

/*
 * Every class of error, with its exact one-line message; a failed load
 * leaves nothing to free, and no secret is ever echoed.
 */
static void
t_errors(void)
{
	struct oconf	 c;
	char		 path[PATH_MAX], want[PATH_MAX + 1024];
	size_t		 i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		setup();
		write_file("oidcgi.conf", bads[i].file ? bads[i].file : "",
		    path, sizeof(path));
		if (bads[i].env != NULL)
			setenv(bads[i].env, bads[i].envval, 1);
		memset(&c, 0xa5, sizeof(c));
		CHECK(oconf_load(&c, path, errbuf, sizeof(errbuf)) == 0);
		check_zeroed(&c);
		if (bads[i].want[0] == '@')
			snprintf(want, sizeof(want), "%s%s", path,
			    bads[i].want + 1);
		else
			snprintf(want, sizeof(want), "%s", bads[i].want);
		CHECK_STR(errbuf, want);
		CHECK(strstr(errbuf, "tooshort") == NULL);
		CHECK(strstr(errbuf, S16A) == NULL);
		CHECK(strchr(errbuf, '\n') == NULL);
		oconf_free(&c);
	}
}

/*
 * Errors about the file itself: a line too long, a NUL byte, a missing
 * named file (argument or OIDCGI_CONFIG), a directory.
 */
static void
t_file_errors(void)
{
	struct oconf	 c;
	char		 path[PATH_MAX], want[PATH_MAX + 64], *big;
	size_t		 n = 4097;

	setup();
	big = malloc(n + 32);
	CHECK(big != NULL);
	if (big == NULL)
		return;
	memcpy(big, "log.level = info\n", 17);
	memset(big + 17, '#', n);
	memcpy(big + 17 + n, "\n", 2);
	write_file("long.conf", big, path, sizeof(path));
	free(big);
	CHECK(oconf_load(&c, path, errbuf, sizeof(errbuf)) == 0);
	snprintf(want, sizeof(want), "%s:2: line longer than 4096 bytes",
	    path);
	CHECK_STR(errbuf, want);
	check_zeroed(&c);

	write_bytes("nul.conf", "log.level = in\0fo\n", 18, path,
	    sizeof(path));
	CHECK(oconf_load(&c, path, errbuf, sizeof(errbuf)) == 0);
	snprintf(want, sizeof(want), "%s:1: line holds a NUL byte", path);
	CHECK_STR(errbuf, want);

	snprintf(path, sizeof(path), "%s/missing.conf", tmp);
	CHECK(oconf_load(&c, path, errbuf, sizeof(errbuf)) == 0);
	snprintf(want, sizeof(want), "%s: %s", path, strerror(ENOENT));
	CHECK_STR(errbuf, want);
	check_zeroed(&c);

	setenv("OIDCGI_CONFIG", path, 1);
	CHECK(oconf_load(&c, NULL, errbuf, sizeof(errbuf)) == 0);
	snprintf(want, sizeof(want), "OIDCGI_CONFIG: %s: %s", path,
	    strerror(ENOENT));
	CHECK_STR(errbuf, want);
	unsetenv("OIDCGI_CONFIG");

	CHECK(oconf_load(&c, tmp, errbuf, sizeof(errbuf)) == 0);
	snprintf(want, sizeof(want), "%s: not a regular file", tmp);
	CHECK_STR(errbuf, want);

	/* A tiny or absent error buffer is fine. */
	CHECK(oconf_load(&c, path, errbuf, 8) == 0);
	CHECK(strlen(errbuf) == 7);
	CHECK(oconf_load(&c, path, NULL, 0) == 0);
}

/*
 * Configured secrets are used as they are: no directory, no file.
 */
static void
t_secrets_configured(void)
{
	struct oconf	 c;
	char		 data[PATH_MAX];
	struct stat	 st;

	setup();
	snprintf(data, sizeof(data), "%s/data", tmp);
	setenv("OIDCGI_DATA_DIR", data, 1);
	setenv("SECRETS_SYSTEM", S16A "," S16B, 1);
	CHECK(load_text(&c, "") == 1);
	CHECK(oconf_secrets(&c, errbuf, sizeof(errbuf)) == 1);
	CHECK(c.nsecrets == 2);
	CHECK_STR(c.secrets[0], S16A);
	CHECK(stat(data, &st) == -1 && errno == ENOENT);
	oconf_free(&c);
}

/*
 * Read the whole secret file under dir into buf.  Returns its length.
 */
static size_t
slurp(const char *dir, char *buf, size_t bufsz)
{
	char	 path[PATH_MAX];
	FILE	*f;
	size_t	 n;

	snprintf(path, sizeof(path), "%s/%s", dir, OCONF_SECRET_FILE);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, bufsz - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

/*
 * No secret configured: the data directory (0700) and a 0600 secret file
 * are created once; a second start reads the same secret; nothing else
 * is left in the directory.
 */
static void
t_secrets_generate(void)
{
	struct oconf	 c, c2;
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;
	char		 data[512], path[PATH_MAX], buf[256];
	size_t		 n, files = 0;

	setup();
	snprintf(data, sizeof(data), "%s/data/", tmp);
	setenv("OIDCGI_DATA_DIR", data, 1);
	data[strlen(data) - 1] = '\0';
	snprintf(path, sizeof(path), "%s/%s", data, OCONF_SECRET_FILE);

	CHECK(load_text(&c, "") == 1);
	CHECK_STR(c.data_dir, data);
	CHECK(c.nsecrets == 0);
	CHECK(oconf_secrets(&c, errbuf, sizeof(errbuf)) == 1);
	CHECK_STR(errbuf, "");
	CHECK(c.nsecrets == 1);
	CHECK(c.secrets[0] != NULL && strlen(c.secrets[0]) == 43);
	CHECK(stat(data, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (st.st_mode & 0777) == 0700);
	CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 0777) == 0600);
	n = slurp(data, buf, sizeof(buf));
	CHECK(n == 44 && buf[43] == '\n');
	buf[43] = '\0';
	CHECK_STR(c.secrets[0], buf);
	/* Already there: nothing changes. */
	CHECK(oconf_secrets(&c, errbuf, sizeof(errbuf)) == 1);
	CHECK(c.nsecrets == 1);

	CHECK(load_text(&c2, "") == 1);
	CHECK(oconf_secrets(&c2, errbuf, sizeof(errbuf)) == 1);
	CHECK(c2.nsecrets == 1);
	CHECK_STR(c2.secrets[0], c.secrets[0]);
	oconf_free(&c2);
	oconf_free(&c);

	if ((d = opendir(data)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.' ||
			    strncmp(de->d_name, ".secrets", 8) == 0)
				files++;
		closedir(d);
	}
	CHECK(files == 1);

	/* A hand-written secret file without a newline, mode 0644. */
	CHECK(unlink(path) == 0);
	write_file("data/secrets.system", S16B, path, sizeof(path));
	CHECK(chmod(path, 0644) == 0);
	CHECK(load_text(&c, "") == 1);
	CHECK(oconf_secrets(&c, errbuf, sizeof(errbuf)) == 1);
	CHECK_STR(c.secrets[0], S16B);
	oconf_free(&c);
}

/*
 * Secret file errors: parent of the data directory missing, data
 * directory a file, secret too short (not echoed), two lines, a
 * directory in place of the file, an empty file.
 */
static void
t_secrets_errors(void)
{
	struct oconf	 c;
	char		 data[PATH_MAX], path[PATH_MAX], want[2 * PATH_MAX];

	setup();
	snprintf(data, sizeof(data), "%s/nope/data", tmp);
	setenv("OIDCGI_DATA_DIR", data, 1);
	CHECK(load_text(&c, "") == 1);
	CHECK(oconf_secrets(&c, errbuf, sizeof(errbuf)) == 0);
	snprintf(want, sizeof(want), "OIDCGI_DATA_DIR: cannot create %s: "
	    "its parent directory does not exist", data);
	CHECK_STR(errbuf, want);
	CHECK(c.nsecrets == 0);
	oconf_free(&c);

	write_file("file", "", data, sizeof(data));
	setenv("OIDCGI_DATA_DIR", data, 1);
	CHECK(load_text(&c, "") == 1);
	CHECK(oconf_secrets(&c, errbuf, sizeof(errbuf)) == 0);
	snprintf(want, sizeof(want), "OIDCGI_DATA_DIR: %s is not a "
	    "directory", data);
	CHECK_STR(errbuf, want);
	oconf_free(&c);

	snprintf(data, sizeof(data), "%s/data", tmp);
	CHECK(mkdir(data, 0700) == 0);
	setenv("OIDCGI_DATA_DIR", data, 1);

	write_file("data/secrets.system", "tooshortsecret\n", path,
	    sizeof(path));
	CHECK(chmod(path, 0600) == 0);
	CHECK(load_text(&c, "") == 1);
	CHECK(oconf_secrets(&c, errbuf, sizeof(errbuf)) == 0);
	snprintf(want, sizeof(want), "%s: secret is shorter than 16 bytes",
	    path);
	CHECK_STR(errbuf, want);
	CHECK(strstr(errbuf, "tooshort") == NULL);
	CHECK(c.nsecrets == 0);
	oconf_free(&c);

	write_file("data/secrets.system", "", path, sizeof(path));
	CHECK(chmod(path, 0600) == 0);
	CHECK(load_text(&c, "") == 1);
	CHECK(oconf_secrets(&c, errbuf, sizeof(errbuf)) == 0);
	CHECK_STR(errbuf, want);
	oconf_free(&c);

	write_file("data/secrets.system", S16A "\n" S16B "\n", path,
	    sizeof(path));
	CHECK(chmod(path, 0600) == 0);
	CHECK(load_text(&c, "") == 1);
	CHECK(oconf_secrets(&c, errbuf, sizeof(errbuf)) == 0);
	snprintf(want, sizeof(want), "%s: must hold exactly one line", path);
	CHECK_STR(errbuf, want);
	oconf_free(&c);

	CHECK(unlink(path) == 0);
	CHECK(mkdir(path, 0700) == 0);
	CHECK(load_text(&c, "") == 1);
	CHECK(oconf_secrets(&c, errbuf, sizeof(errbuf)) == 0);
	snprintf(want, sizeof(want), "%s: not a regular file", path);
	CHECK_STR(errbuf, want);
	oconf_free(&c);
}

/*
 * Several processes starting at once with no secret file all end up
 * with the one secret that landed in the file.
 */
static void
t_secrets_race(void)
{
	struct oconf	 c;
	char		 data[PATH_MAX], out[PATH_MAX], buf[256], got[256];
	FILE		*f;
	pid_t		 pids[8];
	size_t		 i, n;
	int		 status, ok;

	setup();
	snprintf(data, sizeof(data), "%s/data", tmp);
	setenv("OIDCGI_DATA_DIR", data, 1);
	for (i = 0; i < 8; i++) {
		if ((pids[i] = fork()) == -1) {
			CHECK(0);
			continue;
		}
		if (pids[i] != 0)
			continue;
		ok = 0;
		snprintf(out, sizeof(out), "%s/out.%zu", tmp, i);
		if (oconf_load(&c, NULL, errbuf, sizeof(errbuf)) &&
		    oconf_secrets(&c, errbuf, sizeof(errbuf)) &&
		    (f = fopen(out, "w")) != NULL) {
			ok = fprintf(f, "%s\n", c.secrets[0]) > 0;
			ok = fclose(f) == 0 && ok;
		}
		if (!ok)
			fprintf(stderr, "child %zu: %s\n", i, errbuf);
		oconf_free(&c);
		_exit(ok ? 0 : 1);
	}
	for (i = 0; i < 8; i++) {
		if (pids[i] <= 0)
			continue;
		CHECK(waitpid(pids[i], &status, 0) == pids[i]);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	n = slurp(data, buf, sizeof(buf));
	CHECK(n == 44);
	for (i = 0; i < 8; i++) {
		snprintf(out, sizeof(out), "%s/out.%zu", tmp, i);
		got[0] = '\0';
		if ((f = fopen(out, "r")) != NULL) {
			if (fgets(got, sizeof(got), f) == NULL)
				got[0] = '\0';
			fclose(f);
		}
		CHECK_STR(got, buf);
	}
}

/*
 * conf/oidcgi.conf: lists every key; as shipped (all commented) and with
 * every default uncommented it loads to exactly the defaults.
 */
static void
t_example(void)
{
	struct oconf	 c, d;
	char		 line[4200], pat[128], path[PATH_MAX], *p;
	FILE		*f, *g;
	size_t		 i, len;
	int		 seen[NNAMES];

	setup();
	memset(seen, 0, sizeof(seen));
	CHECK(chdir(tmp) == 0);
	CHECK(oconf_load(&d, NULL, errbuf, sizeof(errbuf)) == 1);
	CHECK(fchdir(topfd) == 0);

	CHECK(oconf_load(&c, EXAMPLE_CONF, errbuf, sizeof(errbuf)) == 1);
	CHECK_STR(errbuf, "");
	CHECK(conf_eq(&c, &d));
	oconf_free(&c);

	snprintf(path, sizeof(path), "%s/uncommented.conf", tmp);
	if ((f = fopen(EXAMPLE_CONF, "r")) == NULL) {
		CHECK(0);
		goto out;
	}
	if ((g = fopen(path, "w")) == NULL) {
		fclose(f);
		CHECK(0);
		goto out;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		/* No line may set anything. */
		p = line + strspn(line, " \t");
		CHECK(*p == '#' || *p == '\n');
		for (i = 0; i < NNAMES; i++) {
			snprintf(pat, sizeof(pat), "# %s =", names[i].key);
			len = strlen(pat);
			if (strncmp(line, pat, len) != 0 ||
			    (line[len] != ' ' && line[len] != '\n'))
				continue;
			seen[i]++;
			/* An empty default (secrets.system) stays commented. */
			if (line[len] != '\n')
				fputs(line + 2, g);
		}
	}
	fclose(f);
	CHECK(fclose(g) == 0);
	for (i = 0; i < NNAMES; i++) {
		if (seen[i] != 1)
			fprintf(stderr, "%s: listed %d times in %s\n",
			    names[i].key, seen[i], EXAMPLE_CONF);
		CHECK(seen[i] == 1);
	}
	CHECK(oconf_load(&c, path, errbuf, sizeof(errbuf)) == 1);
	CHECK_STR(errbuf, "");
	CHECK(conf_eq(&c, &d));
	oconf_free(&c);
out:
	oconf_free(&d);
}

/*
 * The data directory: OIDCGI_DATA_DIR, else a path in dsn (relative to
 * the file's folder), else the default; other DSNs are refused without
 * echoing them.  Apache's REDIRECT_ names count.
 */
static void
t_dsn(void)
{
	struct oconf	 c;
	char		 want[PATH_MAX];

	setup();
	CHECK(load_text(&c, "") == 1);
	CHECK_STR(c.data_dir, OCONF_DEFAULT_DATA);
	CHECK_STR(c.data_from, "the default data directory");
	oconf_free(&c);

	CHECK(load_text(&c, "dsn = data/\n") == 1);
	snprintf(want, sizeof(want), "%s/data", tmp);
	CHECK_STR(c.data_dir, want);
	CHECK_STR(c.data_from, "dsn");
	CHECK(oconf_value(&c, "dsn", want, sizeof(want)) == 1);
	CHECK_STR(want, c.data_dir);
	oconf_free(&c);

	CHECK(load_text(&c, "dsn = /srv/o//\n") == 1);
	CHECK_STR(c.data_dir, "/srv/o");
	oconf_free(&c);

	setenv("DSN", "rel/d", 1);
	CHECK(load_text(&c, "dsn = /srv/o\n") == 1);
	CHECK_STR(c.data_dir, "rel/d");
	CHECK_STR(c.data_from, "DSN");
	oconf_free(&c);
	unsetenv("DSN");

	setenv("OIDCGI_DATA_DIR", "/from/env", 1);
	CHECK(load_text(&c, "dsn = /srv/o\n") == 1);
	CHECK_STR(c.data_dir, "/from/env");
	CHECK_STR(c.data_from, "OIDCGI_DATA_DIR");
	oconf_free(&c);
	unsetenv("OIDCGI_DATA_DIR");

	/* A RewriteRule's E= flag: REDIRECT_ prefixes, one or two. */
	setenv("REDIRECT_REDIRECT_OIDCGI_DATA_DIR", "/twice", 1);
	setenv("REDIRECT_URLS_SELF_ISSUER", "https://example.org/sso", 1);
	CHECK(load_text(&c, "") == 1);
	CHECK_STR(c.data_dir, "/twice");
	CHECK_STR(c.issuer, "https://example.org/sso/");
	oconf_free(&c);
	env_clear();

	/* PostgreSQL: the store; the data directory stays. */
	CHECK(load_text(&c, "dsn = postgres://u:hunter2@db/h\n") == 1);
	CHECK_STR(c.dsn, "postgres://u:hunter2@db/h");
	CHECK(c.data_dir != NULL && strstr(c.data_dir, "postgres") == NULL);
	/* Shown with the password hidden, wherever it is. */
	CHECK(oconf_value(&c, "dsn", want, sizeof(want)) == 1);
	CHECK_STR(want, "postgres://u:***@db/h");
	oconf_free(&c);
	CHECK(load_text(&c, "dsn = postgresql://u:a:b@/h?host=/s&"
	    "password=hunter2&sslmode=disable\n") == 1);
	CHECK(oconf_value(&c, "dsn", want, sizeof(want)) == 1);
	CHECK_STR(want, "postgresql://u:***@/h?host=/s&password=***&"
	    "sslmode=disable");
	CHECK(oconf_value(&c, "dsn", want, 20) == 0);
	CHECK(strstr(want, "hunter2") == NULL);
	oconf_free(&c);
	CHECK(load_text(&c, "dsn = postgresql://db/h\n") == 1);
	CHECK_STR(c.dsn, "postgresql://db/h");
	CHECK(oconf_value(&c, "dsn", want, sizeof(want)) == 1);
	CHECK_STR(want, "postgresql://db/h");
	oconf_free(&c);
	CHECK(load_text(&c, "dsn = cockroach://u:hunter2@db/h\n") == 0);
	CHECK(strstr(errbuf, "postgres://") != NULL);
	CHECK(strstr(errbuf, "hunter2") == NULL);
	CHECK(load_text(&c, "dsn = sqlite:///x.db\n") == 0);
	CHECK(strstr(errbuf, "not a path") != NULL);
	CHECK(load_text(&c, "dsn = memory\n") == 0);
	CHECK(load_text(&c, "dsn = /\n") == 0);
	setenv("DSN", "mysql://x", 1);
	CHECK(load_text(&c, "") == 0);
	CHECK(strncmp(errbuf, "DSN: ", 5) == 0);
	unsetenv("DSN");
}

/*
 * serve.public.cors.* and the rest of serve.admin.cors.*: Hydra's
 * defaults (the admin's methods and exposed headers its own), values,
 * the environment, and what each refuses.
 */
static void
t_cors(void)
{
	static const struct {
		const char	*file;
		const char	*want;
	} cbads[] = {
		{ "serve.public.cors.allowed_methods = GET, FETCH\n",
		    "@:1: serve.public.cors.allowed_methods: entry 2 \"FETCH\" "
		    "is not one of POST, GET, PUT, PATCH, DELETE, CONNECT, "
		    "HEAD, OPTIONS, TRACE" },
		{ "serve.admin.cors.allowed_methods = get\n",
		    "@:1: serve.admin.cors.allowed_methods: entry 1 \"get\" "
		    "is not one of POST, GET, PUT, PATCH, DELETE, CONNECT, "
		    "HEAD, OPTIONS, TRACE" },
		{ "serve.public.cors.allowed_headers = X Y\n",
		    "@:1: serve.public.cors.allowed_headers: entry 1 \"X Y\" "
		    "is not a header name" },
		{ "serve.admin.cors.exposed_headers = X:Y\n",
		    "@:1: serve.admin.cors.exposed_headers: entry 1 \"X:Y\" "
		    "is not a header name" },
		{ "serve.public.cors.allowed_origins = https://*.*.example\n",
		    "@:1: serve.public.cors.allowed_origins: entry 1 "
		    "\"https://*.*.example\" has more than one '*'" },
		{ "serve.public.cors.allowed_origins = https://*.example/x\n",
		    "@:1: serve.public.cors.allowed_origins: entry 1 "
		    "\"https://*.example/x\" is not an origin "
		    "(http[s]://host[:port], no path)" },
		{ "serve.public.cors.allowed_origins = *.example.com\n",
		    "@:1: serve.public.cors.allowed_origins: entry 1 "
		    "\"*.example.com\" is not \"*\" or an origin "
		    "(http[s]://host[:port])" },
		{ "serve.public.cors.max_age = -1\n",
		    "@:1: serve.public.cors.max_age: \"-1\" is not a number "
		    "(0-2147483647)" },
		{ "serve.admin.cors.allow_credentials = maybe\n",
		    "@:1: serve.admin.cors.allow_credentials: \"maybe\" is not "
		    "a boolean (true or false)" },
		{ "serve.public.cors.enabled = on\n",
		    "@:1: serve.public.cors.enabled: \"on\" is not a boolean "
		    "(true or false)" },
	};
	struct oconf	 c;
	char		 buf[512], want[512], *at;
	size_t		 i;

	CHECK(load_text(&c, "") == 1);
	CHECK(c.public_cors == 0 && c.public_cors_origins.n == 0);
	CHECK(c.public_cors_credentials == 1 && c.admin_cors_credentials == 1);
	CHECK(c.public_cors_max_age == 0 && c.admin_cors_max_age == 0);
	CHECK(oconf_value(&c, "serve.public.cors.allowed_methods", buf,
	    sizeof(buf)) == 1);
	CHECK_STR(buf, "POST,GET,PUT,PATCH,DELETE,CONNECT,HEAD,OPTIONS,TRACE");
	CHECK(oconf_value(&c, "serve.admin.cors.allowed_methods", buf,
	    sizeof(buf)) == 1);
	CHECK_STR(buf, "GET,HEAD,POST,PUT,PATCH,DELETE");
	CHECK(oconf_value(&c, "serve.public.cors.allowed_headers", buf,
	    sizeof(buf)) == 1);
	CHECK_STR(buf, "Accept,Content-Type,Content-Length,Accept-Language,"
	    "Content-Language,Authorization");
	CHECK(oconf_value(&c, "serve.public.cors.exposed_headers", buf,
	    sizeof(buf)) == 1);
	CHECK_STR(buf, "Cache-Control,Expires,Last-Modified,Pragma,"
	    "Content-Length,Content-Language,Content-Type");
	CHECK(oconf_value(&c, "serve.admin.cors.exposed_headers", buf,
	    sizeof(buf)) == 1);
	CHECK_STR(buf, "Cache-Control,Expires,Last-Modified,Pragma,"
	    "Content-Length,Content-Language,Content-Type,Link,"
	    "X-Total-Count,Location");
	oconf_free(&c);

	CHECK(load_text(&c, "serve.public.cors.enabled = true\n"
	    "serve.public.cors.allowed_origins = https://*.example.com, "
	    "http://*, *, HTTPS://A.example:8443\n"
	    "serve.public.cors.allowed_headers = *, X-Requested-With\n"
	    "serve.public.cors.max_age = 600\n"
	    "serve.admin.cors.allow_credentials = false\n") == 1);
	CHECK(c.public_cors == 1);
	CHECK(c.public_cors_origins.n == 4);
	CHECK_STR(c.public_cors_origins.v[0], "https://*.example.com");
	CHECK_STR(c.public_cors_origins.v[1], "http://*");
	CHECK(c.public_cors_headers.n == 2);
	CHECK(c.public_cors_max_age == 600);
	CHECK(c.admin_cors_credentials == 0);
	oconf_free(&c);

	setenv("SERVE_PUBLIC_CORS_ALLOWED_METHODS", "GET", 1);
	setenv("SERVE_ADMIN_CORS_MAX_AGE", "5", 1);
	CHECK(load_text(&c, "serve.public.cors.allowed_methods = POST\n") ==
	    1);
	CHECK(c.public_cors_methods.n == 1);
	CHECK_STR(c.public_cors_methods.v[0], "GET");
	CHECK(c.admin_cors_max_age == 5);
	oconf_free(&c);
	unsetenv("SERVE_PUBLIC_CORS_ALLOWED_METHODS");
	unsetenv("SERVE_ADMIN_CORS_MAX_AGE");

	for (i = 0; i < sizeof(cbads) / sizeof(cbads[0]); i++) {
		CHECK(load_text(&c, cbads[i].file) == 0);
		/* "@" is the file's path. */
		snprintf(want, sizeof(want), "%s", cbads[i].want + 1);
		at = strstr(errbuf, ":1: ");
		if (!CHECKED(at != NULL))
			continue;
		CHECK_STR(at, want);
		oconf_free(&c);
	}
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(t_duration),
		T(t_defaults),
		T(t_file_choice),
		T(t_file_values),
		T(t_env_values),
		T(t_env_over_file),
		T(t_syntax),
		T(t_issuer),
		T(t_broadcast_keys),
		T(t_admin_fences),
		T(t_errors),
		T(t_file_errors),
		T(t_secrets_configured),
		T(t_secrets_generate),
		T(t_secrets_errors),
		T(t_secrets_race),
		T(t_example),
		T(t_dsn),
		T(t_cors),
	};
	int	 rc;

	if ((topfd = open(".", O_RDONLY | O_DIRECTORY)) == -1) {
		perror(".");
		return 1;
	}
	rc = t_run(tests, NTESTS);
	env_clear();
	if (fchdir(topfd) == -1)
		abort();
	if (tmp[0] != '\0')
		rm_rf(tmp);
	close(topfd);
	return rc;
}
