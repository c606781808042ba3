/*
 * fuzz_jws.c: JWS and JWT parsing and verification (lib/jose/jws.c,
 * lib/jose/jose.c) as client assertions, id_token_hint and JWT access tokens
 * reach them, with four fixed keys (keys.h: RSA, EC P-256, Ed25519,
 * oct).  The first byte of the input picks what the rest is:
 *   0     a compact JWS verified against every key, any alg (only
 *         the keys of its kid when it names one, as ojws_verify does);
 *   1, 3  the same with an allow-list (RS256 and ES256; HS256);
 *   2     a payload, signed with a key and alg the second byte picks
 *         and verified: it must verify, and give the payload back.
 * A verified JWS goes on to ojwt_claims() and ojwt_check().  Checked:
 * every failure sets an error, "none" never verifies, the key that
 * verified fits the alg.
 */
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "jose/jose.h"
#include "fuzz.h"
#include "keys.h"

#define NKEYS	(sizeof(fuzz_jwks) / sizeof(fuzz_jwks[0]))

static struct ojwk	*keys[NKEYS];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct oerr	 err;
	size_t		 i;

	for (i = 0; i < NKEYS; i++) {
		oerr_clear(&err);
		keys[i] = ojwk_import_str(fuzz_jwks[i],
		    strlen(fuzz_jwks[i]), 1, &err);
		if (keys[i] == NULL) {
			fprintf(stderr, "fuzz_jws: key %zu: %s\n", i,
			    err.description);
			abort();
		}
	}
	return 0;
}

/* The claims of a verified JWS, checked as a JWT. */
static void
claims(const struct ojws *jws, unsigned flags)
{
	struct oerr	 err;
	json_t		*c;

	oerr_clear(&err);
	if ((c = ojwt_claims(jws, &err)) == NULL) {
		FUZZ_CHECK(oerr_isset(&err));
		return;
	}
	if (!ojwt_check(c, "https://op.example/", "client", 1700000000,
	    60, flags & 3, &err))
		FUZZ_CHECK(oerr_isset(&err));
	oerr_clear(&err);
	(void)ojwt_check(c, NULL, NULL, 1700000000, 0, 0, &err);
	json_decref(c);
}

static void
verify(const char *s, size_t len, const char *const *algs)
{
	struct oerr	 err;
	struct ojws	*jws;

	oerr_clear(&err);
	if ((jws = ojws_verify(s, len, keys, NKEYS, algs, &err)) == NULL) {
		FUZZ_CHECK(oerr_isset(&err));
		return;
	}
	FUZZ_CHECK(strcmp(jws->alg, "none") != 0);
	FUZZ_CHECK(ojwk_fits(jws->key, jws->alg));
	FUZZ_CHECK(json_is_object(jws->header));
	if (algs != NULL)
		FUZZ_CHECK(strcmp(jws->alg, algs[0]) == 0 ||
		    (algs[1] != NULL && strcmp(jws->alg, algs[1]) == 0));
	claims(jws, (unsigned)len);
	ojws_free(jws);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const allow[] = { "RS256", "ES256", NULL };
	static const char *const allow_hs[] = { "HS256", NULL };
	static const struct {
		size_t		 key;	/* index in fuzz_jwks */
		const char	*alg;
	} signers[] = {
		{ 0, "RS256" }, { 0, "PS384" }, { 0, "RS512" },
		{ 1, "ES256" }, { 2, "EdDSA" }, { 3, "HS256" },
	};
	size_t		 si;
	struct oerr	 err;
	struct ojws	*jws;
	const struct ojwk *k;
	char		*s;

	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		verify((const char *)data + 1, size - 1, NULL);
		break;
	case 1:
		verify((const char *)data + 1, size - 1, allow);
		break;
	case 3:
		verify((const char *)data + 1, size - 1, allow_hs);
		break;
	case 2:
		if (size < 2)
			break;
		si = data[1] % (sizeof(signers) / sizeof(signers[0]));
		k = keys[signers[si].key];
		oerr_clear(&err);
		s = ojws_sign(k, signers[si].alg, NULL, data + 2, size - 2,
		    &err);
		FUZZ_CHECK(s != NULL);
		jws = ojws_verify(s, strlen(s), keys, NKEYS, NULL, &err);
		FUZZ_CHECK(jws != NULL);
		FUZZ_CHECK(jws->key == k);
		FUZZ_CHECK(jws->payloadlen == size - 2 &&
		    memcmp(jws->payload, data + 2, size - 2) == 0);
		claims(jws, data[1] >> 3);
		ojws_free(jws);
		ojose_free(s);
		break;
	}
	return 0;
}
