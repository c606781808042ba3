/*
 * form.c: urlencoded decoding and field tables (see form.h).
 */
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/form.h"
#include "base/util.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
oform_decode(struct oarena *a, const char *s, size_t len, int plus,
    size_t *outlen)
{
	char	*out;
	size_t	 i, o = 0;
	int	 hi, lo;

	out = oarena_alloc(a, len + 1);
	for (i = 0; i < len; i++) {
		if (s[i] == '\0')
			return NULL;
		if (s[i] == '+' && plus)
			out[o++] = ' ';
		else if (s[i] == '%') {
			if (len - i < 3 ||
			    (hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0)
				return NULL;
			if ((out[o++] = (char)(hi << 4 | lo)) == '\0')
				return NULL;
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return out;
}

char *
oform_encode(struct oarena *a, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 i, o = 0, len = strlen(s);
	unsigned char		 c;
	char			*out;

	out = oarena_alloc(a, len * 3 + 1);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
		}
	}
	out[o] = '\0';
	return out;
}

int
oform_parse(struct oarena *a, const char *s, size_t len, struct oparams *p,
    struct oerr *err)
{
	size_t		 i, start, n = 0, cap = 0, nlen, vlen;
	const char	*eq, *pair;
	char		*name, *value;

	p->v = NULL;
	p->n = 0;
	/* Count pairs first, so the array is allocated once. */
	for (i = 0; i <= len; i++)
		if (i == len || s[i] == '&')
			cap++;
	if (cap > OFORM_MAX_PARAMS + 1) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The request has more than %d parameters.",
		    OFORM_MAX_PARAMS);
		return 0;
	}
	p->v = oarena_alloc(a, cap * sizeof(*p->v));
	for (start = 0, i = 0; i <= len; i++) {
		if (i < len && s[i] != '&')
			continue;
		pair = s + start;
		nlen = i - start;
		start = i + 1;
		if (nlen == 0)
			continue;
		eq = memchr(pair, '=', nlen);
		vlen = eq != NULL ? (size_t)(pair + nlen - eq - 1) : 0;
		if (eq != NULL)
			nlen = (size_t)(eq - pair);
		name = oform_decode(a, pair, nlen, 1, &nlen);
		if (name == NULL || !outf8(name, nlen)) {
			oerr_set(err, OERR_INVALID_REQUEST,
			    "A parameter name is not correctly "
			    "percent-encoded UTF-8 without NUL bytes.");
			return 0;
		}
		value = eq != NULL ?
		    oform_decode(a, eq + 1, vlen, 1, &vlen) :
		    oarena_strdup(a, "");
		if (value == NULL || !outf8(value, vlen)) {
			oerr_set(err, OERR_INVALID_REQUEST,
			    "The value of parameter '%.64s' is not correctly "
			    "percent-encoded UTF-8 without NUL bytes.", name);
			return 0;
		}
		if (n == OFORM_MAX_PARAMS) {
			oerr_set(err, OERR_INVALID_REQUEST,
			    "The request has more than %d parameters.",
			    OFORM_MAX_PARAMS);
			return 0;
		}
		p->v[n].name = name;
		p->v[n].value = value;
		p->v[n].vlen = vlen;
		n++;
	}
	p->n = n;
	return 1;
}

const char *
oparams_get(const struct oparams *p, const char *name)
{
	size_t	 i;

	for (i = 0; p != NULL && i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			return p->v[i].value;
	return NULL;
}

size_t
oparams_count(const struct oparams *p, const char *name)
{
	size_t	 i, n = 0;

	for (i = 0; p != NULL && i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			n++;
	return n;
}

/* 1 if every byte of s fits the character class. */
static int
cs_ok(const char *s, size_t len, enum ofield_cs cs)
{
	size_t		 i;
	unsigned char	 c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		switch (cs) {
		case OFIELD_ANY:
			if (c < 0x20 || c == 0x7f)
				return 0;
			break;
		case OFIELD_NQSCHAR:
			if (c == '"' || c == '\\')
				return 0;
			/* FALLTHROUGH */
		case OFIELD_VSCHAR:
			if (c < 0x20 || c > 0x7e)
				return 0;
			break;
		default:
			return 0;
		}
	}
	return 1;
}

int
oform_check(const struct oparams *p, const struct ofield *f, size_t nf,
    struct oerr *err)
{
	size_t		 i, j, seen;
	const char	*v;

	for (i = 0; i < nf; i++) {
		seen = 0;
		for (j = 0; j < p->n; j++) {
			if (strcmp(p->v[j].name, f[i].name) != 0)
				continue;
			v = p->v[j].value;
			if (++seen > 1 && (f[i].flags & OFIELD_ONCE)) {
				oerr_set(err, OERR_INVALID_REQUEST,
				    "The parameter '%s' must not be included "
				    "more than once.", f[i].name);
				return 0;
			}
			if (f[i].maxlen != 0 && p->v[j].vlen > f[i].maxlen) {
				oerr_set(err, OERR_INVALID_REQUEST,
				    "The parameter '%s' is longer than %zu "
				    "bytes.", f[i].name, f[i].maxlen);
				return 0;
			}
			if (!cs_ok(v, p->v[j].vlen, f[i].cs)) {
				oerr_set(err, OERR_INVALID_REQUEST,
				    "The parameter '%s' contains characters "
				    "that are not allowed.", f[i].name);
				return 0;
			}
			if ((f[i].flags & OFIELD_REQUIRED) && *v == '\0') {
				oerr_set(err, OERR_INVALID_REQUEST,
				    "The parameter '%s' must not be empty.",
				    f[i].name);
				return 0;
			}
		}
		if (seen == 0 && (f[i].flags & OFIELD_REQUIRED)) {
			oerr_set(err, OERR_INVALID_REQUEST,
			    "The request is missing the required parameter "
			    "'%s'.", f[i].name);
			return 0;
		}
	}
	return 1;
}
