/*
 * fuzz_flow.c: opening sealed flow state (lib/records/flow.c oflow_open(), over
 * lib/base/crypto.c ocrypto_open()): every login, consent and logout
 * challenge and verifier, and the session and CSRF cookies, come back
 * from the browser this way.  The input is opened as each purpose's
 * sealed string (forgeries must all fail), then, when it is a JSON
 * object (the only state the server seals), sealed by this process as
 * a consent verifier and opened again, so that what follows a
 * successful decryption (the JSON, its "exp") is fuzzed too.  Checked:
 * every failure is a 404 with a description; a sealed state opens only
 * for its own purpose, and only when its "exp" is a future integer.
 */
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "records/flow.h"
#include "fuzz.h"

static struct oconf	 conf;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char	 s0[] = "fuzz-secret-0123456789abcdef";
	static char	 s1[] = "fuzz-secret-old-0123456789abcd";

	conf.issuer = "http://127.0.0.1:4444/";
	conf.secrets[0] = s0;
	conf.secrets[1] = s1;
	conf.nsecrets = 2;
	oconf = &conf;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oerr	 err;
	json_t		*st, *j, *exp;
	char		*s, *sealed;
	unsigned char	 key[OCRYPTO_AEAD_KEY_LEN], *pt;
	size_t		 ptlen;
	int		 p, ok;

	s = malloc(size + 1);
	FUZZ_CHECK(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	for (p = 0; p < OFLOW__MAX; p++) {
		oerr_clear(&err);
		st = oflow_open(p, s, &err);
		FUZZ_CHECK(st == NULL);
		FUZZ_CHECK(err.status == 404 && err.description[0] != '\0');
	}
	/* Raw AEAD: a forgery never opens, under any key. */
	memset(key, 0x5a, sizeof(key));
	pt = malloc(size + 1);
	FUZZ_CHECK(pt != NULL);
	FUZZ_CHECK(!ocrypto_open(key, "login", 5, data, size, pt, size + 1,
	    &ptlen));
	free(pt);

	if ((j = json_loadb(s, size, 0, NULL)) != NULL) {
		sealed = oflow_seal(OFLOW_CONSENT_VERIFIER, j);
		exp = json_object_get(j, "exp");
		/* lib/records/flow.c refuses more than 32 KB of sealed state. */
		ok = json_is_integer(exp) &&
		    json_integer_value(exp) > time(NULL) &&
		    strlen(sealed) <= 32 * 1024;
		for (p = 0; p < OFLOW__MAX; p++) {
			oerr_clear(&err);
			st = oflow_open(p, sealed, &err);
			if (p == OFLOW_CONSENT_VERIFIER && ok) {
				FUZZ_CHECK(st != NULL);
				FUZZ_CHECK(json_equal(st, j));
			} else
				FUZZ_CHECK(st == NULL &&
				    err.status == 404);
			json_decref(st);
		}
		free(sealed);
		json_decref(j);
	}
	free(s);
	return 0;
}
