/*
 * hash.c: one-way hashes of credentials (see hash.h).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "conf.h"
#include "crypto.h"
#include "hash.h"
#include "util.h"

#define SALT_LEN	16
#define KEY_LEN		32
#define ITER_MAX	10000000

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
	if (strncmp(hash, "$hmac-sha256$", 13) == 0)
		return verify_keyed(secret, purpose, hash);
	return 0;
}
