/*
 * fuzz_form.c: application/x-www-form-urlencoded decoding (lib/base/form.c),
 * as every query string and form body reaches it: oform_parse() on the
 * whole input, then a field table over the pairs, and oform_decode() on
 * the raw bytes both ways ('+' a space or kept).  Checked: every decoded
 * name and value is NUL-terminated UTF-8-clean as promised (no NUL
 * inside), and percent-encoding a decoded value decodes back to it.
 */
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/form.h"
#include "fuzz.h"

static const struct ofield fields[] = {
	{ "client_id", 128, OFIELD_VSCHAR, OFIELD_REQUIRED | OFIELD_ONCE },
	{ "redirect_uri", 2048, OFIELD_ANY, OFIELD_ONCE },
	{ "scope", 1024, OFIELD_NQSCHAR, OFIELD_ONCE },
	{ "state", 0, OFIELD_VSCHAR, 0 },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oarena	 a;
	struct oparams	 p;
	struct oerr	 err;
	const char	*s = (const char *)data;
	char		*d, *e, *back;
	size_t		 i, dlen, blen;

	oarena_init(&a);
	oerr_clear(&err);
	memset(&p, 0, sizeof(p));
	if (oform_parse(&a, s, size, &p, &err)) {
		FUZZ_CHECK(p.n <= OFORM_MAX_PARAMS);
		for (i = 0; i < p.n; i++) {
			FUZZ_CHECK(p.v[i].name != NULL);
			FUZZ_CHECK(p.v[i].value != NULL);
			FUZZ_CHECK(strlen(p.v[i].value) == p.v[i].vlen);
			FUZZ_CHECK(oparams_count(&p, p.v[i].name) >= 1);
			FUZZ_CHECK(oparams_get(&p, p.v[i].name) != NULL);
			/* Encoding then decoding gives the value back. */
			e = oform_encode(&a, p.v[i].value);
			back = oform_decode(&a, e, strlen(e), 1, &blen);
			FUZZ_CHECK(back != NULL && blen == p.v[i].vlen &&
			    memcmp(back, p.v[i].value, blen) == 0);
		}
		oerr_clear(&err);
		(void)oform_check(&p, fields,
		    sizeof(fields) / sizeof(fields[0]), &err);
	} else
		FUZZ_CHECK(oerr_isset(&err));
	if ((d = oform_decode(&a, s, size, 0, &dlen)) != NULL) {
		FUZZ_CHECK(memchr(d, '\0', dlen) == NULL && d[dlen] == '\0');
		FUZZ_CHECK(dlen <= size);
	}
	if ((d = oform_decode(&a, s, size, 1, &dlen)) != NULL)
		FUZZ_CHECK(memchr(d, '\0', dlen) == NULL && d[dlen] == '\0');
	oarena_free(&a);
	return 0;
}
