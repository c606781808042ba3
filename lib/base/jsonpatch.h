/*
 * jsonpatch.h: JSON Patch (RFC 6902) over jansson, with JSON Pointer
 * (RFC 6901) to name locations.
 *
 * Pointers here are in the JSON-string representation of RFC 6901 §5
 * ("/a~1b", "/m~0n"), never the URI fragment one of §6 ("#/a%20b").
 * "" is the whole document; "/" is the member whose name is "" (it is
 * NOT the whole document).
 *
 * Parse patch documents with JSON_REJECT_DUPLICATES (ojson_parse() does):
 * RFC 6902 §4 and Appendix A.13 make an operation with two "op" members
 * an error, and jansson without the flag silently keeps the last one.
 */
#ifndef OIDCGI_JSONPATCH_H
#define OIDCGI_JSONPATCH_H

#include <jansson.h>

struct oerr;

/*
 * Apply patch (RFC 6902 §3: an array of operation objects) to doc.
 *
 * doc is never modified: the operations run on a deep copy, which is
 * returned (a new reference the caller owns) only when every operation
 * succeeded (RFC 6902 §5: all or nothing).  Nothing in the result
 * shares memory with doc or patch.
 *
 * The operations are add, remove, replace, move, copy and test, as in
 * RFC 6902 §4.1-§4.6.  Members an operation does not define are ignored
 * (§4).  "test" compares numbers by value, so 1 equals 1.0 (§4.6; this
 * is NOT jansson's json_equal(), for which an integer never equals a
 * real); strings compare byte for byte.  The whole document ("") may
 * be the target of add, replace, test and copy, not of remove.
 *
 * A NULL doc is a caller bug: NULL with a 500 server_error.
 *
 * Returns NULL on failure with a 400 invalid_request in err, for
 * example "JSON Patch operation 2 (replace /redirect_uris/5): the path
 * does not exist".  Operations are counted from 0, as the pointer
 * "/2" into the patch would count them.  The errors are:
 *  - patch is not an array, or an operation is not an object;
 *  - "op" absent, not a string, or unknown;
 *  - "path" (or, for move and copy, "from") absent, not a string, or
 *    not a JSON Pointer (no leading '/', '~' not followed by '0' or
 *    '1', a NUL byte);
 *  - "value" absent for add, replace or test (null is a value);
 *  - a location that does not exist (for add: its parent), an array
 *    index with a leading zero or out of range (add may use the size,
 *    or "-", to append; the others may use neither), a path through a
 *    string, number, boolean or null;
 *  - move whose "from" is a proper prefix of its "path" (§4.4);
 *  - a test whose values differ (§4.6).
 */
json_t	*ojsonpatch_apply(const json_t *doc, const json_t *patch,
	    struct oerr *err);

/*
 * The most a patched document may grow to by default: 1 MiB, the
 * default of serve.request_body_max.
 */
#define OJSONPATCH_MAX	((size_t)1 << 20)

/*
 * ojsonpatch_apply() with a bound: the document's compact serialized
 * size plus that of every value an add, replace or copy puts in (an
 * upper bound of the result's size; removals are not taken off) may be
 * at most max bytes (0: OJSONPATCH_MAX).  Checked before each value is
 * copied, so that "copy" cannot amplify a small patch into a huge
 * document.  Past it: NULL with a 400 invalid_request, "JSON Patch
 * operation 3 (copy /a): the patched document would be larger than
 * 1048576 bytes".  ojsonpatch_apply() is this with OJSONPATCH_MAX.
 */
json_t	*ojsonpatch_apply_max(const json_t *doc, const json_t *patch,
	    size_t max, struct oerr *err);

/*
 * 1 if an operation of patch could change what pointer names: its
 * "path" (or, for move, its "from") equals pointer, lies under it
 * (pointer followed by '/'), or is a parent of it (so "" touches
 * everything, but "/" touches only "/" and what lies under it).  Any op,
 * test included, counts; the "from" of copy only reads and does not.
 *
 * Used to refuse patches to protected members such as "/client_id".
 * The comparison is by location, not by value: an insertion into an
 * array shifts the elements after it without touching their pointers,
 * so protect object members or whole arrays, not array elements.
 *
 * Fails closed: a patch that is not an array of objects with string
 * "op" and "path" members (and "from" for move) that are valid pointers,
 * or a malformed pointer argument, counts as touching (returns 1).
 * ojsonpatch_apply() refuses such patches anyway.
 */
int	 ojsonpatch_touches(const json_t *patch, const char *pointer);

/*
 * The value pointer names in doc (RFC 6901 §4), or NULL when it does
 * not exist or pointer is malformed (including array indices with a
 * leading zero, and "-").  The result is borrowed: it stays valid as
 * long as doc holds it, and must not be decref'd.
 */
json_t	*ojsonpointer_get(const json_t *doc, const char *pointer);

#endif
