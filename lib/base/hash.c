/*
 * hash.c: one-way hashes of credentials (see hash.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "base/conf.h"
#include "base/crypto.h"
#include "base/hash.h"
#include "base/util.h"

#define SALT_LEN	16
#define KEY_LEN		32
#define ITER_MAX	10000000
/* Bounds on a stored scrypt cost (a hash is trusted, but not blindly). */
#define SCRYPT_LN_MAX	22
#define SCRYPT_R_MAX	32
#define SCRYPT_P_MAX	16
#define SCRYPT_MEM_MAX	((uint64_t)1 << 30)

/* Standard base64 without padding, as Hydra's hasher writes it. */
static int
b64_nopad(char *out, size_t outsz, const unsigned char *in, size_t n)
{
	size_t	 len;

	if (!ocrypto_b64_encode(out, outsz, &len, in, n))
		return 0;
	while (len > 0 && out[len - 1] == '=')
		out[--len] = '\0';
	return 1;
}

/* Decode standard base64 with or without padding into exactly want bytes. */
static int
b64_exact(const char *in, size_t n, unsigned char *out, size_t want)
{
	char	 buf[128];
	size_t	 len;

	if (n + 3 > sizeof(buf))
		return 0;
	memcpy(buf, in, n);
	while (n % 4 != 0)
		buf[n++] = '=';
	return ocrypto_b64_decode(out, want, &len, buf, n) && len == want;
}

static int
pbkdf2(const char *secret, const unsigned char *salt, size_t saltlen,
    unsigned iter, unsigned char *out, size_t outlen)
{
	if (PKCS5_PBKDF2_HMAC(secret, (int)strlen(secret), salt, (int)saltlen,
	    (int)iter, EVP_sha256(), (int)outlen, out) != 1) {
		olog_err("PKCS5_PBKDF2_HMAC failed");
		return 0;
	}
	return 1;
}

int
ohash_slow(const char *secret, unsigned iter, char *out, size_t outsz)
{
	unsigned char	 salt[SALT_LEN], key[KEY_LEN];
	char		 s64[32], k64[64];
	int		 rc = 0, n;

	ocrypto_random(salt, sizeof(salt));
	if (!pbkdf2(secret, salt, sizeof(salt), iter, key, sizeof(key)) ||
	    !b64_nopad(s64, sizeof(s64), salt, sizeof(salt)) ||
	    !b64_nopad(k64, sizeof(k64), key, sizeof(key)))
		goto out;
	n = snprintf(out, outsz, "$pbkdf2-sha256$i=%u,l=%d$%s$%s", iter,
	    KEY_LEN, s64, k64);
	rc = n > 0 && (size_t)n < outsz;
out:
	ocrypto_wipe(key, sizeof(key));
	return rc;
}

/*
 * scrypt (RFC 7914) of secret with cost 2^ln, r, p into out, through
 * OpenSSL 3's EVP_KDF.  Returns 1, or 0 (logged).
 */
static int
scrypt(const char *secret, const unsigned char *salt, size_t saltlen,
    unsigned ln, unsigned r, unsigned p, unsigned char *out, size_t outlen)
{
	EVP_KDF		*kdf = NULL;
	EVP_KDF_CTX	*ctx = NULL;
	OSSL_PARAM	 params[7], *q = params;
	uint64_t	 n = (uint64_t)1 << ln, maxmem;
	uint32_t	 rr = r, pp = p;
	int		 rc = 0;

	/* 128 r N p for V and B, with room for the rest. */
	maxmem = 128 * (uint64_t)r * (n + p + 2) + 65536;
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
	    (void *)secret, strlen(secret));
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)salt, saltlen);
	*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &rr);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &pp);
	*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM,
	    &maxmem);
	*q = OSSL_PARAM_construct_end();
	if ((kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL)) == NULL)
		olog_err("EVP_KDF_fetch(SCRYPT) failed");
	else if ((ctx = EVP_KDF_CTX_new(kdf)) == NULL)
		olog_err("EVP_KDF_CTX_new failed");
	else if (EVP_KDF_derive(ctx, out, outlen, params) != 1)
		olog_err("EVP_KDF_derive(SCRYPT) failed");
	else
		rc = 1;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return rc;
}

int
ohash_password(const char *password, char *out, size_t outsz)
{
	unsigned char	 salt[SALT_LEN], key[KEY_LEN];
	char		 s64[32], k64[64];
	int		 rc = 0, n;

	ocrypto_random(salt, sizeof(salt));
	if (!scrypt(password, salt, sizeof(salt), OHASH_SCRYPT_LN,
	    OHASH_SCRYPT_R, OHASH_SCRYPT_P, key, sizeof(key)) ||
	    !b64_nopad(s64, sizeof(s64), salt, sizeof(salt)) ||
	    !b64_nopad(k64, sizeof(k64), key, sizeof(key)))
		goto out;
	n = snprintf(out, outsz, "$scrypt$ln=%d,r=%d,p=%d$%s$%s",
	    OHASH_SCRYPT_LN, OHASH_SCRYPT_R, OHASH_SCRYPT_P, s64, k64);
	rc = n > 0 && (size_t)n < outsz;
out:
	ocrypto_wipe(key, sizeof(key));
	return rc;
}

/*
 * Parse "<name>=<decimal>" of at most max at *p, then the separator
 * sep; advances *p past both.  Returns 1, or 0 when malformed.
 */
static int
param_num(const char **p, const char *name, long long max, char sep,
    long long *out)
{
	size_t		 n = strlen(name);
	const char	*end;

	if (strncmp(*p, name, n) != 0 || (*p)[n] != '=' ||
	    (end = strchr(*p + n + 1, sep)) == NULL ||
	    !ostrtonum(*p + n + 1, (size_t)(end - (*p + n + 1)), 1, max, out))
		return 0;
	*p = end + 1;
	return 1;
}

/* Check a $scrypt$ hash. */
static int
verify_scrypt(const char *secret, const char *hash)
{
	unsigned char	 salt[SALT_LEN], want[KEY_LEN], got[KEY_LEN];
	const char	*p = hash + strlen("$scrypt$"), *k;
	long long	 ln, r, pp;
	int		 ok;

	if (!param_num(&p, "ln", SCRYPT_LN_MAX, ',', &ln) ||
	    !param_num(&p, "r", SCRYPT_R_MAX, ',', &r) ||
	    !param_num(&p, "p", SCRYPT_P_MAX, '$', &pp) ||
	    128 * (uint64_t)r * ((uint64_t)1 << ln) * (uint64_t)pp >
	    SCRYPT_MEM_MAX)
		return 0;
	if ((k = strchr(p, '$')) == NULL ||
	    !b64_exact(p, (size_t)(k - p), salt, sizeof(salt)) ||
	    !b64_exact(k + 1, strlen(k + 1), want, sizeof(want)))
		return 0;
	if (!scrypt(secret, salt, sizeof(salt), (unsigned)ln, (unsigned)r,
	    (unsigned)pp, got, sizeof(got)))
		return 0;
	ok = ocrypto_eq(got, sizeof(got), want, sizeof(want));
	ocrypto_wipe(got, sizeof(got));
	return ok;
}

/* HMAC-SHA-256 of secret under the key for purpose from system secret i. */
static int
keyed_mac(const char *secret, const char *purpose, size_t i,
    unsigned char mac[OCRYPTO_SHA256_LEN])
{
	unsigned char	 key[32];
	char		 info[96];
	int		 rc;

	if (oconf == NULL || i >= oconf->nsecrets)
		return 0;
	snprintf(info, sizeof(info), "oidcgi hash %s", purpose);
	rc = ocrypto_hkdf(oconf->secrets[i], strlen(oconf->secrets[i]),
	    NULL, 0, info, key, sizeof(key)) &&
	    ocrypto_hmac(OCRYPTO_SHA256, key, sizeof(key), secret,
	    strlen(secret), mac);
	ocrypto_wipe(key, sizeof(key));
	return rc;
}

int
ohash_keyed(const char *secret, const char *purpose, char *out,
    size_t outsz)
{
	unsigned char	 mac[OCRYPTO_SHA256_LEN];
	char		 m64[64];
	size_t		 len;
	int		 n;

	if (!keyed_mac(secret, purpose, 0, mac) ||
	    !ocrypto_b64url_encode(m64, sizeof(m64), &len, mac, sizeof(mac)))
		return 0;
	n = snprintf(out, outsz, "$hmac-sha256$%s", m64);
	return n > 0 && (size_t)n < outsz;
}

/* Check a $pbkdf2-sha256$ hash. */
static int
verify_slow(const char *secret, const char *hash)
{
	unsigned char	 salt[SALT_LEN], want[KEY_LEN], got[KEY_LEN];
	const char	*p, *s, *k;
	long long	 iter;
	int		 ok;

	p = hash + strlen("$pbkdf2-sha256$i=");
	if ((s = strchr(p, ',')) == NULL ||
	    !ostrtonum(p, (size_t)(s - p), 1, ITER_MAX, &iter) ||
	    strncmp(s, ",l=32$", 6) != 0)
		return 0;
	s += 6;
	if ((k = strchr(s, '$')) == NULL ||
	    !b64_exact(s, (size_t)(k - s), salt, sizeof(salt)) ||
	    !b64_exact(k + 1, strlen(k + 1), want, sizeof(want)))
		return 0;
	if (!pbkdf2(secret, salt, sizeof(salt), (unsigned)iter, got,
	    sizeof(got)))
		return 0;
	ok = ocrypto_eq(got, sizeof(got), want, sizeof(want));
	ocrypto_wipe(got, sizeof(got));
	return ok;
}

/* Check a $hmac-sha256$ hash under every configured system secret. */
static int
verify_keyed(const char *secret, const char *purpose, const char *hash)
{
	unsigned char	 want[OCRYPTO_SHA256_LEN], got[OCRYPTO_SHA256_LEN];
	const char	*m = hash + strlen("$hmac-sha256$");
	size_t		 len, i;
	int		 ok = 0;

	if (!ocrypto_b64url_decode(want, sizeof(want), &len, m, strlen(m)) ||
	    len != sizeof(want))
		return 0;
	for (i = 0; oconf != NULL && i < oconf->nsecrets; i++)
		if (keyed_mac(secret, purpose, i, got))
			ok |= ocrypto_eq(got, sizeof(got), want, sizeof(want));
	ocrypto_wipe(got, sizeof(got));
	return ok;
}

int
ohash_verify(const char *secret, const char *purpose, const char *hash)
{
	if (secret == NULL || hash == NULL)
		return 0;
	if (strncmp(hash, "$pbkdf2-sha256$i=", 17) == 0)
		return verify_slow(secret, hash);
	if (strncmp(hash, "$scrypt$", 8) == 0)
		return verify_scrypt(secret, hash);
	if (strncmp(hash, "$hmac-sha256$", 13) == 0)
		return verify_keyed(secret, purpose, hash);
	return 0;
}
