/*
 * util.c: allocation that aborts, logging, number parsing, clock.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

static const char	*progname = "oidcgi";
static enum olog_level	 level = OLOG_INFO;

static const char *const level_names[OLOG__MAX] = {
	"debug",	/* OLOG_DEBUG */
	"info",		/* OLOG_INFO */
	"warn",		/* OLOG_WARN */
	"error",	/* OLOG_ERROR */
};

static void
oom(size_t n)
{
	fprintf(stderr, "%s: out of memory (%zu bytes)\n", progname, n);
	abort();
}

void *
oxmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		oom(n);
	return p;
}

void *
oxcalloc(size_t n, size_t sz)
{
	void	*p;

	if ((p = calloc(n == 0 ? 1 : n, sz == 0 ? 1 : sz)) == NULL)
		oom(n * sz);
	return p;
}

void *
oxrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n == 0 ? 1 : n)) == NULL)
		oom(n);
	return p;
}

char *
oxstrdup(const char *s)
{
	return oxstrndup(s, strlen(s));
}

char *
oxstrndup(const char *s, size_t n)
{
	char	*p;

	p = oxmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
olog_init(const char *name)
{
	const char	*slash;

	if (name == NULL)
		return;
	slash = strrchr(name, '/');
	progname = slash != NULL ? slash + 1 : name;
}

void
olog_set_level(enum olog_level l)
{
	if (l < OLOG__MAX)
		level = l;
}

void
olog(enum olog_level l, const char *fmt, ...)
{
	va_list	 ap;
	char	 buf[1024];

	if (l < level || l >= OLOG__MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* One write per line, so lines of concurrent processes don't mix. */
	fprintf(stderr, "%s[%ld]: %s: %s\n", progname, (long)getpid(),
	    level_names[l], buf);
}

int
ostrtonum(const char *s, size_t len, long long min, long long max,
    long long *out)
{
	long long	 v = 0;
	size_t		 i = 0;
	int		 neg = 0, d;

	if (s == NULL || len == 0 || len > 20)
		return 0;
	if (s[0] == '-') {
		if (min >= 0 || len == 1)
			return 0;
		neg = 1;
		i = 1;
	}
	/* No leading zeros except "0" itself, so each value has one form. */
	if (s[i] == '0' && len - i > 1)
		return 0;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		d = s[i] - '0';
		if (v > (__LONG_LONG_MAX__ - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	if (neg)
		v = -v;
	if (v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

int
outf8(const void *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, n, k;
	unsigned int		 cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 3;
			cp = s[i] & 0x07;
		} else
			return 0;
		if (len - i - 1 < n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates, beyond U+10FFFF. */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += n + 1;
	}
	return 1;
}

void
otime_rfc3339(int64_t t, char *buf, size_t sz)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	gmtime_r(&tt, &tm);
	strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * The n decimal digits at s into *v.  Returns 1, or 0 if not digits.
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

int
otime_parse_rfc3339(const char *s, int64_t *out)
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

int64_t
onow(void)
{
	return (int64_t)time(NULL);
}

const char *
oenv_lookup(const char *name, const char *(*get)(void *, const char *),
    void *arg)
{
	char		 buf[128];
	const char	*v;
	int		 i;

	/* Apache prefixes once per internal redirect: try a few. */
	if ((v = get(arg, name)) != NULL && *v != '\0')
		return v;
	for (i = 1; i <= OENV_REDIRECTS; i++) {
		if ((size_t)snprintf(buf, sizeof(buf), "%.*s%s", 9 * i,
		    "REDIRECT_REDIRECT_REDIRECT_", name) >= sizeof(buf))
			return NULL;
		if ((v = get(arg, buf)) != NULL && *v != '\0')
			return v;
	}
	return NULL;
}

static const char *
getenv_cb(void *arg, const char *name)
{
	return getenv(name);
}

const char *
oenv(const char *name)
{
	return oenv_lookup(name, getenv_cb, NULL);
}
