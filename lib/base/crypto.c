/*
 * crypto.c: randomness, base64/base64url, SHA-2, HMAC, HKDF, AES-256-GCM
 * and constant-time comparison on OpenSSL 3 EVP (see crypto.h).
 *
 * Bad input (malformed encodings, short buffers, forged ciphertexts) is
 * the caller's to report and is not logged here, except at debug level:
 * a client can cause it at will.  OpenSSL failures are logged at error
 * level, naming the call.  NEVER LOG THE BYTES THESE FUNCTIONS HANDLE.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "base/crypto.h"
#include "base/util.h"

/* Key for ocrypto_eq(), made once per process by eq_key_init(). */
static unsigned char	 eq_key[OCRYPTO_SHA256_LEN];
static CRYPTO_ONCE	 eq_once = CRYPTO_ONCE_STATIC_INIT;
static int		 eq_keyed;

/* A non-NULL pointer for zero-length inputs, which OpenSSL may refuse. */
static const unsigned char	 empty[1];

/*
 * Algorithms fetched once per process and kept.  OpenSSL 3 looks an
 * algorithm up in its provider tables on every implicit fetch
 * (EVP_sha256() in EVP_Digest(), EVP_MAC_fetch(), EVP_KDF_fetch()),
 * which cost more than hashing a token; an explicitly fetched object
 * is reusable and stays valid until freed (never, here: the process
 * ends first).
 */
static EVP_MD		*md_fetched[OCRYPTO_MD__MAX];
static EVP_MAC		*hmac_fetched;
static EVP_KDF		*hkdf_fetched;

/*
 * Derived keys, remembered per process: every caller of ocrypto_hkdf()
 * derives a fixed-purpose key from a system secret, again for every
 * token, cookie or challenge, and HKDF through EVP_KDF costs tens of
 * microseconds.  A hit needs the same ikm, salt, info and length.  The
 * entries hold copies of secrets.system for the life of the process,
 * as struct oconf does anyway.
 */
#define HKDF_CACHE	16
#define HKDF_IKM_MAX	256
#define HKDF_OUT_MAX	64
static struct hkdf_memo {
	unsigned char	 ikm[HKDF_IKM_MAX], salt[HKDF_IKM_MAX];
	char		 info[128];
	size_t		 ikmlen, saltlen, outlen;
	unsigned char	 out[HKDF_OUT_MAX];
	int		 used;
} hkdf_memo[HKDF_CACHE];
static size_t		 hkdf_next;	/* round-robin replacement */

/*
 * Log that the OpenSSL function "call" failed, with the reason from the
 * top of OpenSSL's error queue, then empty the queue so the next failure
 * is not blamed on this one.
 */
static void
ossl_err(const char *call)
{
	unsigned long	 e;
	char		 buf[256];

	if ((e = ERR_get_error()) == 0) {
		olog_err("%s: failed", call);
		return;
	}
	ERR_error_string_n(e, buf, sizeof(buf));
	olog_err("%s: %s", call, buf);
	ERR_clear_error();
}

/*
 * The EVP digest for md, or NULL if md is out of range.  The pointer is
 * a static OpenSSL object and needs no freeing.
 */
static const EVP_MD *
md_evp(enum ocrypto_md md)
{
	switch (md) {
	case OCRYPTO_SHA256:
		return EVP_sha256();
	case OCRYPTO_SHA384:
		return EVP_sha384();
	case OCRYPTO_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

/*
 * The OpenSSL name of md, for EVP_MAC and EVP_KDF parameters, or NULL
 * if md is out of range.
 */
static const char *
md_name(enum ocrypto_md md)
{
	switch (md) {
	case OCRYPTO_SHA256:
		return "SHA256";
	case OCRYPTO_SHA384:
		return "SHA384";
	case OCRYPTO_SHA512:
		return "SHA512";
	default:
		return NULL;
	}
}

/*
 * The fetched digest for md (see md_fetched), or NULL if md is out of
 * range.  Falls back to the implicit one if the fetch fails.
 */
static const EVP_MD *
md_fetch(enum ocrypto_md md)
{
	const char	*name;

	if ((name = md_name(md)) == NULL)
		return NULL;
	if (md_fetched[md] == NULL &&
	    (md_fetched[md] = EVP_MD_fetch(NULL, name, NULL)) == NULL) {
		ERR_clear_error();
		return md_evp(md);
	}
	return md_fetched[md];
}

/*
 * Fill buf with n bytes from OpenSSL's CSPRNG.  RAND_bytes takes an int,
 * so large requests go in pieces.  A CSPRNG failure aborts the process:
 * there is no safe way to go on without randomness, and a caller that
 * ignored a return code would hand out predictable credentials.
 */
void
ocrypto_random(void *buf, size_t n)
{
	unsigned char	*p = buf;
	size_t		 chunk;

	while (n > 0) {
		chunk = n > INT_MAX ? INT_MAX : n;
		if (RAND_bytes(p, (int)chunk) != 1) {
			ossl_err("RAND_bytes");
			abort();
		}
		p += chunk;
		n -= chunk;
	}
}

/*
 * A fresh credential: nbytes (> 0) from the CSPRNG, base64url-encoded
 * without padding into out, NUL-terminated.  The raw bytes are wiped.
 * Returns 0 if nbytes is 0 or out is too small; out is then "" if it has
 * room for the NUL.
 */
int
ocrypto_token(char *out, size_t outsz, size_t nbytes)
{
	unsigned char	*raw = NULL;
	size_t		 len;
	int		 rc = 0;

	if (outsz > 0)
		out[0] = '\0';

	len = ocrypto_b64url_len(nbytes);
	if (nbytes == 0 || len == SIZE_MAX || outsz <= len)
		goto out;

	raw = oxmalloc(nbytes);
	ocrypto_random(raw, nbytes);
	if (!ocrypto_b64url_encode(out, outsz, NULL, raw, nbytes))
		goto out;
	rc = 1;
out:
	if (raw != NULL) {
		OPENSSL_cleanse(raw, nbytes);
		free(raw);
	}
	return rc;
}

/*
 * All ones if lo <= c <= hi, else zero, for arguments below 2^16;
 * without branches or table look-ups, so that encoding and decoding
 * secrets does not leak them through timing or the cache.
 * (lo - 1 - c) and (c - hi - 1) both wrap around, setting the top bit,
 * exactly when c is in range.
 */
static unsigned int
ct_range(unsigned int c, unsigned int lo, unsigned int hi)
{
	unsigned int	 top;

	top = ((lo - 1 - c) & (c - hi - 1)) >> (sizeof(unsigned int) * 8 - 1);
	return 0U - top;
}

/*
 * The character for the 6-bit value v in the base64 alphabet of
 * RFC 4648 §4 (c62 '+', c63 '/') or §5 (c62 '-', c63 '_'), in constant
 * time.
 */
static char
b64_char(unsigned int v, unsigned int c62, unsigned int c63)
{
	unsigned int	 c;

	c = (ct_range(v, 0, 25) & (v + 'A')) |
	    (ct_range(v, 26, 51) & (v - 26 + 'a')) |
	    (ct_range(v, 52, 61) & (v - 52 + '0')) |
	    (ct_range(v, 62, 62) & c62) |
	    (ct_range(v, 63, 63) & c63);
	return (char)c;
}

/*
 * The 6-bit value of the base64 character c, in constant time, or a
 * value with bit 8 set if c is not in the alphabet given by c62 and c63.
 * '=' is never in the alphabet: padding is stripped before this.
 */
static unsigned int
b64_val(unsigned char ch, unsigned int c62, unsigned int c63)
{
	unsigned int	 c = ch, v, ok;

	ok = ct_range(c, 'A', 'Z') | ct_range(c, 'a', 'z') |
	    ct_range(c, '0', '9') | ct_range(c, c62, c62) |
	    ct_range(c, c63, c63);
	v = (ct_range(c, 'A', 'Z') & (c - 'A')) |
	    (ct_range(c, 'a', 'z') & (c - 'a' + 26)) |
	    (ct_range(c, '0', '9') & (c - '0' + 52)) |
	    (ct_range(c, c62, c62) & 62) |
	    (ct_range(c, c63, c63) & 63);
	return v | (~ok & 0x100);
}

/*
 * Length of the unpadded base64 encoding of n bytes (RFC 4648 §3.2:
 * 4 characters per 3 bytes, 2 or 3 for a final 1 or 2).  Returns
 * SIZE_MAX if that does not fit in a size_t; no buffer is that large,
 * so callers comparing it with a buffer size fail safely.
 */
size_t
ocrypto_b64url_len(size_t n)
{
	size_t	 q = n / 3, r = n % 3;

	if (q > (SIZE_MAX - 3) / 4)
		return SIZE_MAX;
	return q * 4 + (r == 0 ? 0 : r + 1);
}

/*
 * Length of the padded base64 encoding of n bytes (RFC 4648 §4), or
 * SIZE_MAX as for ocrypto_b64url_len().
 */
static size_t
b64_len(size_t n)
{
	size_t	 q = n / 3, r = n % 3;

	if (q > (SIZE_MAX - 4) / 4)
		return SIZE_MAX;
	return q * 4 + (r == 0 ? 0 : 4);
}

/*
 * Encode inlen bytes of in with the alphabet given by c62 and c63,
 * padding with '=' if pad is set, into out (outsz bytes including the
 * NUL).  Sets *outlen (if not NULL) to the length without the NUL.
 * Returns 0 if out is too small; out is then "" if outsz > 0.
 */
static int
b64_encode(char *out, size_t outsz, size_t *outlen, const void *in,
    size_t inlen, unsigned int c62, unsigned int c63, int pad)
{
	const unsigned char	*p = in;
	size_t			 len, i, o = 0;
	unsigned int		 v;
	int			 rc = 0;

	if (outlen != NULL)
		*outlen = 0;
	len = pad ? b64_len(inlen) : ocrypto_b64url_len(inlen);
	if (len == SIZE_MAX || outsz <= len) {
		if (outsz > 0)
			out[0] = '\0';
		goto out;
	}

	for (i = 0; i + 3 <= inlen; i += 3) {
		v = (unsigned int)p[i] << 16 |
		    (unsigned int)p[i + 1] << 8 | p[i + 2];
		out[o++] = b64_char(v >> 18, c62, c63);
		out[o++] = b64_char((v >> 12) & 0x3f, c62, c63);
		out[o++] = b64_char((v >> 6) & 0x3f, c62, c63);
		out[o++] = b64_char(v & 0x3f, c62, c63);
	}
	if (inlen - i == 1) {
		v = (unsigned int)p[i] << 16;
		out[o++] = b64_char(v >> 18, c62, c63);
		out[o++] = b64_char((v >> 12) & 0x3f, c62, c63);
		if (pad) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (inlen - i == 2) {
		v = (unsigned int)p[i] << 16 | (unsigned int)p[i + 1] << 8;
		out[o++] = b64_char(v >> 18, c62, c63);
		out[o++] = b64_char((v >> 12) & 0x3f, c62, c63);
		out[o++] = b64_char((v >> 6) & 0x3f, c62, c63);
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	rc = 1;
out:
	return rc;
}

/*
 * Decode inlen characters of unpadded base64 in the alphabet given by
 * c62 and c63 into out.  Strict (RFC 4648 §3.3, §3.5): any character
 * outside the alphabet, a length of 1 mod 4, or non-zero bits left over
 * in the last character fail.  Characters are mapped in constant time
 * and a bad one is only acted on at the end, so timing depends on the
 * length alone.  On failure out holds none of the decoded bytes.
 */
static int
b64_decode(void *out, size_t outsz, size_t *outlen, const char *in,
    size_t inlen, unsigned int c62, unsigned int c63)
{
	unsigned char	*o = out;
	size_t		 need, i, n = 0;
	unsigned int	 v, a, b, c, d, bad = 0;
	int		 rc = 0;

	if (outlen != NULL)
		*outlen = 0;
	if (inlen % 4 == 1)
		goto out;
	need = inlen / 4 * 3 + (inlen % 4 == 0 ? 0 : inlen % 4 - 1);
	if (outsz < need)
		goto out;

	for (i = 0; i + 4 <= inlen; i += 4) {
		a = b64_val(in[i], c62, c63);
		b = b64_val(in[i + 1], c62, c63);
		c = b64_val(in[i + 2], c62, c63);
		d = b64_val(in[i + 3], c62, c63);
		bad |= a | b | c | d;
		v = (a & 0x3f) << 18 | (b & 0x3f) << 12 |
		    (c & 0x3f) << 6 | (d & 0x3f);
		o[n++] = (unsigned char)(v >> 16);
		o[n++] = (unsigned char)(v >> 8);
		o[n++] = (unsigned char)v;
	}
	if (inlen - i == 2) {
		/* 12 bits for 8: the low 4 bits of b MUST be zero. */
		a = b64_val(in[i], c62, c63);
		b = b64_val(in[i + 1], c62, c63);
		bad |= a | b | ((b & 0x0f) << 8);
		o[n++] = (unsigned char)((a & 0x3f) << 2 | (b & 0x3f) >> 4);
	} else if (inlen - i == 3) {
		/* 18 bits for 16: the low 2 bits of c MUST be zero. */
		a = b64_val(in[i], c62, c63);
		b = b64_val(in[i + 1], c62, c63);
		c = b64_val(in[i + 2], c62, c63);
		bad |= a | b | c | ((c & 0x03) << 8);
		v = (a & 0x3f) << 12 | (b & 0x3f) << 6 | (c & 0x3f);
		o[n++] = (unsigned char)(v >> 10);
		o[n++] = (unsigned char)(v >> 2);
	}
	if (bad & ~0xffU) {
		OPENSSL_cleanse(o, n);
		goto out;
	}
	if (outlen != NULL)
		*outlen = n;
	rc = 1;
out:
	return rc;
}

/*
 * base64url without padding (RFC 4648 §5, RFC 7515 §2) of inlen bytes
 * of in, NUL-terminated in out.  outsz must be at least
 * ocrypto_b64url_len(inlen) + 1.  outlen may be NULL.
 */
int
ocrypto_b64url_encode(char *out, size_t outsz, size_t *outlen,
    const void *in, size_t inlen)
{
	return b64_encode(out, outsz, outlen, in, inlen, '-', '_', 0);
}

/*
 * Decode unpadded base64url (RFC 4648 §5, RFC 7515 §2 and appendix C).
 * Only the canonical encoding is accepted: no '=', whitespace, '+' or
 * '/', no length of 1 mod 4, no non-zero unused bits (RFC 4648 §3.5),
 * so a JWS or token has exactly one spelling.  out needs
 * inlen * 3 / 4 bytes.  Nothing decoded is left in out on failure.
 */
int
ocrypto_b64url_decode(void *out, size_t outsz, size_t *outlen,
    const char *in, size_t inlen)
{
	return b64_decode(out, outsz, outlen, in, inlen, '-', '_');
}

/*
 * Decode padded standard base64 (RFC 4648 §4), as in HTTP Basic
 * (RFC 7617 §2).  The length must be a multiple of 4, with exactly the
 * padding the data calls for ("xx==" or "xxx=") and '=' nowhere else;
 * '-', '_', whitespace and non-zero unused bits are refused.  Nothing
 * decoded is left in out on failure.
 */
int
ocrypto_b64_decode(void *out, size_t outsz, size_t *outlen,
    const char *in, size_t inlen)
{
	size_t	 pad = 0;

	if (outlen != NULL)
		*outlen = 0;
	if (inlen % 4 != 0)
		return 0;
	if (inlen > 0 && in[inlen - 1] == '=') {
		pad++;
		if (in[inlen - 2] == '=')
			pad++;
	}
	/* Any other '=' is outside the alphabet and fails below. */
	return b64_decode(out, outsz, outlen, in, inlen - pad, '+', '/');
}

/*
 * Standard base64 with padding (RFC 4648 §4) of inlen bytes of in,
 * NUL-terminated in out, which needs 4 * ceil(inlen / 3) + 1 bytes.
 * outlen may be NULL.
 */
int
ocrypto_b64_encode(char *out, size_t outsz, size_t *outlen,
    const void *in, size_t inlen)
{
	return b64_encode(out, outsz, outlen, in, inlen, '+', '/', 1);
}

/*
 * Digest size of md in bytes, or 0 if md is out of range.
 */
size_t
ocrypto_md_len(enum ocrypto_md md)
{
	switch (md) {
	case OCRYPTO_SHA256:
		return OCRYPTO_SHA256_LEN;
	case OCRYPTO_SHA384:
		return 48;
	case OCRYPTO_SHA512:
		return OCRYPTO_SHA512_LEN;
	default:
		return 0;
	}
}

/*
 * Hash inlen bytes of in with md (FIPS 180-4) into out, which must hold
 * ocrypto_md_len(md) bytes.  Returns 0 if md is out of range or
 * EVP_Digest fails.
 */
int
ocrypto_digest(enum ocrypto_md md, const void *in, size_t inlen,
    unsigned char *out)
{
	const EVP_MD	*evp;
	int		 rc = 0;

	if ((evp = md_fetch(md)) == NULL)
		olog_err("ocrypto_digest: unknown digest %d", (int)md);
	else if (!EVP_Digest(inlen == 0 ? empty : in, inlen, out, NULL,
	    evp, NULL))
		ossl_err("EVP_Digest");
	else
		rc = 1;
	return rc;
}

/*
 * SHA-256 of inlen bytes of in.  This cannot fail short of memory
 * exhaustion inside OpenSSL, which aborts as any allocation failure does.
 */
void
ocrypto_sha256(const void *in, size_t inlen,
    unsigned char out[OCRYPTO_SHA256_LEN])
{
	if (!ocrypto_digest(OCRYPTO_SHA256, in, inlen, out))
		abort();
}

/*
 * SHA-512 of inlen bytes of in; aborts on failure like ocrypto_sha256().
 */
void
ocrypto_sha512(const void *in, size_t inlen,
    unsigned char out[OCRYPTO_SHA512_LEN])
{
	if (!ocrypto_digest(OCRYPTO_SHA512, in, inlen, out))
		abort();
}

/*
 * Keyed HMAC contexts, kept per process: the keys HMACs run under are
 * few and fixed (derived from secrets.system, or made at random per
 * process), and keying a context costs more than the HMAC of a token.
 * A hit re-initialises the kept context, which keeps its key.  Keys are
 * compared in constant time.
 */
#define HMAC_CACHE	8
#define HMAC_KEY_MAX	64
static struct hmac_memo {
	enum ocrypto_md	 md;
	size_t		 keylen;
	unsigned char	 key[HMAC_KEY_MAX];
	EVP_MAC_CTX	*ctx;
} hmac_memo[HMAC_CACHE];
static size_t		 hmac_next;

/*
 * A context keyed with key for md, ready for EVP_MAC_update(): from
 * the memo, or new (and kept when the key is short enough).  *owned is
 * set when the caller must free it.  NULL on failure (logged).
 */
static EVP_MAC_CTX *
hmac_ctx(enum ocrypto_md md, const void *key, size_t keylen, int *owned)
{
	struct hmac_memo	*m;
	EVP_MAC_CTX		*ctx;
	OSSL_PARAM		 params[2];
	size_t			 i;

	*owned = 0;
	for (i = 0; keylen <= HMAC_KEY_MAX && i < HMAC_CACHE; i++) {
		m = &hmac_memo[i];
		if (m->ctx != NULL && m->md == md && m->keylen == keylen &&
		    (keylen == 0 ||
		    CRYPTO_memcmp(m->key, key, keylen) == 0)) {
			if (EVP_MAC_init(m->ctx, NULL, 0, NULL))
				return m->ctx;
			ossl_err("EVP_MAC_init");
			return NULL;
		}
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)md_name(md), 0);
	params[1] = OSSL_PARAM_construct_end();
	if (hmac_fetched == NULL)
		hmac_fetched = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (hmac_fetched == NULL) {
		ossl_err("EVP_MAC_fetch");
		return NULL;
	}
	if ((ctx = EVP_MAC_CTX_new(hmac_fetched)) == NULL) {
		ossl_err("EVP_MAC_CTX_new");
		return NULL;
	}
	if (!EVP_MAC_init(ctx, keylen == 0 ? empty : key, keylen, params)) {
		ossl_err("EVP_MAC_init");
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	if (keylen > HMAC_KEY_MAX) {
		*owned = 1;
		return ctx;
	}
	m = &hmac_memo[hmac_next];
	hmac_next = (hmac_next + 1) % HMAC_CACHE;
	EVP_MAC_CTX_free(m->ctx);
	OPENSSL_cleanse(m->key, sizeof(m->key));
	m->md = md;
	m->keylen = keylen;
	if (keylen > 0)
		memcpy(m->key, key, keylen);
	m->ctx = ctx;
	return ctx;
}

/*
 * HMAC (RFC 2104) with md over inlen bytes of in, keyed with keylen
 * bytes of key (an empty key is allowed), into out, which must hold
 * ocrypto_md_len(md) bytes.  Returns 0 if md is out of range or an
 * EVP_MAC call fails; out is then wiped.
 */
int
ocrypto_hmac(enum ocrypto_md md, const void *key, size_t keylen,
    const void *in, size_t inlen, unsigned char *out)
{
	EVP_MAC_CTX	*ctx = NULL;
	size_t		 len = 0, mdlen;
	int		 rc = 0, owned = 0;

	mdlen = ocrypto_md_len(md);
	if (md_name(md) == NULL) {
		olog_err("ocrypto_hmac: unknown digest %d", (int)md);
		goto out;
	}
	if ((ctx = hmac_ctx(md, key, keylen, &owned)) == NULL)
		goto out;
	if (!EVP_MAC_update(ctx, inlen == 0 ? empty : in, inlen))
		ossl_err("EVP_MAC_update");
	else if (!EVP_MAC_final(ctx, out, &len, mdlen))
		ossl_err("EVP_MAC_final");
	else if (len != mdlen)
		olog_err("EVP_MAC_final: %zu bytes, not %zu", len, mdlen);
	else
		rc = 1;
out:
	if (!rc && mdlen > 0)
		OPENSSL_cleanse(out, mdlen);
	if (owned)
		EVP_MAC_CTX_free(ctx);
	return rc;
}

/*
 * Make the ocrypto_eq() key.  Run once per process through
 * CRYPTO_THREAD_run_once.  A forked child shares its parent's key,
 * which is harmless: the key only hides timing, it protects no data.
 */
static void
eq_key_init(void)
{
	ocrypto_random(eq_key, sizeof(eq_key));
}

/*
 * Compare a and b in time that depends on neither their contents nor
 * where they differ: each side is reduced to an HMAC-SHA-256 under a
 * random per-process key and the two MACs are compared with
 * CRYPTO_memcmp.  An attacker cannot choose inputs whose MACs share a
 * prefix without knowing the key, and lengths never meet a memcmp.
 * NOTE: HMAC TIME GROWS WITH LENGTH IN 64-BYTE BLOCKS, so a length
 * difference of a block or more may still show.
 * Returns 1 if equal; 0 if not, or if an HMAC fails (fail closed).
 */
int
ocrypto_eq(const void *a, size_t alen, const void *b, size_t blen)
{
	unsigned char	 ma[OCRYPTO_SHA256_LEN], mb[OCRYPTO_SHA256_LEN];
	int		 rc = 0;

	/* Processes are single-threaded; the flag saves the once-lock. */
	if (!eq_keyed) {
		if (!CRYPTO_THREAD_run_once(&eq_once, eq_key_init)) {
			ossl_err("CRYPTO_THREAD_run_once");
			abort();
		}
		eq_keyed = 1;
	}

	if (!ocrypto_hmac(OCRYPTO_SHA256, eq_key, sizeof(eq_key),
	    a, alen, ma))
		goto out;
	if (!ocrypto_hmac(OCRYPTO_SHA256, eq_key, sizeof(eq_key),
	    b, blen, mb))
		goto out;
	rc = CRYPTO_memcmp(ma, mb, sizeof(ma)) == 0;
out:
	OPENSSL_cleanse(ma, sizeof(ma));
	OPENSSL_cleanse(mb, sizeof(mb));
	return rc;
}

/*
 * Compare two byte strings of the same, public length (MACs, digests,
 * tokens of a fixed shape) in constant time: no reduction is needed
 * when the lengths cannot differ.  Returns 1 if equal.
 */
int
ocrypto_eq_fixed(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

/*
 * ocrypto_eq() for NUL-terminated strings.  NULL equals nothing, not
 * even another NULL, so a missing secret never matches a missing input.
 */
int
ocrypto_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return 0;
	return ocrypto_eq(a, strlen(a), b, strlen(b));
}

/*
 * The memo of a derivation, or NULL.  Lengths are compared first;
 * none of the inputs comes from a client (see hkdf_memo).
 */
static struct hkdf_memo *
hkdf_find(const void *ikm, size_t ikmlen, const void *salt, size_t saltlen,
    const char *info, size_t outlen)
{
	size_t	 i;

	for (i = 0; i < HKDF_CACHE; i++) {
		struct hkdf_memo *m = &hkdf_memo[i];

		if (m->used && m->ikmlen == ikmlen && m->saltlen == saltlen &&
		    m->outlen == outlen && strcmp(m->info, info) == 0 &&
		    memcmp(m->ikm, ikm, ikmlen) == 0 &&
		    (saltlen == 0 || memcmp(m->salt, salt, saltlen) == 0))
			return m;
	}
	return NULL;
}

/*
 * HKDF-SHA-256 (RFC 5869 §2): extract with salt (saltlen 0 or a NULL
 * salt means HashLen zero bytes, §2.2), then expand with info (NULL
 * means empty) to outlen bytes.  ikm must not be empty, and outlen
 * must be 1 to 255 * 32 (§2.3).  On failure out is wiped.
 */
int
ocrypto_hkdf(const void *ikm, size_t ikmlen, const void *salt,
    size_t saltlen, const char *info, unsigned char *out, size_t outlen)
{
	EVP_KDF_CTX		*ctx = NULL;
	OSSL_PARAM		 params[5], *p = params;
	struct hkdf_memo	*m;
	int			 rc = 0, memo;

	if (ikm == NULL || ikmlen == 0 || outlen == 0 ||
	    outlen > 255 * OCRYPTO_SHA256_LEN) {
		olog_err("ocrypto_hkdf: bad key or output length");
		goto out;
	}
	if (salt == NULL)
		saltlen = 0;
	if (info == NULL)
		info = "";
	memo = ikmlen <= HKDF_IKM_MAX && saltlen <= HKDF_IKM_MAX &&
	    outlen <= HKDF_OUT_MAX && strlen(info) < sizeof(m->info);
	if (memo && (m = hkdf_find(ikm, ikmlen, salt, saltlen, info,
	    outlen)) != NULL) {
		memcpy(out, m->out, outlen);
		return 1;
	}

	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    "SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)ikm, ikmlen);
	if (saltlen > 0)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
		    (void *)salt, saltlen);
	if (info[0] != '\0')
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
		    (void *)info, strlen(info));
	*p = OSSL_PARAM_construct_end();

	if (hkdf_fetched == NULL)
		hkdf_fetched = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (hkdf_fetched == NULL)
		ossl_err("EVP_KDF_fetch");
	else if ((ctx = EVP_KDF_CTX_new(hkdf_fetched)) == NULL)
		ossl_err("EVP_KDF_CTX_new");
	else if (EVP_KDF_derive(ctx, out, outlen, params) != 1)
		ossl_err("EVP_KDF_derive");
	else
		rc = 1;
	if (rc && memo) {
		m = &hkdf_memo[hkdf_next];
		hkdf_next = (hkdf_next + 1) % HKDF_CACHE;
		OPENSSL_cleanse(m, sizeof(*m));
		memcpy(m->ikm, ikm, ikmlen);
		if (saltlen > 0)
			memcpy(m->salt, salt, saltlen);
		strcpy(m->info, info);
		m->ikmlen = ikmlen;
		m->saltlen = saltlen;
		m->outlen = outlen;
		memcpy(m->out, out, outlen);
		m->used = 1;
	}
out:
	if (!rc && out != NULL)
		OPENSSL_cleanse(out, outlen);
	EVP_KDF_CTX_free(ctx);
	return rc;
}

/*
 * Encrypt and authenticate ptlen bytes of pt under key with AES-256-GCM
 * (NIST SP 800-38D) and a random 96-bit nonce, binding aadlen bytes of
 * aad (may be NULL/0).  out gets nonce || ciphertext || tag,
 * ptlen + OCRYPTO_AEAD_OVERHEAD bytes, and must not overlap pt.
 * NOTE: RANDOM NONCES ARE SAFE FOR ABOUT 2^32 SEALS PER KEY
 * (SP 800-38D §8.3); rotate keys well before that.
 * Returns 0 if out is too small, a length exceeds INT_MAX, or OpenSSL
 * fails; out is then wiped.
 */
int
ocrypto_seal(const unsigned char key[OCRYPTO_AEAD_KEY_LEN],
    const void *aad, size_t aadlen, const void *pt, size_t ptlen,
    unsigned char *out, size_t outsz, size_t *outlen)
{
	EVP_CIPHER_CTX	*ctx = NULL;
	unsigned char	*nonce, *ct, *tag;
	size_t		 wipelen = 0;
	int		 len, fin, rc = 0;

	if (outlen != NULL)
		*outlen = 0;
	if (ptlen > INT_MAX || aadlen > INT_MAX ||
	    outsz < ptlen + OCRYPTO_AEAD_OVERHEAD) {
		olog_err("ocrypto_seal: bad length");
		goto out;
	}
	wipelen = ptlen + OCRYPTO_AEAD_OVERHEAD;
	nonce = out;
	ct = out + OCRYPTO_AEAD_NONCE_LEN;
	tag = ct + ptlen;
	ocrypto_random(nonce, OCRYPTO_AEAD_NONCE_LEN);
	len = fin = 0;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		ossl_err("EVP_CIPHER_CTX_new");
	else if (!EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL,
	    NULL, NULL))
		ossl_err("EVP_EncryptInit_ex");
	else if (!EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN,
	    OCRYPTO_AEAD_NONCE_LEN, NULL))
		ossl_err("EVP_CIPHER_CTX_ctrl(SET_IVLEN)");
	else if (!EVP_EncryptInit_ex(ctx, NULL, NULL, key, nonce))
		ossl_err("EVP_EncryptInit_ex");
	else if (aadlen > 0 &&
	    !EVP_EncryptUpdate(ctx, NULL, &len, aad, (int)aadlen))
		ossl_err("EVP_EncryptUpdate(aad)");
	else if (ptlen > 0 &&
	    !EVP_EncryptUpdate(ctx, ct, &len, pt, (int)ptlen))
		ossl_err("EVP_EncryptUpdate");
	else if (!EVP_EncryptFinal_ex(ctx, ptlen > 0 ? ct + len : ct, &fin))
		ossl_err("EVP_EncryptFinal_ex");
	else if ((ptlen > 0 ? (size_t)len : 0) + (size_t)fin != ptlen)
		olog_err("EVP_EncryptFinal_ex: short ciphertext");
	else if (!EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
	    OCRYPTO_AEAD_TAG_LEN, tag))
		ossl_err("EVP_CIPHER_CTX_ctrl(GET_TAG)");
	else
		rc = 1;
out:
	if (rc && outlen != NULL)
		*outlen = ptlen + OCRYPTO_AEAD_OVERHEAD;
	if (!rc && wipelen > 0)
		OPENSSL_cleanse(out, wipelen);
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/*
 * Verify and decrypt the output of ocrypto_seal() under key and the
 * same aad.  out needs inlen - OCRYPTO_AEAD_OVERHEAD bytes and must not
 * overlap in.  Returns 0 if in is too short, out too small, or the tag
 * does not verify (wrong key, wrong aad, or any changed byte).  GCM
 * decrypts before it can check the tag, so on failure the plaintext
 * written so far is wiped: NEVER USE out UNLESS THIS RETURNS 1.
 */
int
ocrypto_open(const unsigned char key[OCRYPTO_AEAD_KEY_LEN],
    const void *aad, size_t aadlen, const unsigned char *in,
    size_t inlen, unsigned char *out, size_t outsz, size_t *outlen)
{
	EVP_CIPHER_CTX	*ctx = NULL;
	unsigned char	 tag[OCRYPTO_AEAD_TAG_LEN];
	const unsigned char *nonce, *ct;
	size_t		 ctlen = 0, wipelen = 0;
	int		 len, fin, rc = 0;

	if (outlen != NULL)
		*outlen = 0;
	if (inlen < OCRYPTO_AEAD_OVERHEAD) {
		olog_debug("ocrypto_open: input too short");
		goto out;
	}
	ctlen = inlen - OCRYPTO_AEAD_OVERHEAD;
	if (ctlen > INT_MAX || aadlen > INT_MAX || outsz < ctlen) {
		olog_err("ocrypto_open: bad length");
		goto out;
	}
	wipelen = ctlen;
	nonce = in;
	ct = in + OCRYPTO_AEAD_NONCE_LEN;
	/* Copied: EVP_CTRL_GCM_SET_TAG takes a non-const pointer. */
	memcpy(tag, ct + ctlen, sizeof(tag));
	len = fin = 0;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		ossl_err("EVP_CIPHER_CTX_new");
	else if (!EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL,
	    NULL, NULL))
		ossl_err("EVP_DecryptInit_ex");
	else if (!EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN,
	    OCRYPTO_AEAD_NONCE_LEN, NULL))
		ossl_err("EVP_CIPHER_CTX_ctrl(SET_IVLEN)");
	else if (!EVP_DecryptInit_ex(ctx, NULL, NULL, key, nonce))
		ossl_err("EVP_DecryptInit_ex");
	else if (aadlen > 0 &&
	    !EVP_DecryptUpdate(ctx, NULL, &len, aad, (int)aadlen))
		ossl_err("EVP_DecryptUpdate(aad)");
	else if (ctlen > 0 &&
	    !EVP_DecryptUpdate(ctx, out, &len, ct, (int)ctlen))
		ossl_err("EVP_DecryptUpdate");
	else if (!EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
	    OCRYPTO_AEAD_TAG_LEN, tag))
		ossl_err("EVP_CIPHER_CTX_ctrl(SET_TAG)");
	else if (EVP_DecryptFinal_ex(ctx, ctlen > 0 ? out + len : out,
	    &fin) <= 0) {
		/* A forgery or a wrong key/aad: client-caused, not ours. */
		olog_debug("EVP_DecryptFinal_ex: authentication failed");
		ERR_clear_error();
	} else if ((ctlen > 0 ? (size_t)len : 0) + (size_t)fin != ctlen)
		olog_err("EVP_DecryptFinal_ex: short plaintext");
	else
		rc = 1;
out:
	if (rc && outlen != NULL)
		*outlen = ctlen;
	if (!rc && wipelen > 0)
		OPENSSL_cleanse(out, wipelen);
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/*
 * Wipe n bytes at p in a way the compiler cannot optimise away
 * (OPENSSL_cleanse).  NULL or 0 is a no-op.
 */
void
ocrypto_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		OPENSSL_cleanse(p, n);
}

void
ocrypto_uuid4(char buf[37])
{
	unsigned char	 b[16];

	ocrypto_random(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}
