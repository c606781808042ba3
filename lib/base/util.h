/*
 * util.h: allocation that aborts on failure, logging to stderr, and
 * range-checked number parsing.  Every other module builds on these.
 */
#ifndef OIDCGI_UTIL_H
#define OIDCGI_UTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Allocation failure aborts the process: the web server respawns the
 * FastCGI child and LMDB discards the open write transaction, so nothing
 * is left half done.  These never return NULL.
 */
void	*oxmalloc(size_t);
void	*oxcalloc(size_t, size_t);
void	*oxrealloc(void *, size_t);
char	*oxstrdup(const char *);
char	*oxstrndup(const char *, size_t);

enum olog_level {
	OLOG_DEBUG,
	OLOG_INFO,
	OLOG_WARN,
	OLOG_ERROR,
	OLOG__MAX
};

/*
 * Log one line to stderr (the web server's error log), prefixed with the
 * program name and level.  Lines below the configured level are dropped.
 * NEVER pass a token, code, secret, password or Authorization header.
 */
void	 olog_init(const char *progname);
void	 olog_set_level(enum olog_level);
void	 olog(enum olog_level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
#define	 olog_debug(...) olog(OLOG_DEBUG, __VA_ARGS__)
#define	 olog_info(...)  olog(OLOG_INFO, __VA_ARGS__)
#define	 olog_warn(...)  olog(OLOG_WARN, __VA_ARGS__)
#define	 olog_err(...)   olog(OLOG_ERROR, __VA_ARGS__)

/*
 * Parse a decimal integer of exactly len bytes (no sign unless min < 0,
 * no spaces, no trailing bytes) within [min, max] into *out.
 * Returns 1 on success, 0 on any malformed or out-of-range input.
 */
int	 ostrtonum(const char *s, size_t len, long long min, long long max,
	    long long *out);

/*
 * 1 if the len bytes at s are valid UTF-8 (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF).  NUL bytes are valid UTF-8;
 * callers that refuse them check separately.
 */
int	 outf8(const void *s, size_t len);

/* t as RFC 3339 UTC ("2026-11-24T11:01:30Z") into buf (>= 21 bytes). */
void	 otime_rfc3339(int64_t t, char *buf, size_t sz);

/*
 * An RFC 3339 date-time (§5.6: "2006-01-02T15:04:05Z", an optional
 * fraction, 'Z' or a numeric offset; 't', 'z' and ' ' accepted as Go
 * does) into seconds since the epoch at *t.  Returns 1, or 0 if s is
 * malformed.
 */
int	 otime_parse_rfc3339(const char *s, int64_t *t);

/*
 * The process environment's non-empty value of name, else of
 * REDIRECT_<name> (up to OENV_REDIRECTS prefixes): Apache renames the
 * variables of a request at each internal redirect (mod_rewrite's
 * E= flag, ErrorDocument), so a RewriteRule's [E=OIDCGI_LISTENER:admin]
 * reaches a CGI program as REDIRECT_OIDCGI_LISTENER.  NULL when neither
 * is set.
 */
#define OENV_REDIRECTS	3
const char	*oenv(const char *name);
/* The same over another set of variables: get(arg, name) looks one up. */
const char	*oenv_lookup(const char *name,
		    const char *(*get)(void *, const char *), void *arg);

/* Seconds since the epoch (wall clock). */
int64_t	 onow(void);

#endif
