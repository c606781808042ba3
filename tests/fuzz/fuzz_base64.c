/*
 * fuzz_base64.c: the strict base64url and base64 decoders
 * (lib/base/crypto.c) that every JWS segment, sealed challenge and Basic
 * header goes through, and their encoders.  Checked: what decodes
 * re-encodes to exactly the input (one encoding per value, as
 * crypto.h promises), and encoding any bytes decodes back to them.
 */
#include <string.h>

#include "base/crypto.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data;
	unsigned char	*out;
	char		*enc;
	size_t		 olen, elen, esz;

	out = malloc(size + 1);
	esz = size * 2 + 8;
	enc = malloc(esz);
	FUZZ_CHECK(out != NULL && enc != NULL);

	if (ocrypto_b64url_decode(out, size + 1, &olen, s, size)) {
		FUZZ_CHECK(olen <= size);
		FUZZ_CHECK(ocrypto_b64url_encode(enc, esz, &elen, out, olen));
		FUZZ_CHECK(elen == size && memcmp(enc, s, size) == 0);
	}
	if (ocrypto_b64_decode(out, size + 1, &olen, s, size)) {
		FUZZ_CHECK(olen <= size);
		FUZZ_CHECK(ocrypto_b64_encode(enc, esz, &elen, out, olen));
		FUZZ_CHECK(elen == size && memcmp(enc, s, size) == 0);
	}
	/* A buffer too small is refused, never overrun. */
	if (size > 0)
		(void)ocrypto_b64url_decode(out, size / 2, &olen, s, size);

	FUZZ_CHECK(ocrypto_b64url_encode(enc, esz, &elen, data, size));
	FUZZ_CHECK(elen == ocrypto_b64url_len(size) && enc[elen] == '\0');
	FUZZ_CHECK(ocrypto_b64url_decode(out, size + 1, &olen, enc, elen));
	FUZZ_CHECK(olen == size && memcmp(out, data, size) == 0);
	FUZZ_CHECK(ocrypto_b64_encode(enc, esz, &elen, data, size));
	FUZZ_CHECK(ocrypto_b64_decode(out, size + 1, &olen, enc, elen));
	FUZZ_CHECK(olen == size && memcmp(out, data, size) == 0);

	free(out);
	free(enc);
	return 0;
}
