/*
 * crypto.h: randomness, encodings, digests, MACs, key derivation, AEAD
 * and constant-time comparison, all on OpenSSL 3 EVP.
 *
 * Buffer conventions: functions write into caller buffers and report the
 * length; they return 1 on success and 0 on failure (bad input, buffer
 * too small, or an OpenSSL error, which is logged naming the call).
 */
#ifndef OIDCGI_CRYPTO_H
#define OIDCGI_CRYPTO_H

#include <stddef.h>

#define OCRYPTO_SHA256_LEN	32
#define OCRYPTO_SHA512_LEN	64
#define OCRYPTO_AEAD_KEY_LEN	32	/* AES-256-GCM */
#define OCRYPTO_AEAD_NONCE_LEN	12
#define OCRYPTO_AEAD_TAG_LEN	16
/* Sealed output is nonce || ciphertext || tag. */
#define OCRYPTO_AEAD_OVERHEAD	(OCRYPTO_AEAD_NONCE_LEN + OCRYPTO_AEAD_TAG_LEN)

enum ocrypto_md {
	OCRYPTO_SHA256,
	OCRYPTO_SHA384,
	OCRYPTO_SHA512,
	OCRYPTO_MD__MAX
};

/* Fill buf with n bytes from the CSPRNG (RAND_bytes); aborts on failure. */
void	 ocrypto_random(void *buf, size_t n);

/*
 * A fresh credential: nbytes from the CSPRNG, base64url without padding,
 * NUL-terminated in out (outsz >= ocrypto_b64url_len(nbytes) + 1).
 */
int	 ocrypto_token(char *out, size_t outsz, size_t nbytes);

/* A random UUIDv4 (RFC 9562 §5.4), lower-case, into buf (37 bytes). */
void	 ocrypto_uuid4(char buf[37]);

/* Length of the unpadded base64url encoding of n bytes (no NUL). */
size_t	 ocrypto_b64url_len(size_t n);
/*
 * base64url without padding (RFC 4648 §5, RFC 7515 §2).  The encoder
 * NUL-terminates; *outlen excludes the NUL.  The decoder is strict:
 * it refuses padding, whitespace, '+' and '/', a length of 1 mod 4 and
 * non-zero trailing bits, so every value has exactly one encoding.
 */
int	 ocrypto_b64url_encode(char *out, size_t outsz, size_t *outlen,
	    const void *in, size_t inlen);
int	 ocrypto_b64url_decode(void *out, size_t outsz, size_t *outlen,
	    const char *in, size_t inlen);
/*
 * Standard base64 with padding (RFC 4648 §4), as in HTTP Basic
 * (RFC 7617).  Strict in the same way.
 */
int	 ocrypto_b64_decode(void *out, size_t outsz, size_t *outlen,
	    const char *in, size_t inlen);
int	 ocrypto_b64_encode(char *out, size_t outsz, size_t *outlen,
	    const void *in, size_t inlen);

/* Digest size of md in bytes. */
size_t	 ocrypto_md_len(enum ocrypto_md);
int	 ocrypto_digest(enum ocrypto_md, const void *in, size_t inlen,
	    unsigned char *out);
void	 ocrypto_sha256(const void *in, size_t inlen,
	    unsigned char out[OCRYPTO_SHA256_LEN]);
void	 ocrypto_sha512(const void *in, size_t inlen,
	    unsigned char out[OCRYPTO_SHA512_LEN]);
/* HMAC; out must hold ocrypto_md_len(md) bytes. */
int	 ocrypto_hmac(enum ocrypto_md, const void *key, size_t keylen,
	    const void *in, size_t inlen, unsigned char *out);

/*
 * Compare two byte strings in time independent of their contents and of
 * where they differ.  Lengths may differ (both sides are first reduced
 * with HMAC-SHA-256 under a per-process random key, so the length of the
 * secret side does not leak either).  Returns 1 if equal.
 */
int	 ocrypto_eq(const void *a, size_t alen, const void *b, size_t blen);
/* Same, for two NUL-terminated strings. */
int	 ocrypto_streq(const char *a, const char *b);
/*
 * Compare len bytes of a and b in constant time, for values whose
 * length is fixed and public (two MACs or digests of one algorithm):
 * no HMAC reduction needed.  Returns 1 if equal.
 */
int	 ocrypto_eq_fixed(const void *a, const void *b, size_t len);

/*
 * HKDF-SHA-256 (RFC 5869): derive outlen bytes from key material ikm,
 * with an optional salt and a context label info.  Derivations of keys
 * of up to 64 bytes from inputs of up to 256 are remembered per process
 * (callers derive fixed-purpose keys from secrets.system again and
 * again), as are keyed HMAC contexts for keys of up to 64 bytes.
 */
int	 ocrypto_hkdf(const void *ikm, size_t ikmlen, const void *salt,
	    size_t saltlen, const char *info, unsigned char *out,
	    size_t outlen);

/*
 * AES-256-GCM with a random 96-bit nonce.  ocrypto_seal writes
 * nonce || ciphertext || tag (ptlen + OCRYPTO_AEAD_OVERHEAD bytes).
 * ocrypto_open verifies and decrypts it; it returns 0 on any
 * authentication failure without writing partial plaintext.
 * aad binds the purpose of the sealed value (e.g. "login_challenge").
 */
int	 ocrypto_seal(const unsigned char key[OCRYPTO_AEAD_KEY_LEN],
	    const void *aad, size_t aadlen, const void *pt, size_t ptlen,
	    unsigned char *out, size_t outsz, size_t *outlen);
int	 ocrypto_open(const unsigned char key[OCRYPTO_AEAD_KEY_LEN],
	    const void *aad, size_t aadlen, const unsigned char *in,
	    size_t inlen, unsigned char *out, size_t outsz, size_t *outlen);

/* Wipe memory in a way the compiler cannot elide (OPENSSL_cleanse). */
void	 ocrypto_wipe(void *, size_t);

#endif
