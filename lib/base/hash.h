/*
 * hash.h: one-way hashes of credentials for the store.
 *
 * Two kinds, told apart by their prefix:
 *
 *   $pbkdf2-sha256$i=<iter>,l=32$<salt>$<key>
 *	for secrets a person chose (they may be guessable): PBKDF2 with
 *	HMAC-SHA-256, a 16-byte random salt, standard base64 without
 *	padding; the format Hydra writes, so its hashes can be imported.
 *   $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<key>
 *	for passwords of the user store: scrypt (RFC 7914; memory-hard),
 *	a 16-byte random salt, a 32-byte key, standard base64 without
 *	padding (passlib's format).  The cost, OHASH_SCRYPT_LN/R/P, is
 *	one of OWASP's minimum scrypt settings (N=2^14, r=8, p=5: the
 *	memory of 2^14 with the work of 2^16), one check taking about
 *	175 ms and 16 MiB on the machine oidcgi is developed on; a hash
 *	records its own cost, so raising it later keeps old hashes valid
 *	(they keep their cost until the password is set again).
 *   $hmac-sha256$<mac>
 *	for credentials the server generated with 256 random bits (client
 *	secrets, registration tokens): HMAC-SHA-256 under a key derived
 *	from secrets.system and the credential's purpose.  Guessing is
 *	hopeless, so a slow hash would only cost time; and a copy of the
 *	store without secrets.system cannot check a guess offline.
 *
 * Verification is constant-time; keyed hashes are tried with every
 * configured secrets.system entry, so rotating the secret (the old one
 * kept second) keeps old hashes valid.
 */
#ifndef OIDCGI_HASH_H
#define OIDCGI_HASH_H

#include <stddef.h>

#define OHASH_MAX		128	/* bytes of any hash string, NUL too */
#define OHASH_PBKDF2_ITER	25000	/* Hydra's default */
#define OHASH_SCRYPT_LN		14	/* N = 2^14 */
#define OHASH_SCRYPT_R		8
#define OHASH_SCRYPT_P		5

/*
 * A well-formed scrypt hash of the default cost that no password
 * matches (its key is not scrypt of anything one can find): checked
 * where there is no hash, so that a missing user takes as long as a
 * wrong password.  Built from the cost above, so the two cannot drift.
 */
#define OHASH_XSTR_(x)		#x
#define OHASH_XSTR(x)		OHASH_XSTR_(x)
#define OHASH_PASSWORD_DUMMY	"$scrypt$ln=" OHASH_XSTR(OHASH_SCRYPT_LN) \
	",r=" OHASH_XSTR(OHASH_SCRYPT_R) ",p=" OHASH_XSTR(OHASH_SCRYPT_P) \
	"$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

/* PBKDF2 hash of secret; returns 1, or 0 on failure (logged). */
int	 ohash_slow(const char *secret, unsigned iter, char *out,
	    size_t outsz);
/*
 * scrypt hash of a password with the default cost (see above); returns
 * 1, or 0 on failure (logged).
 */
int	 ohash_password(const char *password, char *out, size_t outsz);
/*
 * Keyed hash of secret for a purpose ("client_secret", ...), under the
 * first secrets.system entry.  Returns 1, or 0 on failure.
 */
int	 ohash_keyed(const char *secret, const char *purpose, char *out,
	    size_t outsz);
/*
 * 1 if secret matches hash (either kind; purpose is used for keyed
 * hashes).  0 for a mismatch, a malformed hash, or no hash.
 */
int	 ohash_verify(const char *secret, const char *purpose,
	    const char *hash);

#endif
