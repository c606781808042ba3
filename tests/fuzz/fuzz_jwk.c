/*
 * fuzz_jwk.c: JWK and JWK Set import (lib/jose/jwk.c) as client "jwks" and
 * the admin key API reach it: the input as one JWK (public, then with
 * its private part required) and as a JWK Set.  A key that imports is
 * exported (public and private), thumbprinted, re-imported from its
 * export, and asked which algs it fits.  Checked: the thumbprint of the
 * re-imported key is the same, a failure sets an error.
 */
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "jose/jose.h"
#include "fuzz.h"

static const char *const algs[] = { "HS256", "HS384", "HS512", "RS256",
    "PS512", "ES256", "ES384", "ES512", "EdDSA", "none", "" };

static void
one(struct ojwk *k)
{
	struct oerr	 err;
	char		 tp[OJWK_THUMBPRINT_LEN + 1], tp2[sizeof(tp)];
	json_t		*pub, *priv;
	struct ojwk	*k2;
	size_t		 i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		(void)ojwk_fits(k, algs[i]);
	FUZZ_CHECK(ojwk_kty(k) != NULL);
	(void)ojwk_bits(k);
	oerr_clear(&err);
	FUZZ_CHECK(ojwk_thumbprint(k, tp, &err));
	if ((pub = ojwk_export(k, 0, &err)) != NULL) {
		oerr_clear(&err);
		k2 = ojwk_import(pub, 0, &err);
		FUZZ_CHECK(k2 != NULL);
		FUZZ_CHECK(ojwk_thumbprint(k2, tp2, &err));
		FUZZ_CHECK(strcmp(tp, tp2) == 0);
		ojwk_free(k2);
		json_decref(pub);
	}
	oerr_clear(&err);
	if (ojwk_has_private(k)) {
		priv = ojwk_export(k, 1, &err);
		FUZZ_CHECK(priv != NULL);
		k2 = ojwk_import(priv, 1, &err);
		FUZZ_CHECK(k2 != NULL);
		ojwk_free(k2);
		json_decref(priv);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oerr	 err;
	struct ojwk	*k;
	struct ojwks	*set;
	json_t		*j, *out;
	size_t		 i;
	int		 priv;

	for (priv = 0; priv < 2; priv++) {
		oerr_clear(&err);
		if ((k = ojwk_import_str((const char *)data, size, priv,
		    &err)) == NULL) {
			FUZZ_CHECK(oerr_isset(&err));
			continue;
		}
		FUZZ_CHECK(!priv || ojwk_has_private(k));
		one(k);
		ojwk_free(k);
	}
	if ((j = json_loadb((const char *)data, size,
	    JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return 0;
	oerr_clear(&err);
	if ((set = ojwks_import(j, 0, &err)) != NULL) {
		FUZZ_CHECK(set->nkeys <= OJWKS_MAX);
		for (i = 0; i < set->nkeys; i++)
			(void)ojwks_find(set, ojwk_kid(set->keys[i]));
		oerr_clear(&err);
		out = ojwks_export(set, 0, &err);
		json_decref(out);
		ojwks_free(set);
	} else
		FUZZ_CHECK(oerr_isset(&err));
	json_decref(j);
	return 0;
}
