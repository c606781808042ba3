/*
 * fuzz_flowstate.c: decoding opened flow state into structs
 * (lib/protocol/flowstate.c): the authorization request, the login,
 * consent and logout states.  Only this server seals them, but a state
 * sealed by an earlier build, or damaged on its way, must be refused
 * and never crash.  The input, when it is JSON, goes through each
 * decoder.  Checked: a refusal is a 400 with a description naming the
 * member; what decodes encodes again, and that encoding decodes to the
 * same encoding (the round trip is stable).
 */
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/err.h"
#include "protocol/flowstate.h"
#include "fuzz.h"

static struct oconf	 conf;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char	 s0[] = "fuzz-secret-0123456789abcdef";

	conf.issuer = "http://127.0.0.1:4444/";
	conf.secrets[0] = s0;
	conf.nsecrets = 1;
	oconf = &conf;
	return 0;
}

/* A refusal is a 400 that says what was wrong. */
static void
refused(const struct oerr *err)
{
	FUZZ_CHECK(err->status == 400);
	FUZZ_CHECK(err->description[0] != '\0');
}

/* The encodings a and b (consumed) are the same JSON. */
static void
same(json_t *a, json_t *b)
{
	FUZZ_CHECK(a != NULL && b != NULL && json_equal(a, b));
	json_decref(a);
	json_decref(b);
}

/*
 * One decoder's round trip: decode j; on success encode, decode that,
 * encode again and compare.
 */
#define ROUND_TRIP(prefix, j) do {				\
	struct prefix	 x1_, x2_;					\
	struct oerr	 e_;						\
	json_t		*a_;						\
									\
	memset(&x1_, 0, sizeof(x1_));					\
	memset(&x2_, 0, sizeof(x2_));					\
	oerr_clear(&e_);						\
	if (!prefix##_decode((j), &x1_, &e_))				\
		refused(&e_);						\
	else {								\
		a_ = prefix##_json(&x1_);				\
		FUZZ_CHECK(prefix##_decode(a_, &x2_, &e_));		\
		same(a_, prefix##_json(&x2_));				\
	}								\
	prefix##_free(&x1_);						\
	prefix##_free(&x2_);						\
} while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t	*j;

	if ((j = json_loadb((const char *)data, size, 0, NULL)) == NULL)
		return 0;
	ROUND_TRIP(ofstate_req, j);
	ROUND_TRIP(ofstate_login, j);
	ROUND_TRIP(ofstate_consent, j);
	ROUND_TRIP(ofstate_logout, j);
	json_decref(j);
	return 0;
}
