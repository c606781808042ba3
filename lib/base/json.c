/*
 * json.c: typed getters over jansson that name the bad field (json.h).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "base/util.h"

json_t *
ojson_parse(const char *buf, size_t len, int want_object, struct oerr *err)
{
	json_t		*j;
	json_error_t	 e;

	if (len == 0) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The request body must be a JSON %s, and it is empty.",
		    want_object ? "object" : "document");
		return NULL;
	}
	j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);
	if (j == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The request body is not valid JSON: %s at line %d, "
		    "column %d.", e.text, e.line, e.column);
		return NULL;
	}
	if (want_object && !json_is_object(j)) {
		json_decref(j);
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The request body must be a JSON object.");
		return NULL;
	}
	return j;
}

/*
 * The member key of o, or NULL when absent or null.  Fails (returns 0)
 * when o is not an object or a required member is absent.
 */
static int
member(const json_t *o, const char *key, unsigned flags, json_t **v,
    struct oerr *err)
{
	*v = json_is_object(o) ? json_object_get(o, key) : NULL;
	if (*v != NULL && json_is_null(*v))
		*v = NULL;
	if (*v == NULL && (flags & OJSON_REQUIRED)) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The field '%s' is required.", key);
		return 0;
	}
	return 1;
}

int
ojson_get_str(const json_t *o, const char *key, size_t maxlen,
    unsigned flags, const char **out, struct oerr *err)
{
	json_t	*v;

	if (!member(o, key, flags, &v, err))
		return 0;
	if (v == NULL)
		return 1;
	if (!json_is_string(v)) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The field '%s' must be a string.", key);
		return 0;
	}
	if (maxlen != 0 && json_string_length(v) > maxlen) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The field '%s' is longer than %zu bytes.", key, maxlen);
		return 0;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The field '%s' contains a NUL character.", key);
		return 0;
	}
	if ((flags & OJSON_NONEMPTY) && json_string_length(v) == 0) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The field '%s' must not be empty.", key);
		return 0;
	}
	*out = json_string_value(v);
	return 1;
}

int
ojson_get_int(const json_t *o, const char *key, long long min,
    long long max, unsigned flags, long long *out, struct oerr *err)
{
	json_t	*v;

	if (!member(o, key, flags, &v, err))
		return 0;
	if (v == NULL)
		return 1;
	if (!json_is_integer(v)) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The field '%s' must be an integer.", key);
		return 0;
	}
	if (json_integer_value(v) < min || json_integer_value(v) > max) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The field '%s' must be between %lld and %lld.",
		    key, min, max);
		return 0;
	}
	*out = json_integer_value(v);
	return 1;
}

int
ojson_get_bool(const json_t *o, const char *key, unsigned flags, int *out,
    struct oerr *err)
{
	json_t	*v;

	if (!member(o, key, flags, &v, err))
		return 0;
	if (v == NULL)
		return 1;
	if (!json_is_boolean(v)) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The field '%s' must be true or false.", key);
		return 0;
	}
	*out = json_is_true(v);
	return 1;
}

int
ojson_get_strarray(const json_t *o, const char *key, size_t maxitems,
    size_t maxlen, unsigned flags, json_t **out, struct oerr *err)
{
	json_t	*v, *e;
	size_t	 i;

	if (!member(o, key, flags, &v, err))
		return 0;
	if (v == NULL)
		return 1;
	if (!json_is_array(v)) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The field '%s' must be an array of strings.", key);
		return 0;
	}
	if (maxitems != 0 && json_array_size(v) > maxitems) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The field '%s' has more than %zu items.", key, maxitems);
		return 0;
	}
	if ((flags & OJSON_NONEMPTY) && json_array_size(v) == 0) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The field '%s' must not be empty.", key);
		return 0;
	}
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) ||
		    strlen(json_string_value(e)) != json_string_length(e)) {
			oerr_set(err, OERR_INVALID_REQUEST,
			    "The field '%s' must be an array of strings "
			    "(item %zu is not).", key, i);
			return 0;
		}
		if (maxlen != 0 && json_string_length(e) > maxlen) {
			oerr_set(err, OERR_INVALID_REQUEST,
			    "Item %zu of the field '%s' is longer than %zu "
			    "bytes.", i, key, maxlen);
			return 0;
		}
	}
	*out = v;
	return 1;
}

int
ojson_get_object(const json_t *o, const char *key, unsigned flags,
    json_t **out, struct oerr *err)
{
	json_t	*v;

	if (!member(o, key, flags, &v, err))
		return 0;
	if (v == NULL)
		return 1;
	if (!json_is_object(v)) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "The field '%s' must be an object.", key);
		return 0;
	}
	*out = v;
	return 1;
}

char *
ojson_dump(struct oarena *a, const json_t *j, size_t *len)
{
	size_t	 n, guess = 2048;
	char	*out;

	/* One pass when it fits the first guess; json_dumpb says if not. */
	out = oarena_alloc(a, guess);
	n = json_dumpb(j, out, guess - 1, JSON_COMPACT | JSON_ENCODE_ANY);
	if (n > guess - 1) {
		out = oarena_alloc(a, n + 1);
		if (json_dumpb(j, out, n, JSON_COMPACT | JSON_ENCODE_ANY) !=
		    n)
			abort();
	}
	out[n] = '\0';
	if (len != NULL)
		*len = n;
	return out;
}

json_t *
ojson_string_lossy(const char *s, size_t len)
{
	json_t		*j;
	char		*buf;
	size_t		 i = 0, o = 0, n;
	unsigned char	 c;

	if (outf8(s, len) && memchr(s, '\0', len) == NULL)
		return json_stringn(s, len);
	/* Worst case: every byte becomes the 3-byte U+FFFD. */
	buf = oxmalloc(len * 3 + 1);
	while (i < len) {
		c = (unsigned char)s[i];
		n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		if (c != 0 && n <= len - i && outf8(s + i, n)) {
			memcpy(buf + o, s + i, n);
			o += n;
			i += n;
		} else {
			memcpy(buf + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	j = json_stringn(buf, o);
	free(buf);
	return j;
}

const char *
ojson_str(const json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

long long
ojson_int(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

int
ojson_is(const json_t *v, const char *s)
{
	size_t	 len = strlen(s);

	return json_is_string(v) && json_string_length(v) == len &&
	    memcmp(json_string_value(v), s, len) == 0;
}

/* Jansson's allocator: oxmalloc() aborts when memory runs out. */
static void *
json_alloc(size_t n)
{
	return oxmalloc(n);
}

__attribute__((constructor)) static void
json_alloc_init(void)
{
	json_set_alloc_funcs(json_alloc, free);
}

void
ojson_strs_add(struct ojson_strs *l, const char *s)
{
	l->v = oxrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = oxstrdup(s);
}

void
ojson_strs_set(struct ojson_strs *l, const json_t *a)
{
	json_t	*v;
	size_t	 i;

	ojson_strs_free(l);
	json_array_foreach(a, i, v)
		if (json_is_string(v))
			ojson_strs_add(l, json_string_value(v));
}

int
ojson_strs_has(const struct ojson_strs *l, const char *s)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

json_t *
ojson_strs_json(const struct ojson_strs *l)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

void
ojson_strs_free(struct ojson_strs *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
ojson_take_str(const json_t *o, const char *key, unsigned flags,
    char **out, struct oerr *err)
{
	const char	*s = NULL;

	free(*out);
	*out = NULL;
	if (!ojson_get_str(o, key, 0, flags, &s, err))
		return 0;
	if (s != NULL)
		*out = oxstrdup(s);
	return 1;
}

int
ojson_take_strs(const json_t *o, const char *key, unsigned flags,
    struct ojson_strs *out, struct oerr *err)
{
	json_t	*a = NULL, *e;
	size_t	 i;

	ojson_strs_free(out);
	if (!ojson_get_strarray(o, key, 0, 0, flags, &a,
	    err))
		return 0;
	json_array_foreach(a, i, e)
		ojson_strs_add(out, json_string_value(e));
	return 1;
}

int
ojson_has(const json_t *v, const char *s)
{
	json_t	*e;
	size_t	 i;

	if (json_is_string(v))
		return strcmp(json_string_value(v), s) == 0;
	json_array_foreach(v, i, e)
		if (json_is_string(e) && strcmp(json_string_value(e), s) == 0)
			return 1;
	return 0;
}

int
ojson_add_words(json_t *arr, const char *s, size_t max)
{
	const char	*e;
	json_t		*v;

	while (s != NULL && *s != '\0') {
		if (*s == ' ') {
			s++;
			continue;
		}
		for (e = s; *e != '\0' && *e != ' '; e++)
			continue;
		if ((v = json_stringn(s, (size_t)(e - s))) == NULL)
			return 0;
		if (ojson_has(arr, json_string_value(v)))
			json_decref(v);
		else
			json_array_append_new(arr, v);
		if (json_array_size(arr) > max)
			return 0;
		s = e;
	}
	return 1;
}
