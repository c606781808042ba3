/*
 * jsonpatch.c: JSON Patch (RFC 6902) and JSON Pointer (RFC 6901) over
 * jansson (see jsonpatch.h).
 *
 * A patch runs on a deep copy of the document, so a failing operation
 * only has to drop the copy for the patch to be all or nothing.  Values
 * taken from the patch are deep-copied in too: the result must not
 * share (reference-counted) memory with the caller's patch.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "base/jsonpatch.h"
#include "base/util.h"

/* How much of a client's "op" and "path" an error message quotes. */
#define QUOTE_OP	16
#define QUOTE_PATH	64

/* A parsed JSON Pointer (RFC 6901 §3): n unescaped reference tokens. */
struct ptr {
	char	 *buf;		/* the tokens, each NUL-terminated */
	char	**tok;		/* n pointers into buf */
	size_t	  n;
};

enum jp_op {
	JP_ADD,
	JP_REMOVE,
	JP_REPLACE,
	JP_MOVE,
	JP_COPY,
	JP_TEST,
	JP__MAX
};

/* RFC 6902 §4: the members each operation needs besides "op", "path". */
static const struct {
	const char	*name;
	int		 value;		/* needs "value" */
	int		 from;		/* needs "from" */
} ops[JP__MAX] = {
	{ "add", 1, 0 },		/* JP_ADD */
	{ "remove", 0, 0 },		/* JP_REMOVE */
	{ "replace", 1, 0 },		/* JP_REPLACE */
	{ "move", 0, 1 },		/* JP_MOVE */
	{ "copy", 0, 1 },		/* JP_COPY */
	{ "test", 1, 0 },		/* JP_TEST */
};

/* One operation of a patch, as op_parse() checked it. */
struct jpop {
	enum jp_op	 op;
	struct ptr	 path;
	struct ptr	 from;		/* move and copy */
	const json_t	*value;		/* add, replace, test (borrowed) */
};

/*
 * Where an error happened, for the message.  op and path are the
 * client's strings as given (not NUL-terminated: lengths alongside), or
 * NULL until known.  With err NULL nothing is reported, which is how
 * ojsonpointer_get() and ojsonpatch_touches() share the code.
 */
struct opctx {
	struct oerr	*err;
	size_t		 idx;
	const char	*op;
	size_t		 oplen;
	const char	*path;
	size_t		 pathlen;
	size_t		*size;		/* the document's size, at most */
	size_t		 max;		/* what it may grow to */
};

/*
 * How many of the len bytes at s to quote so that at most max are shown
 * and a UTF-8 sequence is never cut in two (the description is JSON).
 */
static int
clip(const char *s, size_t len, size_t max)
{
	if (len > max) {
		len = max;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	return (int)len;
}

/*
 * Report a 400 invalid_request naming the operation (counted from 0,
 * RFC 6902 §3), its op and path as far as known, and the problem,
 * e.g. "JSON Patch operation 2 (replace /a/5): the path does not exist".
 * The first error wins (oerr_set); nothing is allocated.
 */
static void __attribute__((format(printf, 2, 3)))
fail(const struct opctx *c, const char *fmt, ...)
{
	va_list	 ap;
	char	 why[192];

	if (c == NULL || c->err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (c->op == NULL)
		oerr_set(c->err, OERR_INVALID_REQUEST,
		    "JSON Patch operation %zu: %s", c->idx, why);
	else if (c->path == NULL)
		oerr_set(c->err, OERR_INVALID_REQUEST,
		    "JSON Patch operation %zu (%.*s%s): %s", c->idx,
		    clip(c->op, c->oplen, QUOTE_OP), c->op,
		    c->oplen > QUOTE_OP ? "..." : "", why);
	else
		oerr_set(c->err, OERR_INVALID_REQUEST,
		    "JSON Patch operation %zu (%.*s%s %.*s%s): %s", c->idx,
		    clip(c->op, c->oplen, QUOTE_OP), c->op,
		    c->oplen > QUOTE_OP ? "..." : "",
		    clip(c->path, c->pathlen, QUOTE_PATH), c->path,
		    c->pathlen > QUOTE_PATH ? "..." : "", why);
}

/* The JSON type of v as a word for messages (RFC 8259 §3). */
static const char *
tname(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/*
 * A deep copy of v (a new reference).  Allocation failure aborts, as
 * everywhere in oidcgi (util.h).
 */
static json_t *
xcopy(const json_t *v)
{
	json_t	*j;

	if ((j = json_deep_copy(v)) == NULL) {
		olog_err("json_deep_copy");
		abort();
	}
	return j;
}

/* Release what ptr_parse() allocated; p may be zeroed or freed already. */
static void
ptr_free(struct ptr *p)
{
	free(p->buf);
	free(p->tok);
	memset(p, 0, sizeof(*p));
}

/*
 * Parse the len bytes at s as a JSON Pointer (RFC 6901 §3) into p:
 * "" or '/'-prefixed tokens, in each of which "~1" stands for '/' and
 * "~0" for '~' (§4: "~01" is "~1", not "/").  Any other '~' is an
 * error, and so is a NUL byte, which no member name here can hold.
 * what names the member ("path", "from location") in errors.  Returns
 * 1, or 0 with the error reported; call ptr_free() either way.
 */
static int
ptr_parse(const char *s, size_t len, struct ptr *p, const char *what,
    const struct opctx *c)
{
	size_t	 i, n = 0, k = 0;
	char	*o;

	memset(p, 0, sizeof(*p));
	if (memchr(s, '\0', len) != NULL) {
		fail(c, "the %s contains a NUL byte", what);
		return 0;
	}
	if (len == 0)
		return 1;
	if (s[0] != '/') {
		fail(c, "the %s must be empty or start with '/'", what);
		return 0;
	}
	for (i = 0; i < len; i++)
		if (s[i] == '/')
			n++;
	/* Unescaping only shrinks: len bytes hold the tokens and NULs. */
	p->buf = o = oxmalloc(len);
	p->tok = oxcalloc(n, sizeof(*p->tok));
	for (i = 0; i < len; i++) {
		if (s[i] == '/') {
			if (k > 0)
				*o++ = '\0';
			p->tok[k++] = o;
		} else if (s[i] != '~')
			*o++ = s[i];
		else if (i + 1 < len && s[i + 1] == '0') {
			*o++ = '~';
			i++;
		} else if (i + 1 < len && s[i + 1] == '1') {
			*o++ = '/';
			i++;
		} else {
			fail(c, "the %s has a '~' not followed by '0' or '1'",
			    what);
			return 0;
		}
	}
	*o = '\0';
	p->n = n;
	return 1;
}

/* 1 if a and b have the first n tokens in common (RFC 6901 §4). */
static int
ptr_common(const struct ptr *a, const struct ptr *b, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(a->tok[i], b->tok[i]) != 0)
			return 0;
	return 1;
}

/*
 * The array index tok names in arr (RFC 6901 §4): "0", or digits not
 * starting with '0', below the size.  With append set (add, RFC 6902
 * §4.1) the size itself is allowed, and "-" means it.  Returns 1 with
 * the index in *ix, or 0 with the error reported.
 */
static int
arr_index(const json_t *arr, const char *tok, int append, size_t *ix,
    const char *what, const struct opctx *c)
{
	size_t	 size = json_array_size(arr), v = 0, len = strlen(tok), i;

	if (strcmp(tok, "-") == 0) {
		if (!append) {
			fail(c, "the %s does not exist ('-' is past the "
			    "end of the array, which only add can use)", what);
			return 0;
		}
		*ix = size;
		return 1;
	}
	if (len == 0 || strspn(tok, "0123456789") != len) {
		fail(c, "'%.*s%s' in the %s is not an array index",
		    clip(tok, len, 32), tok, len > 32 ? "..." : "", what);
		return 0;
	}
	if (tok[0] == '0' && len > 1) {
		fail(c, "array index '%.*s%s' in the %s has a leading zero",
		    clip(tok, len, 32), tok, len > 32 ? "..." : "", what);
		return 0;
	}
	/* Stop as soon as it is too big: that also rules out overflow. */
	for (i = 0; i < len && v <= size; i++)
		v = v * 10 + (size_t)(tok[i] - '0');
	if (v > size || (v == size && !append)) {
		fail(c, "the %s does not exist (the array has %zu element%s)",
		    what, size, size == 1 ? "" : "s");
		return 0;
	}
	*ix = v;
	return 1;
}

/*
 * One step of evaluation (RFC 6901 §4): the member tok of cur, or its
 * element tok (index in *ix).  Returns it (borrowed from cur), or NULL
 * with the error reported when there is none.
 */
static json_t *
step(const json_t *cur, const char *tok, size_t *ix, const char *what,
    const struct opctx *c)
{
	json_t	*next;

	if (json_is_object(cur)) {
		if ((next = json_object_get(cur, tok)) == NULL)
			fail(c, "the %s does not exist", what);
		return next;
	} else if (json_is_array(cur)) {
		if (!arr_index(cur, tok, 0, ix, what, c))
			return NULL;
		return json_array_get(cur, *ix);
	}
	fail(c, "the %s does not exist (it goes through %s)", what,
	    tname(cur));
	return NULL;
}

/*
 * The value the first n tokens of p name in root (RFC 6901 §4), or NULL
 * with the error reported.  Borrowed from root.
 */
static json_t *
walk(json_t *root, const struct ptr *p, size_t n, const char *what,
    const struct opctx *c)
{
	size_t	 i, ix;
	json_t	*cur = root;

	for (i = 0; i < n && cur != NULL; i++)
		cur = step(cur, p->tok[i], &ix, what, c);
	return cur;
}

/*
 * RFC 6902 §4.6 equality: same type, and numbers by value (so the
 * integer 1 equals the real 1.0, which json_equal() denies), strings
 * byte for byte, arrays element by element, objects member by member
 * in any order.
 */
static int
value_eq(const json_t *a, const json_t *b)
{
	const json_t	*i, *r;
	json_t		*va, *vb;
	void		*it;
	const char	*key;
	size_t		 k, n;
	long long	 ll;
	double		 d;

	if (json_is_number(a) && json_is_number(b)) {
		if (json_typeof(a) == json_typeof(b))
			return json_equal(a, b);
		i = json_is_integer(a) ? a : b;
		r = json_is_integer(a) ? b : a;
		d = json_real_value(r);
		/*
		 * Equal only when the real is integral and converts
		 * exactly; a cast to double would make 2^53 + 1 equal to
		 * 2^53.  The bounds are -2^63 and 2^63, both exact.
		 */
		if (!(d >= -9223372036854775808.0 &&
		    d < 9223372036854775808.0))
			return 0;
		ll = (long long)d;
		return (double)ll == d && ll == json_integer_value(i);
	}
	if (json_typeof(a) != json_typeof(b))
		return 0;
	switch (json_typeof(a)) {
	case JSON_OBJECT:
		if (json_object_size(a) != json_object_size(b))
			return 0;
		/* NOTE: jansson's iterators want a non-const object. */
		for (it = json_object_iter((json_t *)a); it != NULL;
		    it = json_object_iter_next((json_t *)a, it)) {
			key = json_object_iter_key(it);
			va = json_object_iter_value(it);
			vb = json_object_getn(b, key,
			    json_object_iter_key_len(it));
			if (vb == NULL || !value_eq(va, vb))
				return 0;
		}
		return 1;
	case JSON_ARRAY:
		n = json_array_size(a);
		if (n != json_array_size(b))
			return 0;
		for (k = 0; k < n; k++)
			if (!value_eq(json_array_get(a, k),
			    json_array_get(b, k)))
				return 0;
		return 1;
	case JSON_STRING:
		n = json_string_length(a);
		return n == json_string_length(b) &&
		    memcmp(json_string_value(a), json_string_value(b), n) == 0;
	default:
		/* true, false, null: the type is the value. */
		return 1;
	}
}

/*
 * RFC 6902 §4.1 add: put val (a reference this steals) at p in *root,
 * replacing the whole document for "", replacing an existing member,
 * or inserting into an array (at an index up to the size, or at "-").
 * The parent must exist.  Returns 1, or 0 with the error reported.
 */
static int
do_add(json_t **root, const struct ptr *p, json_t *val,
    const struct opctx *c)
{
	json_t	*parent;
	size_t	 ix;
	int	 rc = 0, set;

	if (p->n == 0) {
		json_decref(*root);
		*root = val;
		return 1;
	}
	if ((parent = walk(*root, p, p->n - 1, "parent of the path", c))
	    == NULL)
		goto out;
	if (json_is_object(parent)) {
		set = json_object_set_new(parent, p->tok[p->n - 1], val);
		val = NULL;
		if (set == -1) {
			fail(c, "the member cannot be set");
			goto out;
		}
	} else if (json_is_array(parent)) {
		if (!arr_index(parent, p->tok[p->n - 1], 1, &ix, "path", c))
			goto out;
		/* ix is in range (arr_index): it cannot fail. */
		json_array_insert_new(parent, ix, val);
		val = NULL;
	} else {
		fail(c, "the parent of the path is %s, not an object or "
		    "an array", tname(parent));
		goto out;
	}
	rc = 1;
out:
	json_decref(val);
	return rc;
}

/*
 * RFC 6902 §4.2 remove (and the first half of §4.4 move): take the
 * value at p out of *root and return it (a new reference), or NULL
 * with the error reported.  It must exist; "" (the whole document) and
 * "-" cannot be removed.
 */
static json_t *
do_remove(json_t **root, const struct ptr *p, const char *what,
    const struct opctx *c)
{
	json_t	*parent, *v;
	size_t	 ix = 0;

	if (p->n == 0) {
		fail(c, "the whole document cannot be removed");
		return NULL;
	}
	if ((parent = walk(*root, p, p->n - 1, what, c)) == NULL)
		return NULL;
	if ((v = step(parent, p->tok[p->n - 1], &ix, what, c)) == NULL)
		return NULL;
	json_incref(v);
	if (json_is_object(parent))
		json_object_del(parent, p->tok[p->n - 1]);
	else
		json_array_remove(parent, ix);
	return v;
}

/*
 * RFC 6902 §4.3 replace: put val (a reference this steals) at p in
 * *root, which must exist ("" replaces the whole document).  Returns 1,
 * or 0 with the error reported.
 */
static int
do_replace(json_t **root, const struct ptr *p, json_t *val,
    const struct opctx *c)
{
	json_t	*parent;
	size_t	 ix = 0;
	int	 rc = 0;

	if (p->n == 0) {
		json_decref(*root);
		*root = val;
		return 1;
	}
	if ((parent = walk(*root, p, p->n - 1, "path", c)) == NULL)
		goto out;
	if (step(parent, p->tok[p->n - 1], &ix, "path", c) == NULL)
		goto out;
	/* The member or index exists (step): setting it cannot fail. */
	if (json_is_object(parent))
		json_object_set_new(parent, p->tok[p->n - 1], val);
	else
		json_array_set_new(parent, ix, val);
	val = NULL;
	rc = 1;
out:
	json_decref(val);
	return rc;
}

/* Release what op_parse() allocated; idempotent. */
static void
op_free(struct jpop *op)
{
	ptr_free(&op->path);
	ptr_free(&op->from);
}

/*
 * The string member key of o as a pointer parsed into p (RFC 6902 §4:
 * "path", and "from" for move and copy).  Returns 1, or 0 with the
 * error reported.  When path is set, records the raw string in c for
 * the messages that follow.
 */
static int
op_pointer(const json_t *o, const char *key, struct ptr *p, int path,
    const char *what, struct opctx *c)
{
	json_t	*v;

	if ((v = json_object_get(o, key)) == NULL) {
		fail(c, "the member \"%s\" is missing", key);
		return 0;
	}
	if (!json_is_string(v)) {
		fail(c, "\"%s\" must be a string", key);
		return 0;
	}
	if (path) {
		c->path = json_string_value(v);
		c->pathlen = json_string_length(v);
	}
	return ptr_parse(json_string_value(v), json_string_length(v), p,
	    what, c);
}

/*
 * Check one operation o of a patch (RFC 6902 §4) and fill op: an object
 * with a known string "op", a pointer "path", a pointer "from" for move
 * and copy, and a "value" (null counts) for add, replace and test.
 * Other members are ignored (§4, Appendix A.11).  Returns 1, or 0 with
 * the error reported; call op_free() either way.
 */
static int
op_parse(const json_t *o, struct jpop *op, struct opctx *c)
{
	json_t	*v;
	size_t	 i;

	memset(op, 0, sizeof(*op));
	if (!json_is_object(o)) {
		fail(c, "the operation is %s, not an object", tname(o));
		return 0;
	}
	if ((v = json_object_get(o, "op")) == NULL) {
		fail(c, "the member \"op\" is missing");
		return 0;
	}
	if (!json_is_string(v)) {
		fail(c, "\"op\" must be a string");
		return 0;
	}
	c->op = json_string_value(v);
	c->oplen = json_string_length(v);
	/* Lengths too: "add\u0000x" is not "add". */
	for (i = 0; i < JP__MAX; i++)
		if (strlen(ops[i].name) == c->oplen &&
		    memcmp(ops[i].name, c->op, c->oplen) == 0)
			break;
	if (i == JP__MAX) {
		fail(c, "unknown op (it must be add, remove, replace, move, "
		    "copy or test)");
		return 0;
	}
	op->op = (enum jp_op)i;
	if (!op_pointer(o, "path", &op->path, 1, "path", c))
		return 0;
	if (ops[i].from &&
	    !op_pointer(o, "from", &op->from, 0, "from location", c))
		return 0;
	if (ops[i].value &&
	    (op->value = json_object_get(o, "value")) == NULL) {
		fail(c, "the member \"value\" is missing");
		return 0;
	}
	return 1;
}

/*
 * The compact serialized size of v, or more (a string's escapes are
 * counted as six bytes, a number as 24); the walk stops once the sum
 * passes limit, returning a size above it.
 */
static size_t
str_size(const char *p, size_t len)
{
	size_t	 i, n;

	for (i = 0, n = 2; i < len; i++)
		n += (unsigned char)p[i] < 0x20 || p[i] == '"' ||
		    p[i] == '\\' ? 6 : 1;
	return n;
}

static size_t
jsize(const json_t *v, size_t limit)
{
	const char	*k;
	json_t		*e;
	size_t		 n = 0, i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		n = 2;
		json_object_foreach((json_t *)v, k, e) {
			n += str_size(k, strlen(k)) + 2 + jsize(e, limit -
			    (n < limit ? n : limit));
			if (n > limit)
				break;
		}
		return n;
	case JSON_ARRAY:
		n = 2;
		for (i = 0; i < json_array_size(v) && n <= limit; i++)
			n += 1 + jsize(json_array_get(v, i), limit - (n <
			    limit ? n : limit));
		return n;
	case JSON_STRING:
		return str_size(json_string_value(v), json_string_length(v));
	default:
		return 24;
	}
}

/*
 * Count what an operation adds, v, towards the document's size; past
 * c->max, fail naming the limit.  Returns 1, or 0 with the error
 * reported.  Removals are not taken off: a bound, not a measure.
 */
static int
grows(const json_t *v, const struct opctx *c)
{
	size_t	 left;

	if (c->size == NULL)
		return 1;
	left = *c->size < c->max ? c->max - *c->size : 0;
	*c->size += jsize(v, left);
	if (*c->size > c->max) {
		fail(c, "the patched document would be larger than %zu "
		    "bytes", c->max);
		return 0;
	}
	return 1;
}

/*
 * Run one checked operation on *root (RFC 6902 §4.1-§4.6).  *root may
 * be replaced (path ""), and is left half changed on failure: the
 * caller throws it away.  Returns 1, or 0 with the error reported.
 */
static int
op_apply(json_t **root, const struct jpop *op, const struct opctx *c)
{
	json_t	*v;

	switch (op->op) {
	case JP_ADD:
		if (!grows(op->value, c))
			return 0;
		return do_add(root, &op->path, xcopy(op->value), c);
	case JP_REMOVE:
		if ((v = do_remove(root, &op->path, "path", c)) == NULL)
			return 0;
		json_decref(v);
		return 1;
	case JP_REPLACE:
		if (!grows(op->value, c))
			return 0;
		return do_replace(root, &op->path, xcopy(op->value), c);
	case JP_MOVE:
		/* Same place: it only has to exist (remove, then add). */
		if (op->from.n == op->path.n &&
		    ptr_common(&op->from, &op->path, op->path.n))
			return walk(*root, &op->from, op->from.n,
			    "from location", c) != NULL;
		/* §4.4: "from" MUST NOT be a proper prefix of "path". */
		if (op->from.n < op->path.n &&
		    ptr_common(&op->from, &op->path, op->from.n)) {
			fail(c, "a value cannot be moved into one of its "
			    "children");
			return 0;
		}
		if ((v = do_remove(root, &op->from, "from location", c))
		    == NULL)
			return 0;
		return do_add(root, &op->path, v, c);
	case JP_COPY:
		/* Checked before the copy: copies double (issue 12). */
		if ((v = walk(*root, &op->from, op->from.n,
		    "from location", c)) == NULL || !grows(v, c))
			return 0;
		return do_add(root, &op->path, xcopy(v), c);
	case JP_TEST:
		if ((v = walk(*root, &op->path, op->path.n, "path", c))
		    == NULL)
			return 0;
		if (!value_eq(v, op->value)) {
			fail(c, "the test failed: the value differs");
			return 0;
		}
		return 1;
	default:
		abort();
	}
}

/*
 * RFC 6902 §3, §5: apply every operation to a copy of doc, or none
 * (see jsonpatch.h).
 */
json_t *
ojsonpatch_apply(const json_t *doc, const json_t *patch, struct oerr *err)
{
	return ojsonpatch_apply_max(doc, patch, OJSONPATCH_MAX, err);
}

json_t *
ojsonpatch_apply_max(const json_t *doc, const json_t *patch, size_t max,
    struct oerr *err)
{
	struct opctx	 c;
	struct jpop	 op;
	json_t		*res = NULL, *out = NULL;
	size_t		 i, size = 0;
	int		 ok;

	memset(&op, 0, sizeof(op));
	if (doc == NULL) {
		olog_err("ojsonpatch_apply: no document");
		oerr_set(err, OERR_SERVER_ERROR,
		    "There is no document to patch.");
		goto out;
	} else if (!json_is_array(patch)) {
		oerr_set(err, OERR_INVALID_REQUEST,
		    "A JSON Patch must be an array of operations.");
		goto out;
	}
	if (max == 0)
		max = OJSONPATCH_MAX;
	if ((size = jsize(doc, max)) > max) {
		oerr_set(err, OERR_INVALID_REQUEST, "The document is larger "
		    "than %zu bytes, the most a JSON Patch may make.", max);
		goto out;
	}
	res = xcopy(doc);
	for (i = 0; i < json_array_size(patch); i++) {
		memset(&c, 0, sizeof(c));
		c.err = err;
		c.idx = i;
		c.size = &size;
		c.max = max;
		ok = op_parse(json_array_get(patch, i), &op, &c) &&
		    op_apply(&res, &op, &c);
		op_free(&op);
		if (!ok)
			goto out;
	}
	out = res;
	res = NULL;
out:
	json_decref(res);
	return out;
}

/*
 * 1 if an operation's location (RFC 6902 §4) and pointer are equal or
 * one lies under the other; 1 too for anything malformed (fail closed,
 * see jsonpatch.h).
 */
int
ojsonpatch_touches(const json_t *patch, const char *pointer)
{
	struct opctx	 c;
	struct ptr	 want;
	struct jpop	 op;
	size_t		 i, n;
	int		 rc = 1;

	memset(&c, 0, sizeof(c));
	memset(&want, 0, sizeof(want));
	memset(&op, 0, sizeof(op));
	if (pointer == NULL ||
	    !ptr_parse(pointer, strlen(pointer), &want, "pointer", &c))
		goto out;
	if (!json_is_array(patch))
		goto out;
	for (i = 0; i < json_array_size(patch); i++) {
		if (!op_parse(json_array_get(patch, i), &op, &c))
			goto out;
		/* Equal, under or above: equal on the shorter's tokens. */
		n = want.n < op.path.n ? want.n : op.path.n;
		if (ptr_common(&want, &op.path, n))
			goto out;
		n = want.n < op.from.n ? want.n : op.from.n;
		if (op.op == JP_MOVE && ptr_common(&want, &op.from, n))
			goto out;
		op_free(&op);
	}
	rc = 0;
out:
	op_free(&op);
	ptr_free(&want);
	return rc;
}

/*
 * RFC 6901 §4 evaluation of pointer in doc: the value (borrowed) or
 * NULL (see jsonpatch.h).
 */
json_t *
ojsonpointer_get(const json_t *doc, const char *pointer)
{
	struct ptr	 p;
	json_t		*v = NULL;

	if (doc == NULL || pointer == NULL)
		return NULL;
	/* NOTE: the result is borrowed from doc, as json_object_get's. */
	if (ptr_parse(pointer, strlen(pointer), &p, "pointer", NULL))
		v = walk((json_t *)doc, &p, p.n, "pointer", NULL);
	ptr_free(&p);
	return v;
}
