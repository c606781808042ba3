/*
 * form.h: application/x-www-form-urlencoded decoding (request bodies and
 * query strings), percent-encoding, and per-endpoint field tables in the
 * style of kcgi's kvalid.
 */
#ifndef OIDCGI_FORM_H
#define OIDCGI_FORM_H

#include <stddef.h>

struct oarena;
struct oerr;

/* One decoded name=value pair.  Both are NUL-terminated arena strings. */
struct oparam {
	const char	*name;
	const char	*value;
	size_t		 vlen;
};

struct oparams {
	struct oparam	*v;
	size_t		 n;
};

#define OFORM_MAX_PARAMS	128	/* more pairs than this: 400 */

/*
 * Decode "a=b&c=d" (len bytes of s) into pairs in the arena.  '+' is a
 * space; %XX is decoded; empty pairs ("&&") are skipped; a pair without
 * '=' has an empty value.  Refused with invalid_request naming the
 * parameter: a malformed %-escape, a NUL byte raw or as %00, text that is
 * not UTF-8, and more than OFORM_MAX_PARAMS pairs.
 * Returns 1, or 0 with err set.
 */
int	 oform_parse(struct oarena *, const char *s, size_t len,
	    struct oparams *, struct oerr *);

/*
 * Percent-decode len bytes of s into a new arena string (plus: '+' is a
 * space, as in forms; otherwise '+' is kept, as in paths).  Refuses
 * malformed escapes and NUL.  Returns the string (length in *outlen when
 * not NULL), or NULL.
 */
char	*oform_decode(struct oarena *, const char *s, size_t len, int plus,
	    size_t *outlen);

/*
 * Percent-encode s for a query component (RFC 3986 unreserved characters
 * kept, everything else %XX, space as %20).  Returns an arena string.
 */
char	*oform_encode(struct oarena *, const char *s);

/* The first value of name, or NULL. */
const char	*oparams_get(const struct oparams *, const char *name);
/* How many times name occurs. */
size_t		 oparams_count(const struct oparams *, const char *name);

/* Character classes a field's value must stay within. */
enum ofield_cs {
	OFIELD_ANY,	/* any UTF-8 without control characters */
	OFIELD_VSCHAR,	/* %x20-7E (RFC 6749 Appendix A) */
	OFIELD_NQSCHAR,	/* VSCHAR without '"' and '\' (RFC 6749 A.1) */
	OFIELD_CS__MAX
};

#define OFIELD_REQUIRED	0x1	/* must be present and non-empty */
#define OFIELD_ONCE	0x2	/* at most once (RFC 6749 §3.1) */

struct ofield {
	const char	*name;
	size_t		 maxlen;	/* bytes; 0 = no limit */
	enum ofield_cs	 cs;
	unsigned	 flags;
};

/*
 * Check params against a field table: required fields present, ONCE
 * fields not repeated, lengths and character classes.  Fields not in the
 * table are ignored, as RFC 6749 §3.1 requires.  Returns 1, or 0 with an
 * invalid_request naming the field.
 */
int	 oform_check(const struct oparams *, const struct ofield *,
	    size_t nfields, struct oerr *);

#endif
