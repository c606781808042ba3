/*
 * fuzz_reqobj.c: request objects (lib/protocol/reqobj.c) as the
 * authorization endpoint takes them: the input is a query string whose
 * "request" is merged over the other parameters by oreqobj_merge() for
 * a client that registered request_object_signing_alg "none" (the
 * unsigned JWT's own parser, then the claims' merge), and for one with
 * no keys at all.  Checked: a failure always sets an error; a merged
 * request has no "request", and every parameter is a NUL-terminated
 * string of the length it says.
 */
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/form.h"
#include "records/clients.h"
#include "protocol/reqobj.h"
#include "fuzz.h"

static struct oconf	 conf;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	conf.issuer = "https://op.example/";
	oconf = &conf;
	return 0;
}

/* Merge for client c; check what comes out. */
static void
merge(struct oarena *a, const struct oclient *c, const struct oparams *p)
{
	struct oparams	 out;
	struct oerr	 err;
	size_t		 i;

	oerr_clear(&err);
	memset(&out, 0, sizeof(out));
	if (!oreqobj_merge(a, c, p, &out, &err)) {
		FUZZ_CHECK(oerr_isset(&err));
		return;
	}
	if (oparams_get(p, "request") != NULL &&
	    *oparams_get(p, "request") != '\0')
		FUZZ_CHECK(oparams_get(&out, "request") == NULL);
	for (i = 0; i < out.n; i++) {
		FUZZ_CHECK(out.v[i].name != NULL && out.v[i].value != NULL);
		FUZZ_CHECK(strlen(out.v[i].value) == out.v[i].vlen);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oarena	 a;
	struct oparams	 p;
	struct oclient	 c;
	struct oerr	 err;

	if (oconf == NULL)
		LLVMFuzzerInitialize(NULL, NULL);
	oarena_init(&a);
	oerr_clear(&err);
	if (oform_parse(&a, (const char *)data, size, &p, &err)) {
		memset(&c, 0, sizeof(c));
		c.id = "c";
		c.jwks_uri = "";
		c.request_object_alg = "none";
		merge(&a, &c, &p);
		c.request_object_alg = "";
		merge(&a, &c, &p);
	}
	oarena_free(&a);
	return 0;
}
