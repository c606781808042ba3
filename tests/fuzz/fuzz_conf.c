/*
 * fuzz_conf.c: the configuration file (lib/base/conf.c oconf_load()), from
 * a temporary file holding the input, and the duration parser
 * (oconf_duration()) on the input itself.  A loaded configuration is
 * read back through oconf_value() and freed.  Checked: a refused file
 * has a message; a loaded one has an issuer ending in '/'; a secret
 * never appears in a message.
 */
#include <string.h>
#include <unistd.h>

#include "base/conf.h"
#include "fuzz.h"

static char	 path[4096];
static int	 fd = -1;

static void
cleanup(void)
{
	if (fd != -1)
		unlink(path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*tmp;

	/* The environment overrides the file: none of it here. */
	unsetenv("OIDCGI_CONFIG");
	unsetenv("OIDCGI_DATA_DIR");
	unsetenv("SECRETS_SYSTEM");
	unsetenv("URLS_SELF_ISSUER");
	unsetenv("DSN");
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(path, sizeof(path), "%s/oidcgi-fuzz-conf.XXXXXX", tmp);
	if ((fd = mkstemp(path)) == -1) {
		perror("mkstemp");
		abort();
	}
	atexit(cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "urls.self.issuer",
	    "ttl.access_token", "ttl.refresh_token", "log.level",
	    "webfinger.jwks.broadcast_keys", "secrets.system", "dsn" };
	struct oconf	 c;
	char		 err[512], buf[1024], *s;
	int64_t		 d;
	size_t		 i;

	FUZZ_CHECK(ftruncate(fd, 0) == 0);
	FUZZ_CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);
	memset(&c, 0, sizeof(c));
	err[0] = '\0';
	if (oconf_load(&c, path, err, sizeof(err))) {
		FUZZ_CHECK(c.issuer != NULL &&
		    c.issuer[strlen(c.issuer) - 1] == '/');
		for (i = 0; i < c.nsecrets; i++)
			FUZZ_CHECK(strlen(c.secrets[i]) >= OCONF_SECRET_MIN);
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (oconf_value(&c, names[i], buf, sizeof(buf)) &&
			    c.nsecrets > 0)
				FUZZ_CHECK(strstr(buf, c.secrets[0]) == NULL);
		oconf_free(&c);
	} else
		FUZZ_CHECK(err[0] != '\0');
	oconf_free(&c);

	s = malloc(size + 1);
	FUZZ_CHECK(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	if (oconf_duration(s, &d))
		FUZZ_CHECK(d >= -1);
	free(s);
	return 0;
}
