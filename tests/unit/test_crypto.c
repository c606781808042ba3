/*
 * test_crypto.c: unit tests for lib/base/crypto.c against published vectors
 * (RFC 4648, FIPS 180-2, RFC 4231, RFC 5869, the GCM spec) and for the
 * strictness, buffer and failure rules of crypto.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "t.h"

/*
 * Decode the hex string s into out (at most outsz bytes).  Returns the
 * number of bytes, or aborts on a malformed vector: that is a bug in
 * this file, not in the code under test.
 */
static size_t
unhex(const char *s, unsigned char *out, size_t outsz)
{
	size_t		 n = strlen(s), i;
	unsigned int	 v;

	if (n % 2 != 0 || n / 2 > outsz)
		abort();
	for (i = 0; i < n / 2; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			abort();
		out[i] = (unsigned char)v;
	}
	return n / 2;
}

/* Is the hex string s exactly the n bytes at p? */
static int
hexeq(const char *s, const unsigned char *p, size_t n)
{
	unsigned char	 buf[256];
	size_t		 len;

	len = unhex(s, buf, sizeof(buf));
	return len == n && memcmp(buf, p, n) == 0;
}

/*
 * Does the n-byte buffer p contain the string s?  (memmem is a GNU
 * extension, not POSIX.)
 */
static int
contains(const void *p, size_t n, const char *s)
{
	const unsigned char	*b = p;
	size_t			 slen = strlen(s), i;

	for (i = 0; i + slen <= n; i++)
		if (memcmp(b + i, s, slen) == 0)
			return 1;
	return 0;
}

/* Does standard base64 decoding of the string s fail? */
static int
b64_rejects(const char *s)
{
	unsigned char	 buf[64];
	size_t		 len = 99;

	return !ocrypto_b64_decode(buf, sizeof(buf), &len, s, strlen(s)) &&
	    len == 0;
}

/* Does base64url decoding of the string s fail? */
static int
b64url_rejects(const char *s)
{
	unsigned char	 buf[64];
	size_t		 len = 99;

	return !ocrypto_b64url_decode(buf, sizeof(buf), &len, s,
	    strlen(s)) && len == 0;
}

/* RFC 4648 §10 test vectors, shared by the base64 tests. */
static const struct {
	const char	*plain;
	const char	*b64;
	const char	*b64url;
} rfc4648[] = {
	{ "", "", "" },
	{ "f", "Zg==", "Zg" },
	{ "fo", "Zm8=", "Zm8" },
	{ "foo", "Zm9v", "Zm9v" },
	{ "foob", "Zm9vYg==", "Zm9vYg" },
	{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
};

/* RFC 4648 §10: standard base64 encodes and decodes each vector. */
static void
test_b64_rfc4648(void)
{
	char		 enc[32];
	unsigned char	 dec[32];
	size_t		 i, len;

	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		len = 99;
		CHECK(ocrypto_b64_encode(enc, sizeof(enc), &len,
		    rfc4648[i].plain, strlen(rfc4648[i].plain)));
		CHECK_STR(enc, rfc4648[i].b64);
		CHECK(len == strlen(rfc4648[i].b64));
		len = 99;
		CHECK(ocrypto_b64_decode(dec, sizeof(dec), &len,
		    rfc4648[i].b64, strlen(rfc4648[i].b64)));
		CHECK(len == strlen(rfc4648[i].plain));
		CHECK(memcmp(dec, rfc4648[i].plain, len) == 0);
	}
	/* inlen 0 with NULL pointers. */
	CHECK(ocrypto_b64_encode(enc, 1, &len, NULL, 0) && len == 0 &&
	    enc[0] == '\0');
	CHECK(ocrypto_b64_decode(NULL, 0, &len, NULL, 0) && len == 0);
}

/* RFC 4648 §5/§10: base64url is the same without padding. */
static void
test_b64url_rfc4648(void)
{
	char		 enc[32];
	unsigned char	 dec[32];
	size_t		 i, len;

	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		len = 99;
		CHECK(ocrypto_b64url_encode(enc, sizeof(enc), &len,
		    rfc4648[i].plain, strlen(rfc4648[i].plain)));
		CHECK_STR(enc, rfc4648[i].b64url);
		CHECK(len == strlen(rfc4648[i].b64url));
		CHECK(ocrypto_b64url_len(strlen(rfc4648[i].plain)) == len);
		len = 99;
		CHECK(ocrypto_b64url_decode(dec, sizeof(dec), &len,
		    rfc4648[i].b64url, strlen(rfc4648[i].b64url)));
		CHECK(len == strlen(rfc4648[i].plain));
		CHECK(memcmp(dec, rfc4648[i].plain, len) == 0);
	}
	CHECK(ocrypto_b64url_encode(enc, 1, &len, NULL, 0) && len == 0 &&
	    enc[0] == '\0');
	CHECK(ocrypto_b64url_decode(NULL, 0, &len, NULL, 0) && len == 0);
}

/* The two alphabets differ in exactly 62 and 63 (RFC 4648 §4, §5). */
static void
test_b64_alphabets(void)
{
	/* 0xfb 0xff 0xbf -> 62 63 62 63. */
	static const unsigned char in[] = { 0xfb, 0xff, 0xbf, 0x00, 0x10,
	    0x83, 0x10, 0x51, 0x87, 0x20, 0x92, 0x8b, 0x30, 0xd3, 0x8f,
	    0x41, 0x14, 0x93, 0x51, 0x55, 0x97, 0x61, 0x96, 0x9b, 0x71,
	    0xd7, 0x9f, 0x82, 0x18, 0xa3, 0x92, 0x59, 0xa7, 0xa2, 0x9a,
	    0xab, 0xb2, 0xdb, 0xaf, 0xc3, 0x1c, 0xb3, 0xd3, 0x5d, 0xb7,
	    0xe3, 0x9e, 0xbb, 0xf3, 0xdf, 0xbf };
	char		 enc[128];
	unsigned char	 dec[64];
	size_t		 len;

	CHECK(ocrypto_b64_encode(enc, sizeof(enc), &len, in, sizeof(in)));
	CHECK_STR(enc, "+/+/ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
	    "wxyz0123456789+/");
	CHECK(ocrypto_b64_decode(dec, sizeof(dec), &len, enc, strlen(enc)));
	CHECK(len == sizeof(in) && memcmp(dec, in, len) == 0);

	CHECK(ocrypto_b64url_encode(enc, sizeof(enc), &len, in,
	    sizeof(in)));
	CHECK_STR(enc, "-_-_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
	    "wxyz0123456789-_");
	CHECK(ocrypto_b64url_decode(dec, sizeof(dec), &len, enc,
	    strlen(enc)));
	CHECK(len == sizeof(in) && memcmp(dec, in, len) == 0);
}

/*
 * base64url round trip for every length 0..64, with the exact buffer
 * sizes: encode needs len + 1, decode exactly the data length.
 */
static void
test_b64url_roundtrip(void)
{
	unsigned char	 in[64], dec[64];
	char		 enc[128];
	size_t		 n, i, len, elen;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 0xa5);
	for (n = 0; n <= sizeof(in); n++) {
		elen = ocrypto_b64url_len(n);
		CHECK(elen == (n * 4 + 2) / 3);
		CHECK(ocrypto_b64url_encode(enc, elen + 1, &len, in, n));
		CHECK(len == elen && strlen(enc) == elen);
		CHECK(strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
		    "opqrstuvwxyz0123456789-_") == elen);
		CHECK(!ocrypto_b64url_encode(enc, elen, &len, in, n));
		CHECK(ocrypto_b64url_encode(enc, elen + 1, &len, in, n));
		memset(dec, 0, sizeof(dec));
		CHECK(ocrypto_b64url_decode(dec, n, &len, enc, elen));
		CHECK(len == n && memcmp(dec, in, n) == 0);
		if (n > 0)
			CHECK(!ocrypto_b64url_decode(dec, n - 1, &len,
			    enc, elen));
	}
}

/* The same for padded standard base64. */
static void
test_b64_roundtrip(void)
{
	unsigned char	 in[64], dec[64];
	char		 enc[128];
	size_t		 n, i, len, elen;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(0xff - i * 29);
	for (n = 0; n <= sizeof(in); n++) {
		elen = (n + 2) / 3 * 4;
		CHECK(ocrypto_b64_encode(enc, elen + 1, &len, in, n));
		CHECK(len == elen && strlen(enc) == elen);
		CHECK(!ocrypto_b64_encode(enc, elen, &len, in, n));
		CHECK(ocrypto_b64_encode(enc, elen + 1, &len, in, n));
		memset(dec, 0, sizeof(dec));
		CHECK(ocrypto_b64_decode(dec, n, &len, enc, elen));
		CHECK(len == n && memcmp(dec, in, n) == 0);
		if (n > 0)
			CHECK(!ocrypto_b64_decode(dec, n - 1, &len,
			    enc, elen));
	}
}

/* Encoders fail, leaving "" and *outlen 0, when out has no room. */
static void
test_encode_bufsize(void)
{
	char	 buf[8];
	size_t	 len;

	memset(buf, 'x', sizeof(buf));
	len = 99;
	CHECK(!ocrypto_b64url_encode(buf, 4, &len, "foob", 4));
	CHECK(len == 0 && buf[0] == '\0');
	CHECK(!ocrypto_b64url_encode(buf, 6, &len, "foob", 4));
	CHECK(ocrypto_b64url_encode(buf, 7, &len, "foob", 4));
	CHECK_STR(buf, "Zm9vYg");
	CHECK(!ocrypto_b64url_encode(NULL, 0, &len, "", 0));
	CHECK(!ocrypto_b64url_encode(buf, 0, &len, "", 0));

	memset(buf, 'x', sizeof(buf));
	CHECK(!ocrypto_b64_encode(buf, 8, &len, "foob", 4));
	CHECK(len == 0 && buf[0] == '\0');
	CHECK(!ocrypto_b64_encode(buf, 4, &len, "f", 1));
	CHECK(ocrypto_b64_encode(buf, 5, &len, "f", 1));
	CHECK_STR(buf, "Zg==");
	CHECK(!ocrypto_b64_encode(buf, 0, &len, "", 0));
	/* outlen is optional. */
	CHECK(ocrypto_b64_encode(buf, 5, NULL, "f", 1));
	CHECK(ocrypto_b64url_encode(buf, 3, NULL, "f", 1));
	CHECK_STR(buf, "Zg");
	/* Lengths that cannot be represented. */
	CHECK(ocrypto_b64url_len(SIZE_MAX) == SIZE_MAX);
	CHECK(ocrypto_b64url_len(SIZE_MAX / 4 * 3 + 2) == SIZE_MAX);
}

/* base64url: '=' padding is refused (RFC 7515 §2). */
static void
test_b64url_reject_padding(void)
{
	CHECK(b64url_rejects("Zg=="));
	CHECK(b64url_rejects("Zg="));
	CHECK(b64url_rejects("Zm8="));
	CHECK(b64url_rejects("Zm9v===="));
	CHECK(b64url_rejects("===="));
	CHECK(b64url_rejects("Z=9v"));
}

/* base64url: whitespace anywhere is refused. */
static void
test_b64url_reject_whitespace(void)
{
	CHECK(b64url_rejects(" Zm9v"));
	CHECK(b64url_rejects("Zm9v "));
	CHECK(b64url_rejects("Zm 9v"));
	CHECK(b64url_rejects("Zm9v\nYmFy"));
	CHECK(b64url_rejects("Zm9\rv"));
	CHECK(b64url_rejects("Zm\t9v"));
	CHECK(b64url_rejects("Zm9vYmFy\n"));
}

/* base64url: the standard alphabet's '+' and '/' are refused. */
static void
test_b64url_reject_std_alphabet(void)
{
	CHECK(b64url_rejects("+/+/"));
	CHECK(b64url_rejects("ab+c"));
	CHECK(b64url_rejects("ab/c"));
	CHECK(!b64url_rejects("ab-c"));
	CHECK(!b64url_rejects("ab_c"));
}

/* base64url: other bytes, NUL and 8-bit included, are refused. */
static void
test_b64url_reject_other(void)
{
	unsigned char	 buf[8];
	size_t		 len;
	unsigned int	 c;
	char		 s[5];

	CHECK(b64url_rejects("ab.c"));
	CHECK(b64url_rejects("ab%c"));
	CHECK(!ocrypto_b64url_decode(buf, sizeof(buf), &len, "ab\0c", 4));
	/* Exactly 64 of the 256 byte values are accepted. */
	for (c = 0, len = 0; c < 256; c++) {
		size_t	 n;

		s[0] = 'A';
		s[1] = 'A';
		s[2] = 'A';
		s[3] = (char)c;
		s[4] = '\0';
		if (ocrypto_b64url_decode(buf, sizeof(buf), &n, s, 4))
			len++;
	}
	CHECK(len == 64);
}

/* base64url: a length of 1 mod 4 cannot come from any input. */
static void
test_b64url_reject_len_mod4(void)
{
	CHECK(b64url_rejects("A"));
	CHECK(b64url_rejects("Zm9vY"));
	CHECK(b64url_rejects("Zm9vYmFyZ"));
	CHECK(!b64url_rejects("Zm9vYg"));
	CHECK(!b64url_rejects("Zm9vYmE"));
}

/*
 * base64url: non-zero unused bits in the last character (RFC 4648
 * §3.5) are refused, so "Zh" cannot stand for "f" as "Zg" does.
 */
static void
test_b64url_reject_trailing_bits(void)
{
	CHECK(!b64url_rejects("Zg"));
	CHECK(b64url_rejects("Zh"));
	CHECK(b64url_rejects("Zv"));
	CHECK(!b64url_rejects("Zm8"));
	CHECK(b64url_rejects("Zm9"));
	CHECK(b64url_rejects("Zm-"));
	CHECK(b64url_rejects("Zm9vYh"));
	CHECK(b64url_rejects("Zm9vYmF"));
	CHECK(b64url_rejects("__"));
	CHECK(!b64url_rejects("_w"));
	CHECK(b64url_rejects("___"));
	CHECK(!b64url_rejects("__8"));
}

/* A failed decode leaves none of the decoded bytes behind. */
static void
test_decode_fail_wipes(void)
{
	unsigned char	 buf[8];
	size_t		 len, i;
	int		 leaked;

	/* "Zm9vYmFy" + "Zh": six good bytes, then bad trailing bits. */
	memset(buf, 0xaa, sizeof(buf));
	CHECK(!ocrypto_b64url_decode(buf, sizeof(buf), &len, "Zm9vYmFyZh",
	    10));
	for (i = 0, leaked = 0; i < sizeof(buf); i++)
		if (buf[i] != 0 && buf[i] != 0xaa)
			leaked = 1;
	CHECK(!leaked);

	/* A bad character after good ones. */
	memset(buf, 0xaa, sizeof(buf));
	CHECK(!ocrypto_b64_decode(buf, sizeof(buf), &len, "Zm9vYm*=", 8));
	for (i = 0, leaked = 0; i < sizeof(buf); i++)
		if (buf[i] != 0 && buf[i] != 0xaa)
			leaked = 1;
	CHECK(!leaked);
}

/* Standard base64: padding must be exactly what the data calls for. */
static void
test_b64_reject_padding(void)
{
	CHECK(b64_rejects("Zg"));
	CHECK(b64_rejects("Zg="));
	CHECK(b64_rejects("Zm8"));
	CHECK(b64_rejects("Zm9vYg"));
	CHECK(b64_rejects("Zg==="));
	CHECK(b64_rejects("Zg==Zg=="));
	CHECK(b64_rejects("Zm8=Zm9v"));
	CHECK(b64_rejects("Zm9v===="));
	CHECK(b64_rejects("===="));
	CHECK(b64_rejects("Z==="));
	CHECK(b64_rejects("Zg=v"));
	CHECK(b64_rejects("=Zm9"));
	CHECK(b64_rejects("Zm9v="));
	CHECK(!b64_rejects("Zg=="));
	CHECK(!b64_rejects("Zm8="));
}

/* Standard base64: the url alphabet's '-' and '_' are refused. */
static void
test_b64_reject_url_alphabet(void)
{
	CHECK(b64_rejects("-_-_"));
	CHECK(b64_rejects("ab-c"));
	CHECK(b64_rejects("ab_c"));
	CHECK(!b64_rejects("ab+c"));
	CHECK(!b64_rejects("ab/c"));
}

/* Standard base64: whitespace is refused (RFC 4648 §3.3). */
static void
test_b64_reject_whitespace(void)
{
	CHECK(b64_rejects(" Zm9v"));
	CHECK(b64_rejects("Zm9v "));
	CHECK(b64_rejects("Zm 9"));
	CHECK(b64_rejects("Zm9v\r\nYmFy"));
	CHECK(b64_rejects("Zg==\n"));
	CHECK(b64_rejects("Zg=\n"));
	CHECK(b64_rejects("\tZg="));
}

/* Standard base64: non-zero unused bits are refused (RFC 4648 §3.5). */
static void
test_b64_reject_trailing_bits(void)
{
	CHECK(b64_rejects("Zh=="));
	CHECK(b64_rejects("Zv=="));
	CHECK(b64_rejects("Zm9="));
	CHECK(b64_rejects("Zm+="));
	CHECK(b64_rejects("Zm9vYh=="));
	CHECK(b64_rejects("//=="));
	CHECK(!b64_rejects("/w=="));
	CHECK(b64_rejects("///="));
	CHECK(!b64_rejects("//8="));
}

/* Decoders fail when out is smaller than the data. */
static void
test_decode_bufsize(void)
{
	unsigned char	 buf[8];
	size_t		 len;

	CHECK(!ocrypto_b64url_decode(buf, 5, &len, "Zm9vYmFy", 8));
	CHECK(ocrypto_b64url_decode(buf, 6, &len, "Zm9vYmFy", 8));
	CHECK(len == 6 && memcmp(buf, "foobar", 6) == 0);
	CHECK(!ocrypto_b64url_decode(buf, 1, &len, "Zm8", 3));
	CHECK(ocrypto_b64url_decode(buf, 2, NULL, "Zm8", 3));
	CHECK(!ocrypto_b64_decode(buf, 0, &len, "Zg==", 4));
	CHECK(ocrypto_b64_decode(buf, 1, &len, "Zg==", 4) && len == 1);
	CHECK(!ocrypto_b64_decode(buf, 4, &len, "Zm9vYmE=", 8));
	CHECK(ocrypto_b64_decode(buf, 5, &len, "Zm9vYmE=", 8) && len == 5);
	CHECK(ocrypto_b64_decode(buf, 5, &len, "Zm9vYg==", 8) && len == 4);
}

/* FIPS 180-2 appendix B.1, D.1, C.1: SHA-256, -384, -512 of "abc". */
static void
test_sha_abc(void)
{
	unsigned char	 md[OCRYPTO_SHA512_LEN];

	ocrypto_sha256("abc", 3, md);
	CHECK(hexeq("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61"
	    "f20015ad", md, OCRYPTO_SHA256_LEN));
	ocrypto_sha512("abc", 3, md);
	CHECK(hexeq("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee6"
	    "4b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac9"
	    "4fa54ca49f", md, OCRYPTO_SHA512_LEN));

	memset(md, 0, sizeof(md));
	CHECK(ocrypto_digest(OCRYPTO_SHA256, "abc", 3, md));
	CHECK(hexeq("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61"
	    "f20015ad", md, OCRYPTO_SHA256_LEN));
	CHECK(ocrypto_digest(OCRYPTO_SHA384, "abc", 3, md));
	CHECK(hexeq("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a"
	    "43ff5bed8086072ba1e7cc2358baeca134c825a7", md, 48));
	CHECK(ocrypto_digest(OCRYPTO_SHA512, "abc", 3, md));
	CHECK(hexeq("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee6"
	    "4b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac9"
	    "4fa54ca49f", md, OCRYPTO_SHA512_LEN));

	/* SHA-256 of the empty string, with a NULL pointer. */
	ocrypto_sha256(NULL, 0, md);
	CHECK(hexeq("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
	    "7852b855", md, OCRYPTO_SHA256_LEN));

	CHECK(ocrypto_md_len(OCRYPTO_SHA256) == 32);
	CHECK(ocrypto_md_len(OCRYPTO_SHA384) == 48);
	CHECK(ocrypto_md_len(OCRYPTO_SHA512) == 64);
	CHECK(ocrypto_md_len(OCRYPTO_MD__MAX) == 0);
	CHECK(!ocrypto_digest(OCRYPTO_MD__MAX, "abc", 3, md));
}

/* RFC 4231 §4.2: HMAC test case 1. */
static void
test_hmac_rfc4231_1(void)
{
	unsigned char	 key[20], mac[OCRYPTO_SHA512_LEN];

	memset(key, 0x0b, sizeof(key));
	CHECK(ocrypto_hmac(OCRYPTO_SHA256, key, sizeof(key), "Hi There", 8,
	    mac));
	CHECK(hexeq("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c"
	    "2e32cff7", mac, 32));
	CHECK(ocrypto_hmac(OCRYPTO_SHA384, key, sizeof(key), "Hi There", 8,
	    mac));
	CHECK(hexeq("afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c"
	    "7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6", mac, 48));
	CHECK(ocrypto_hmac(OCRYPTO_SHA512, key, sizeof(key), "Hi There", 8,
	    mac));
	CHECK(hexeq("87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b305"
	    "45e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c"
	    "203a126854", mac, 64));
	CHECK(!ocrypto_hmac(OCRYPTO_MD__MAX, key, sizeof(key), "x", 1, mac));
}

/* RFC 4231 §4.3: HMAC test case 2 (a key shorter than the output). */
static void
test_hmac_rfc4231_2(void)
{
	static const char	 data[] = "what do ya want for nothing?";
	unsigned char		 mac[OCRYPTO_SHA512_LEN];

	CHECK(ocrypto_hmac(OCRYPTO_SHA256, "Jefe", 4, data,
	    sizeof(data) - 1, mac));
	CHECK(hexeq("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b9"
	    "64ec3843", mac, 32));
	CHECK(ocrypto_hmac(OCRYPTO_SHA512, "Jefe", 4, data,
	    sizeof(data) - 1, mac));
	CHECK(hexeq("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7"
	    "ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e07"
	    "0a38bce737", mac, 64));
	/* An empty key and empty data are valid HMAC inputs. */
	CHECK(ocrypto_hmac(OCRYPTO_SHA256, NULL, 0, NULL, 0, mac));
	CHECK(hexeq("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c71214"
	    "4292c5ad", mac, 32));
}

/* RFC 5869 appendix A.1 (test case 1) and A.3 (no salt, no info). */
static void
test_hkdf_rfc5869(void)
{
	unsigned char	 ikm[22], salt[13], okm[64];
	size_t		 i;

	memset(ikm, 0x0b, sizeof(ikm));
	for (i = 0; i < sizeof(salt); i++)
		salt[i] = (unsigned char)i;
	CHECK(ocrypto_hkdf(ikm, sizeof(ikm), salt, sizeof(salt),
	    "\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9", okm, 42));
	CHECK(hexeq("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56"
	    "ecc4c5bf34007208d5b887185865", okm, 42));

	CHECK(ocrypto_hkdf(ikm, sizeof(ikm), NULL, 0, NULL, okm, 42));
	CHECK(hexeq("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f"
	    "3c738d2d9d201395faa4b61a96c8", okm, 42));
	CHECK(ocrypto_hkdf(ikm, sizeof(ikm), salt, 0, "", okm, 42));
	CHECK(hexeq("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f"
	    "3c738d2d9d201395faa4b61a96c8", okm, 42));
}

/* HKDF refuses what RFC 5869 §2.3 and our header rule out. */
static void
test_hkdf_bad(void)
{
	unsigned char	 ikm[32], okm[255 * 32 + 1];

	memset(ikm, 1, sizeof(ikm));
	CHECK(ocrypto_hkdf(ikm, sizeof(ikm), NULL, 0, "x", okm,
	    255 * 32));
	memset(okm, 0xaa, sizeof(okm));
	CHECK(!ocrypto_hkdf(ikm, sizeof(ikm), NULL, 0, "x", okm,
	    sizeof(okm)));
	CHECK(okm[0] == 0 && okm[sizeof(okm) - 1] == 0);
	CHECK(!ocrypto_hkdf(ikm, sizeof(ikm), NULL, 0, "x", okm, 0));
	CHECK(!ocrypto_hkdf(ikm, 0, NULL, 0, "x", okm, 32));
	/* Different info, different keys. */
	{
		unsigned char	 a[32], b[32];

		CHECK(ocrypto_hkdf(ikm, sizeof(ikm), NULL, 0, "a", a, 32));
		CHECK(ocrypto_hkdf(ikm, sizeof(ikm), NULL, 0, "b", b, 32));
		CHECK(memcmp(a, b, 32) != 0);
	}
}

/*
 * The GCM specification's test cases 13 and 14 (AES-256, zero key and
 * nonce), fed to ocrypto_open as nonce || ct || tag: proves the layout
 * and the cipher.
 */
static void
test_open_kat(void)
{
	unsigned char	 key[32], in[64], out[32];
	size_t		 len, n;

	memset(key, 0, sizeof(key));
	memset(in, 0, 12);
	n = 12 + unhex("530f8afbc74536b9a963b4f1c4cb738b", in + 12, 52);
	CHECK(ocrypto_open(key, NULL, 0, in, n, out, sizeof(out), &len));
	CHECK(len == 0);
	n = 12 + unhex("cea7403d4d606b6e074ec5d3baf39d18"
	    "d0d1c8a799996bf0265b98b5d48ab919", in + 12, 52);
	memset(out, 0xaa, sizeof(out));
	CHECK(ocrypto_open(key, NULL, 0, in, n, out, sizeof(out), &len));
	CHECK(len == 16 && hexeq("00000000000000000000000000000000", out,
	    16));
}

/* Seal then open, for several lengths, with and without AAD. */
static void
test_seal_open_roundtrip(void)
{
	unsigned char	 key[32], pt[100], sealed[200], out[100];
	unsigned char	 sealed2[200];
	size_t		 n, len, olen;
	static const size_t lens[] = { 0, 1, 15, 16, 17, 31, 32, 33, 100 };
	size_t		 i;

	ocrypto_random(key, sizeof(key));
	for (i = 0; i < sizeof(pt); i++)
		pt[i] = (unsigned char)(i * 7);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		n = lens[i];
		CHECK(ocrypto_seal(key, NULL, 0, pt, n, sealed, sizeof(sealed),
		    &len));
		CHECK(len == n + OCRYPTO_AEAD_OVERHEAD);
		/*
		 * The ciphertext differs from the plaintext (a short one may
		 * match by chance, 1 in 256 per byte: check from 16 bytes on).
		 */
		if (n >= 16)
			CHECK(memcmp(sealed + 12, pt, n) != 0);
		memset(out, 0, sizeof(out));
		CHECK(ocrypto_open(key, NULL, 0, sealed, len, out, n, &olen));
		CHECK(olen == n && memcmp(out, pt, n) == 0);

		CHECK(ocrypto_seal(key, "login_challenge", 15, pt, n, sealed,
		    n + OCRYPTO_AEAD_OVERHEAD, &len));
		CHECK(ocrypto_open(key, "login_challenge", 15, sealed, len,
		    out, n, &olen));
		CHECK(olen == n && memcmp(out, pt, n) == 0);
	}
	/* A fresh nonce every time: the same input seals differently. */
	CHECK(ocrypto_seal(key, NULL, 0, pt, 16, sealed, sizeof(sealed),
	    &len));
	CHECK(ocrypto_seal(key, NULL, 0, pt, 16, sealed2, sizeof(sealed2),
	    &len));
	CHECK(memcmp(sealed, sealed2, 12) != 0);
	CHECK(memcmp(sealed + 12, sealed2 + 12, 16 + 16) != 0);
	/* outlen is optional. */
	CHECK(ocrypto_seal(key, NULL, 0, pt, 1, sealed, sizeof(sealed),
	    NULL));
	CHECK(ocrypto_open(key, NULL, 0, sealed, 29, out, 1, NULL));
}

/*
 * Flipping any one bit in any region (nonce, ciphertext, tag) makes
 * open fail, and out holds no plaintext afterwards.
 */
static void
test_open_tamper(void)
{
	static const char	 msg[] = "attack at dawn, bring snacks";
	unsigned char		 key[32], sealed[128], out[64];
	size_t			 len, olen, i, n = sizeof(msg) - 1;
	int			 bit, opened, leaked;

	ocrypto_random(key, sizeof(key));
	CHECK(ocrypto_seal(key, "aad", 3, msg, n, sealed, sizeof(sealed),
	    &len));
	opened = leaked = 0;
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit += 7) {
			sealed[i] ^= (unsigned char)(1 << bit);
			memset(out, 0xaa, sizeof(out));
			olen = 99;
			if (ocrypto_open(key, "aad", 3, sealed, len, out,
			    sizeof(out), &olen) || olen != 0)
				opened++;
			if (contains(out, sizeof(out), "attack") ||
			    contains(out, sizeof(out), "snacks"))
				leaked++;
			sealed[i] ^= (unsigned char)(1 << bit);
		}
	}
	CHECK(opened == 0);
	CHECK(leaked == 0);
	/* Region by region, to name the failure if one ever opens. */
	sealed[0] ^= 1;
	CHECK(!ocrypto_open(key, "aad", 3, sealed, len, out, 64, &olen));
	sealed[0] ^= 1;
	sealed[12] ^= 1;
	CHECK(!ocrypto_open(key, "aad", 3, sealed, len, out, 64, &olen));
	sealed[12] ^= 1;
	sealed[len - 1] ^= 0x80;
	CHECK(!ocrypto_open(key, "aad", 3, sealed, len, out, 64, &olen));
	sealed[len - 1] ^= 0x80;
	/* Truncation and extension also fail. */
	CHECK(!ocrypto_open(key, "aad", 3, sealed, len - 1, out, 64, &olen));
	sealed[len] = 0;
	CHECK(!ocrypto_open(key, "aad", 3, sealed, len + 1, out, 64, &olen));
	/* And the untouched value still opens. */
	CHECK(ocrypto_open(key, "aad", 3, sealed, len, out, 64, &olen));
	CHECK(olen == n && memcmp(out, msg, n) == 0);
}

/* The AAD binds purpose: any other AAD, or none, fails. */
static void
test_open_wrong_aad(void)
{
	unsigned char	 key[32], sealed[64], out[32];
	size_t		 len, olen;

	ocrypto_random(key, sizeof(key));
	CHECK(ocrypto_seal(key, "login_challenge", 15, "hello", 5, sealed,
	    sizeof(sealed), &len));
	memset(out, 0xaa, sizeof(out));
	CHECK(!ocrypto_open(key, "consent_challenge", 17, sealed, len, out,
	    sizeof(out), &olen));
	CHECK(!contains(out, sizeof(out), "hello"));
	CHECK(!ocrypto_open(key, "login_challengf", 15, sealed, len, out,
	    sizeof(out), &olen));
	CHECK(!ocrypto_open(key, "login_challeng", 14, sealed, len, out,
	    sizeof(out), &olen));
	CHECK(!ocrypto_open(key, NULL, 0, sealed, len, out, sizeof(out),
	    &olen));
	CHECK(!contains(out, sizeof(out), "hello"));
	CHECK(ocrypto_open(key, "login_challenge", 15, sealed, len, out,
	    sizeof(out), &olen));

	CHECK(ocrypto_seal(key, NULL, 0, "hello", 5, sealed, sizeof(sealed),
	    &len));
	CHECK(!ocrypto_open(key, "x", 1, sealed, len, out, sizeof(out),
	    &olen));
	CHECK(ocrypto_open(key, NULL, 0, sealed, len, out, sizeof(out),
	    &olen));
}

/* A value sealed under one key does not open under another. */
static void
test_open_wrong_key(void)
{
	unsigned char	 k1[32], k2[32], sealed[64], out[32];
	size_t		 len, olen;

	ocrypto_random(k1, sizeof(k1));
	memcpy(k2, k1, sizeof(k2));
	k2[31] ^= 1;
	CHECK(ocrypto_seal(k1, NULL, 0, "hello", 5, sealed, sizeof(sealed),
	    &len));
	memset(out, 0xaa, sizeof(out));
	CHECK(!ocrypto_open(k2, NULL, 0, sealed, len, out, sizeof(out),
	    &olen));
	CHECK(olen == 0);
	CHECK(!contains(out, sizeof(out), "hello"));
	CHECK(ocrypto_open(k1, NULL, 0, sealed, len, out, sizeof(out),
	    &olen));
	CHECK(olen == 5 && memcmp(out, "hello", 5) == 0);
}

/* Inputs shorter than nonce + tag fail without reading past them. */
static void
test_open_short(void)
{
	unsigned char	 key[32], sealed[64], out[32], *copy;
	size_t		 len, olen, n;

	ocrypto_random(key, sizeof(key));
	CHECK(ocrypto_seal(key, NULL, 0, NULL, 0, sealed, sizeof(sealed),
	    &len));
	CHECK(len == OCRYPTO_AEAD_OVERHEAD);
	for (n = 0; n < OCRYPTO_AEAD_OVERHEAD; n++) {
		/* An exact-size heap copy, so ASan sees any over-read. */
		copy = malloc(n == 0 ? 1 : n);
		CHECK(copy != NULL);
		if (copy == NULL)
			return;
		memcpy(copy, sealed, n);
		olen = 99;
		CHECK(!ocrypto_open(key, NULL, 0, copy, n, out, sizeof(out),
		    &olen));
		CHECK(olen == 0);
		free(copy);
	}
	CHECK(!ocrypto_open(key, NULL, 0, NULL, 0, out, sizeof(out), &olen));
	CHECK(ocrypto_open(key, NULL, 0, sealed, len, NULL, 0, &olen));
	CHECK(olen == 0);
}

/* seal and open check their output buffer sizes. */
static void
test_aead_bufsize(void)
{
	unsigned char	 key[32], sealed[64], out[32];
	size_t		 len, olen;

	ocrypto_random(key, sizeof(key));
	CHECK(!ocrypto_seal(key, NULL, 0, "hello", 5, sealed,
	    5 + OCRYPTO_AEAD_OVERHEAD - 1, &len));
	CHECK(len == 0);
	CHECK(ocrypto_seal(key, NULL, 0, "hello", 5, sealed,
	    5 + OCRYPTO_AEAD_OVERHEAD, &len));
	CHECK(!ocrypto_open(key, NULL, 0, sealed, len, out, 4, &olen));
	CHECK(ocrypto_open(key, NULL, 0, sealed, len, out, 5, &olen));
	CHECK(olen == 5 && memcmp(out, "hello", 5) == 0);
}

/* ocrypto_eq: equal, different, different lengths, empty. */
static void
test_eq(void)
{
	CHECK(ocrypto_eq("secret", 6, "secret", 6));
	CHECK(!ocrypto_eq("secret", 6, "secreT", 6));
	CHECK(!ocrypto_eq("secret", 6, "Secret", 6));
	CHECK(!ocrypto_eq("secret", 6, "secret!", 7));
	CHECK(!ocrypto_eq("secret", 6, "secre", 5));
	CHECK(!ocrypto_eq("secret", 6, "secret\0", 7));
	CHECK(ocrypto_eq("", 0, "", 0));
	CHECK(ocrypto_eq(NULL, 0, "x", 0));
	CHECK(!ocrypto_eq("", 0, "a", 1));
	CHECK(!ocrypto_eq("a", 1, NULL, 0));
	/* Longer than an HMAC block, differing only in the last byte. */
	{
		unsigned char	 a[200], b[200];

		memset(a, 'x', sizeof(a));
		memcpy(b, a, sizeof(b));
		CHECK(ocrypto_eq(a, sizeof(a), b, sizeof(b)));
		b[199] = 'y';
		CHECK(!ocrypto_eq(a, sizeof(a), b, sizeof(b)));
		CHECK(!ocrypto_eq(a, sizeof(a), a, sizeof(a) - 1));
	}
	/*
	 * Many distinct inputs against one: a comparison of only part of
	 * the MACs would let about n / 2^(8 * bytes compared) through.
	 */
	{
		unsigned char	 a[2], b[2];
		unsigned int	 i, same = 0;

		a[0] = a[1] = 0;
		for (i = 1; i < 4096; i++) {
			b[0] = (unsigned char)(i >> 8);
			b[1] = (unsigned char)i;
			same += ocrypto_eq(a, 2, b, 2);
		}
		CHECK(same == 0);
	}
}

/* ocrypto_streq: as ocrypto_eq, and NULL equals nothing. */
static void
test_streq(void)
{
	CHECK(ocrypto_streq("abc", "abc"));
	CHECK(ocrypto_streq("", ""));
	CHECK(!ocrypto_streq("abc", "abd"));
	CHECK(!ocrypto_streq("abc", "ab"));
	CHECK(!ocrypto_streq("", "a"));
	CHECK(!ocrypto_streq(NULL, "abc"));
	CHECK(!ocrypto_streq("abc", NULL));
	CHECK(!ocrypto_streq(NULL, ""));
	CHECK(!ocrypto_streq("", NULL));
	CHECK(!ocrypto_streq(NULL, NULL));
}

/* ocrypto_random fills the buffer and differs from call to call. */
static void
test_random(void)
{
	unsigned char	 a[32], b[32], z[32];

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	memset(z, 0, sizeof(z));
	ocrypto_random(a, sizeof(a));
	ocrypto_random(b, sizeof(b));
	CHECK(memcmp(a, z, sizeof(a)) != 0);
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	ocrypto_random(NULL, 0);
}

/* Tokens: base64url of nbytes random bytes, each one new. */
static void
test_token(void)
{
	char		 t1[64], t2[64];
	unsigned char	 raw[64];
	size_t		 len;

	CHECK(ocrypto_token(t1, sizeof(t1), 32));
	CHECK(strlen(t1) == 43 && ocrypto_b64url_len(32) == 43);
	CHECK(strspn(t1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxy"
	    "z0123456789-_") == 43);
	CHECK(ocrypto_b64url_decode(raw, sizeof(raw), &len, t1,
	    strlen(t1)));
	CHECK(len == 32);
	CHECK(ocrypto_token(t2, 44, 32));
	CHECK(strcmp(t1, t2) != 0);
	memset(t2, 'x', sizeof(t2));
	CHECK(!ocrypto_token(t2, 43, 32));
	CHECK(t2[0] == '\0');
	CHECK(!ocrypto_token(t2, sizeof(t2), 0));
	CHECK(ocrypto_token(t2, 3, 1) && strlen(t2) == 2);
}

/* ocrypto_wipe zeroes; NULL and 0 are no-ops. */
static void
test_wipe(void)
{
	unsigned char	 buf[16], z[16];

	memset(buf, 0xaa, sizeof(buf));
	memset(z, 0, sizeof(z));
	ocrypto_wipe(buf, sizeof(buf));
	CHECK(memcmp(buf, z, sizeof(buf)) == 0);
	ocrypto_wipe(NULL, 0);
	ocrypto_wipe(buf, 0);
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(test_b64_rfc4648),
		T(test_b64url_rfc4648),
		T(test_b64_alphabets),
		T(test_b64url_roundtrip),
		T(test_b64_roundtrip),
		T(test_encode_bufsize),
		T(test_decode_bufsize),
		T(test_b64url_reject_padding),
		T(test_b64url_reject_whitespace),
		T(test_b64url_reject_std_alphabet),
		T(test_b64url_reject_other),
		T(test_b64url_reject_len_mod4),
		T(test_b64url_reject_trailing_bits),
		T(test_decode_fail_wipes),
		T(test_b64_reject_padding),
		T(test_b64_reject_url_alphabet),
		T(test_b64_reject_whitespace),
		T(test_b64_reject_trailing_bits),
		T(test_sha_abc),
		T(test_hmac_rfc4231_1),
		T(test_hmac_rfc4231_2),
		T(test_hkdf_rfc5869),
		T(test_hkdf_bad),
		T(test_open_kat),
		T(test_seal_open_roundtrip),
		T(test_open_tamper),
		T(test_open_wrong_aad),
		T(test_open_wrong_key),
		T(test_open_short),
		T(test_aead_bufsize),
		T(test_eq),
		T(test_streq),
		T(test_random),
		T(test_token),
		T(test_wipe),
	};

	return t_run(tests, NTESTS);
}
