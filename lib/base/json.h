/*
 * json.h: typed getters over jansson that name the bad field, and
 * parsing/serialising with the project's rules.
 */
#ifndef OIDCGI_JSON_H
#define OIDCGI_JSON_H

#include <stddef.h>

#include <jansson.h>

struct oarena;
struct oerr;

#define OJSON_REQUIRED	0x1	/* absent (or null) is an error */
#define OJSON_NONEMPTY	0x2	/* "" or [] is an error */

/*
 * Parse len bytes as JSON.  Duplicate object members are refused
 * (JSON_REJECT_DUPLICATES), as are NUL bytes and trailing data.  When
 * want_object is set the top level must be an object.  Returns a new
 * reference, or NULL with a 400 invalid_request naming line and column.
 */
json_t	*ojson_parse(const char *buf, size_t len, int want_object,
	    struct oerr *);

/*
 * Typed getters.  Each returns 1 when the member is absent (and not
 * required; the out value is left as it was) or has the right type and
 * fits, and 0 with a 400 invalid_request naming the field otherwise.
 * Borrowed results stay valid as long as the object holds them.
 */
int	 ojson_get_str(const json_t *, const char *key, size_t maxlen,
	    unsigned flags, const char **out, struct oerr *);
int	 ojson_get_int(const json_t *, const char *key, long long min,
	    long long max, unsigned flags, long long *out, struct oerr *);
int	 ojson_get_bool(const json_t *, const char *key, unsigned flags,
	    int *out, struct oerr *);
/* An array of at most maxitems strings, each at most maxlen bytes. */
int	 ojson_get_strarray(const json_t *, const char *key,
	    size_t maxitems, size_t maxlen, unsigned flags,
	    json_t **out, struct oerr *);
/* An object (borrowed). */
int	 ojson_get_object(const json_t *, const char *key, unsigned flags,
	    json_t **out, struct oerr *);

/*
 * Reading a record (trusted JSON the program wrote itself): the string
 * member key of o, or "" when o is not an object or the member is
 * absent or not a string (borrowed); the integer member, or 0.  This is
 * the one way to read a field that needs no error: input from a request
 * goes through the typed getters above instead.
 */
const char	*ojson_str(const json_t *o, const char *key);
long long	 ojson_int(const json_t *o, const char *key);

/*
 * 1 if v is the string s byte for byte (so "a\u0000b" is not "a"), 0
 * otherwise (v NULL or not a string included).
 */
int	 ojson_is(const json_t *v, const char *s);

/*
 * Jansson allocates through oxmalloc() (lib/base/util.h), set before
 * main() runs: an allocation that fails aborts the process, so a
 * json_pack(), json_object() or json_string() result is never NULL for
 * lack of memory and needs no check for it.  json_pack() can still
 * return NULL for a format that does not match its arguments (a
 * programming error: a NULL string for "s"), which those callers
 * rule out by construction.
 */

/*
 * Serialise compactly into the arena (NUL-terminated; length in *len
 * when not NULL).  Keys keep their insertion order.
 */
char	*ojson_dump(struct oarena *, const json_t *, size_t *len);

/* A JSON string from bytes that may not be UTF-8 (bad bytes become U+FFFD). */
json_t	*ojson_string_lossy(const char *s, size_t len);

/*
 * 1 if v is the string s, or an array with the string s among its
 * members (a JWT's aud, a record's scope); other members are skipped.
 */
int	 ojson_has(const json_t *v, const char *s);
/*
 * Append the space-separated words of s (a scope, RFC 6749 §3.3; an
 * audience) to the array arr as strings, leaving out repeats.  Returns
 * 0 when a word is not UTF-8 or arr would hold more than max.
 */
int	 ojson_add_words(json_t *arr, const char *s, size_t max);

/*
 * A list of strings decoded from a JSON array (records and sealed
 * state): v holds n strings, each owned.  A zeroed list is empty.
 */
struct ojson_strs {
	char	**v;
	size_t	  n;
};

/* Append a copy of s. */
void	 ojson_strs_add(struct ojson_strs *, const char *s);
/*
 * Fill the list (emptied first) with copies of the strings of the JSON
 * array a, members that are not strings skipped; anything but an array
 * (NULL included) leaves it empty.
 */
void	 ojson_strs_set(struct ojson_strs *, const json_t *a);
/* 1 if the list holds s. */
int	 ojson_strs_has(const struct ojson_strs *, const char *s);
/* The list as a new JSON array. */
json_t	*ojson_strs_json(const struct ojson_strs *);
/* Free the strings and zero the list. */
void	 ojson_strs_free(struct ojson_strs *);

/*
 * Decoding trusted JSON into owned values, as the typed getters check
 * it (a wrong type is a 400 naming the field, absent is fine unless
 * OJSON_REQUIRED): the string member key as a new string (*out left
 * NULL when absent; what *out held is freed first), and the array of
 * strings (out emptied first; absent leaves it empty).
 */
int	 ojson_take_str(const json_t *, const char *key, unsigned flags,
	    char **out, struct oerr *);
int	 ojson_take_strs(const json_t *, const char *key, unsigned flags,
	    struct ojson_strs *out, struct oerr *);

#endif
