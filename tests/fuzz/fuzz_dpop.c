/*
 * fuzz_dpop.c: DPoP proofs (lib/protocol/dpop.c) as the DPoP header of
 * a token or userinfo request reaches them: the input verified as a
 * proof of POST to the token endpoint, and with an access token (ath);
 * its bytes as an htu compared with the endpoint's, and as a server
 * nonce.  Checked: a failure sets an error of the RFC 9449 codes or a
 * 500, a success yields a thumbprint, htu comparison is symmetric and
 * reflexive for what parses.
 */
#include <string.h>

#include "base/conf.h"
#include "base/err.h"
#include "base/util.h"
#include "protocol/dpop.h"
#include "fuzz.h"

#define HTU	"https://op.example/oauth2/token"

static char		 secret[] = "fuzz-dpop-secret-0123456789abcdef";
static struct oconf	 conf;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	conf.secrets[0] = secret;
	conf.nsecrets = 1;
	oconf = &conf;
	return 0;
}

static void
verify(const char *s, const char *tok)
{
	struct odpop	 d;
	struct oerr	 err;

	oerr_clear(&err);
	if (odpop_verify(s, "POST", HTU, tok, onow(), &d, &err)) {
		FUZZ_CHECK(strlen(d.jkt) == OJWK_THUMBPRINT_LEN);
		FUZZ_CHECK(!oerr_isset(&err));
	} else
		FUZZ_CHECK(err.code == OERR_INVALID_DPOP_PROOF ||
		    err.code == OERR_USE_DPOP_NONCE ||
		    err.code == OERR_SERVER_ERROR);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;
	int	 eq;

	if (oconf == NULL)
		LLVMFuzzerInitialize(NULL, NULL);
	s = oxmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	verify(s, NULL);
	verify(s, "ory_at_x.y");
	conf.dpop_nonce = 1;
	verify(s, NULL);
	conf.dpop_nonce = 0;
	eq = odpop_htu_eq(s, HTU);
	FUZZ_CHECK(eq == odpop_htu_eq(HTU, s));
	if (odpop_htu_eq(s, s) == 0)
		FUZZ_CHECK(!eq);
	(void)odpop_nonce_ok(s, onow());
	free(s);
	return 0;
}
