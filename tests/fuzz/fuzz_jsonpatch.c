/*
 * fuzz_jsonpatch.c: JSON Patch (RFC 6902) and JSON Pointer (RFC 6901)
 * as PATCH /clients/{id} runs them (lib/base/jsonpatch.c).  The input is
 * "document NUL patch"; without a NUL it is the patch, applied to a
 * client-like document.  Both are parsed as requests are
 * (ojson_parse(), duplicates refused).  Then ojsonpatch_apply(),
 * ojsonpatch_touches() for a protected member and for each operation's
 * path, and ojsonpointer_get() on every path and from.  Checked: the
 * document is never modified, a failure sets an error, a patch that
 * applies without touching "/client_id" leaves it as it was.
 */
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "base/json.h"
#include "base/jsonpatch.h"
#include "fuzz.h"

static const char defdoc[] = "{\"client_id\":\"c\",\"redirect_uris\":"
    "[\"https://a/cb\",\"https://b/cb\"],\"metadata\":{\"a~b\":{\"c/d\":"
    "[1,2.0,null,true]},\"\":0},\"scope\":\"openid\"}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oerr	 err;
	const char	*s = (const char *)data, *nul, *p;
	json_t		*doc = NULL, *copy = NULL, *patch = NULL, *res, *op;
	size_t		 i;
	int		 touches;

	oerr_clear(&err);
	if ((nul = memchr(s, '\0', size)) != NULL) {
		doc = ojson_parse(s, (size_t)(nul - s), 0, &err);
		patch = ojson_parse(nul + 1, size - (size_t)(nul - s) - 1, 0,
		    &err);
	} else {
		doc = ojson_parse(defdoc, sizeof(defdoc) - 1, 1, &err);
		FUZZ_CHECK(doc != NULL);
		patch = ojson_parse(s, size, 0, &err);
	}
	if (doc == NULL || patch == NULL)
		goto out;
	copy = json_deep_copy(doc);
	touches = ojsonpatch_touches(patch, "/client_id");
	oerr_clear(&err);
	if ((res = ojsonpatch_apply(doc, patch, &err)) != NULL) {
		FUZZ_CHECK(!touches ? json_equal(ojsonpointer_get(doc,
		    "/client_id"), ojsonpointer_get(res, "/client_id")) ||
		    ojsonpointer_get(doc, "/client_id") == NULL : 1);
		json_decref(res);
	} else
		FUZZ_CHECK(oerr_isset(&err));
	FUZZ_CHECK(json_equal(doc, copy));
	json_array_foreach(patch, i, op) {
		if (!json_is_object(op))
			continue;
		if ((p = json_string_value(json_object_get(op, "path"))) !=
		    NULL) {
			(void)ojsonpointer_get(doc, p);
			(void)ojsonpatch_touches(patch, p);
		}
		if ((p = json_string_value(json_object_get(op, "from"))) !=
		    NULL)
			(void)ojsonpointer_get(doc, p);
	}
out:
	json_decref(copy);
	json_decref(doc);
	json_decref(patch);
	return 0;
}
