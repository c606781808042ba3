/*
 * test_hash.c: unit tests of lib/base/hash.c: the PBKDF2 format Hydra writes
 * (checked against vectors from Python's hashlib and against OpenSSL
 * directly), keyed hashes under secrets.system with rotation and
 * purpose separation, the scrypt format of user passwords (against
 * Python's hashlib.scrypt), and malformed hashes.
 *
 * The keyed hashes read the global oconf; each test points it at one of
 * the configurations below and leaves it NULL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/conf.h"
#include "base/hash.h"
#include "t.h"

#define PBKDF2_PREFIX	"$pbkdf2-sha256$i=25000,l=32$"
#define HMAC_PREFIX	"$hmac-sha256$"

/*
 * Computed once with Python:
 *   k = hashlib.pbkdf2_hmac("sha256", pw, salt, iter, 32)
 *   "$pbkdf2-sha256$i=%d,l=32$%s$%s" % (iter, b64(salt), b64(k))
 * with b64 = base64.b64encode(...).rstrip("=") (Hydra's RawStdEncoding).
 */
/* pw "correct horse battery", salt bytes 0x00..0x0f, 25000 iterations */
#define PY_PW1	"correct horse battery"
#define PY_H1	"$pbkdf2-sha256$i=25000,l=32$AAECAwQFBgcICQoLDA0ODw$" \
		"b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM"
/* pw "s3cr3t", salt fb ff fe x5 fa (so '+' and '/' appear), 1000 iterations */
#define PY_PW2	"s3cr3t"
#define PY_H2	"$pbkdf2-sha256$i=1000,l=32$+//++//++//++//++//++g$" \
		"MM5XWO5kxDQ3c0cd+0B9ra1FWHJu/jlDr6Nzf/0w+50"
/*
 * The keyed format, also from Python, so a change that would invalidate
 * every stored client secret fails here:
 *   key = HKDF-SHA-256(ikm = SECRET_A, no salt,
 *       info = "oidcgi hash client_secret", 32)
 *   "$hmac-sha256$" + base64url_nopad(HMAC-SHA-256(key, "my-generated-secret"))
 */
#define PY_KEYED	"$hmac-sha256$ajD_J80Smyp-GLPy2GXBz3-tv3MlRKrzE97vsXPEb7s"

/*
 * scrypt, from Python:
 *   k = hashlib.scrypt(pw, salt=bytes(range(16)), n=1024, r=8, p=1,
 *       dklen=32)
 *   "$scrypt$ln=10,r=8,p=1$%s$%s" % (b64(salt), b64(k))
 */
#define PY_SCRYPT	"$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$" \
			"hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk"

static char secret_a[] = "0123456789abcdef0123456789abcdef";
static char secret_b[] = "fedcba9876543210fedcba9876543210";

static struct oconf conf_a;	/* secrets { A } */
static struct oconf conf_b;	/* secrets { B } */
static struct oconf conf_ba;	/* secrets { B, A }: A rotated out */
static struct oconf conf_none;	/* no secrets */

static void
conf_init(void)
{
	conf_a.secrets[0] = secret_a;
	conf_a.nsecrets = 1;
	conf_b.secrets[0] = secret_b;
	conf_b.nsecrets = 1;
	conf_ba.secrets[0] = secret_b;
	conf_ba.secrets[1] = secret_a;
	conf_ba.nsecrets = 2;
}

/* 1 if s is n characters of the standard base64 alphabet. */
static int
is_b64(const char *s, size_t n, const char *extra)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    (s[i] != '\0' && strchr(extra, s[i]) != NULL)))
			return 0;
	return 1;
}

/* The slow hash has Hydra's format and verifies. */
static void
slow_format(void)
{
	char		 h[OHASH_MAX], h2[OHASH_MAX];
	const char	*salt, *key;

	CHECK(ohash_slow("hunter22", OHASH_PBKDF2_ITER, h, sizeof(h)));
	CHECK(strncmp(h, PBKDF2_PREFIX, strlen(PBKDF2_PREFIX)) == 0);
	salt = h + strlen(PBKDF2_PREFIX);
	key = strchr(salt, '$');
	CHECK(key != NULL);
	if (key == NULL)
		return;
	/* 16 bytes -> 22 characters, 32 bytes -> 43, no padding. */
	CHECK(key - salt == 22);
	CHECK(is_b64(salt, 22, "+/"));
	key++;
	CHECK(strlen(key) == 43);
	CHECK(is_b64(key, strlen(key), "+/"));
	CHECK(strchr(h, '=') == h + strlen("$pbkdf2-sha256$i"));
	CHECK(strlen(h) == strlen(PBKDF2_PREFIX) + 22 + 1 + 43);

	CHECK(ohash_verify("hunter22", "client_secret", h));
	CHECK(ohash_verify("hunter22", "anything", h));
	CHECK(!ohash_verify("hunter23", "client_secret", h));
	CHECK(!ohash_verify("hunter2", "client_secret", h));
	CHECK(!ohash_verify("hunter222", "client_secret", h));
	CHECK(!ohash_verify("", "client_secret", h));

	/* A fresh salt each time. */
	CHECK(ohash_slow("hunter22", OHASH_PBKDF2_ITER, h2, sizeof(h2)));
	CHECK(strcmp(h, h2) != 0);
	CHECK(ohash_verify("hunter22", "client_secret", h2));

	/* Other iteration counts are written and honoured. */
	CHECK(ohash_slow("pw", 1000, h, sizeof(h)));
	CHECK(strncmp(h, "$pbkdf2-sha256$i=1000,l=32$", 27) == 0);
	CHECK(ohash_verify("pw", "x", h));
	/* The empty secret hashes and verifies like any other. */
	CHECK(ohash_slow("", 1000, h, sizeof(h)));
	CHECK(ohash_verify("", "x", h));
	CHECK(!ohash_verify(" ", "x", h));
}

/* The key part is PBKDF2-HMAC-SHA-256 of the salt, as OpenSSL computes it. */
static void
slow_matches_openssl(void)
{
	char		 h[OHASH_MAX], padded[64], k64[64];
	unsigned char	 salt[64], key[32];
	const char	*s, *k;
	int		 n;

	CHECK(ohash_slow("pa$$word", 2000, h, sizeof(h)));
	s = h + strlen("$pbkdf2-sha256$i=2000,l=32$");
	if ((k = strchr(s, '$')) == NULL) {
		CHECK(0);
		return;
	}
	/* EVP_DecodeBlock wants padding. */
	snprintf(padded, sizeof(padded), "%.*s==", (int)(k - s), s);
	n = EVP_DecodeBlock(salt, (const unsigned char *)padded,
	    (int)strlen(padded));
	CHECK(n == 18);		/* 16 bytes plus two for the padding */
	CHECK(PKCS5_PBKDF2_HMAC("pa$$word", 8, salt, 16, 2000, EVP_sha256(),
	    32, key) == 1);
	n = EVP_EncodeBlock((unsigned char *)k64, key, 32);
	CHECK(n == 44 && k64[43] == '=');
	k64[43] = '\0';
	CHECK_STR(k + 1, k64);
}

/* Hashes Python's hashlib made verify, padded or not. */
static void
slow_python_vectors(void)
{
	CHECK(ohash_verify(PY_PW1, "client_secret", PY_H1));
	CHECK(!ohash_verify("correct horse batterY", "client_secret", PY_H1));
	CHECK(ohash_verify(PY_PW2, "client_secret", PY_H2));
	CHECK(!ohash_verify(PY_PW1, "client_secret", PY_H2));
	/* Padded standard base64 is accepted too. */
	CHECK(ohash_verify(PY_PW1, "client_secret",
	    "$pbkdf2-sha256$i=25000,l=32$AAECAwQFBgcICQoLDA0ODw==$"
	    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM="));
	/* ... but not the base64url alphabet. */
	CHECK(!ohash_verify(PY_PW2, "client_secret",
	    "$pbkdf2-sha256$i=1000,l=32$-__--__--__--__--__--g$"
	    "MM5XWO5kxDQ3c0cd+0B9ra1FWHJu/jlDr6Nzf/0w+50"));
	CHECK(!ohash_verify(PY_PW2, "client_secret",
	    "$pbkdf2-sha256$i=1000,l=32$+//++//++//++//++//++g$"
	    "MM5XWO5kxDQ3c0cd-0B9ra1FWHJu_jlDr6Nzf_0w-50"));
	/* The iteration count is part of the hash. */
	CHECK(!ohash_verify(PY_PW2, "client_secret",
	    "$pbkdf2-sha256$i=1001,l=32$+//++//++//++//++//++g$"
	    "MM5XWO5kxDQ3c0cd+0B9ra1FWHJu/jlDr6Nzf/0w+50"));
	/* So is the salt. */
	CHECK(!ohash_verify(PY_PW1, "client_secret",
	    "$pbkdf2-sha256$i=25000,l=32$AAECAwQFBgcICQoLDA0ODg$"
	    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM"));
	/* And every bit of the key. */
	CHECK(!ohash_verify(PY_PW1, "client_secret",
	    "$pbkdf2-sha256$i=25000,l=32$AAECAwQFBgcICQoLDA0ODw$"
	    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjI"));
}

/* A buffer too small for the hash fails cleanly. */
static void
small_buffers(void)
{
	char	 h[OHASH_MAX];

	memset(h, 'x', sizeof(h));
	CHECK(!ohash_slow("pw", 1000, h, 20));
	CHECK(!ohash_slow("pw", 25000, h,
	    strlen(PBKDF2_PREFIX) + 22 + 1 + 43));
	CHECK(ohash_slow("pw", 25000, h,
	    strlen(PBKDF2_PREFIX) + 22 + 1 + 43 + 1));
	oconf = &conf_a;
	CHECK(!ohash_keyed("pw", "p", h, 20));
	CHECK(!ohash_keyed("pw", "p", h, strlen(HMAC_PREFIX) + 43));
	CHECK(ohash_keyed("pw", "p", h, strlen(HMAC_PREFIX) + 43 + 1));
	oconf = NULL;
}

/* Keyed hashes: format, determinism, the Python vector. */
static void
keyed_format(void)
{
	char	 h[OHASH_MAX], h2[OHASH_MAX];

	oconf = &conf_a;
	CHECK(ohash_keyed("my-generated-secret", "client_secret", h,
	    sizeof(h)));
	CHECK_STR(h, PY_KEYED);
	CHECK(strlen(h) == strlen(HMAC_PREFIX) + 43);
	CHECK(is_b64(h + strlen(HMAC_PREFIX), 43, "-_"));
	CHECK(ohash_keyed("my-generated-secret", "client_secret", h2,
	    sizeof(h2)));
	CHECK_STR(h, h2);
	CHECK(ohash_verify("my-generated-secret", "client_secret", h));
	CHECK(!ohash_verify("my-generated-secreT", "client_secret", h));
	CHECK(!ohash_verify("my-generated-secre", "client_secret", h));
	CHECK(!ohash_verify("", "client_secret", h));
	/* A different secret, a different hash. */
	CHECK(ohash_keyed("my-generated-secreT", "client_secret", h2,
	    sizeof(h2)));
	CHECK(strcmp(h, h2) != 0);
	oconf = NULL;
}

/* A keyed hash does not verify under another system secret. */
static void
keyed_other_system_secret(void)
{
	char	 h[OHASH_MAX], hb[OHASH_MAX];

	oconf = &conf_a;
	CHECK(ohash_keyed("tok", "client_secret", h, sizeof(h)));
	oconf = &conf_b;
	CHECK(!ohash_verify("tok", "client_secret", h));
	CHECK(ohash_keyed("tok", "client_secret", hb, sizeof(hb)));
	CHECK(strcmp(h, hb) != 0);
	CHECK(ohash_verify("tok", "client_secret", hb));
	oconf = &conf_a;
	CHECK(!ohash_verify("tok", "client_secret", hb));
	oconf = NULL;
}

/* Rotation: with the old secret kept second, old hashes still verify. */
static void
keyed_rotation(void)
{
	char	 old[OHASH_MAX], new[OHASH_MAX], hb[OHASH_MAX];

	oconf = &conf_a;
	CHECK(ohash_keyed("tok", "client_secret", old, sizeof(old)));
	oconf = &conf_ba;
	CHECK(ohash_verify("tok", "client_secret", old));
	CHECK(!ohash_verify("tok2", "client_secret", old));
	/* New hashes use the first secret. */
	CHECK(ohash_keyed("tok", "client_secret", new, sizeof(new)));
	CHECK(strcmp(old, new) != 0);
	CHECK(ohash_verify("tok", "client_secret", new));
	oconf = &conf_b;
	CHECK(ohash_keyed("tok", "client_secret", hb, sizeof(hb)));
	CHECK_STR(new, hb);
	CHECK(!ohash_verify("tok", "client_secret", old));
	/* Once A is dropped, only B's hashes verify. */
	oconf = &conf_a;
	CHECK(!ohash_verify("tok", "client_secret", new));
	oconf = NULL;
}

/* A hash made for one purpose does not verify for another. */
static void
keyed_purpose(void)
{
	char	 ha[OHASH_MAX], hb[OHASH_MAX];

	oconf = &conf_ba;
	CHECK(ohash_keyed("tok", "a", ha, sizeof(ha)));
	CHECK(ohash_keyed("tok", "b", hb, sizeof(hb)));
	CHECK(strcmp(ha, hb) != 0);
	CHECK(ohash_verify("tok", "a", ha));
	CHECK(!ohash_verify("tok", "b", ha));
	CHECK(ohash_verify("tok", "b", hb));
	CHECK(!ohash_verify("tok", "a", hb));
	CHECK(!ohash_verify("tok", "", ha));
	CHECK(!ohash_verify("tok", "aa", ha));
	CHECK(ohash_keyed("tok", "client_secret", ha, sizeof(ha)));
	CHECK(!ohash_verify("tok", "registration_access_token", ha));
	oconf = NULL;
}

/* Without secrets there are no keyed hashes (and no crash). */
static void
keyed_no_secrets(void)
{
	char	 h[OHASH_MAX];

	oconf = &conf_a;
	CHECK(ohash_keyed("tok", "p", h, sizeof(h)));
	oconf = NULL;
	CHECK(!ohash_verify("tok", "p", h));
	CHECK(!ohash_keyed("tok", "p", h, sizeof(h)));
	oconf = &conf_none;
	CHECK(!ohash_verify("tok", "p", h));
	CHECK(!ohash_keyed("tok", "p", h, sizeof(h)));
	/* Slow hashes need no secret. */
	oconf = NULL;
	CHECK(ohash_verify(PY_PW1, "p", PY_H1));
}

/* Malformed hashes are refused without crashing. */
static void
malformed(void)
{
	static const char *const bad[] = {
		"",
		"$",
		"$pbkdf2-sha256",
		"$pbkdf2-sha256$",
		"$pbkdf2-sha256$i",
		"$pbkdf2-sha256$i=",
		"$pbkdf2-sha256$i=25000",
		"$pbkdf2-sha256$i=25000,",
		"$pbkdf2-sha256$i=25000,l=32",
		"$pbkdf2-sha256$i=25000,l=32$",
		"$pbkdf2-sha256$i=25000,l=32$AAECAwQFBgcICQoLDA0ODw",
		"$pbkdf2-sha256$i=25000,l=32$AAECAwQFBgcICQoLDA0ODw$",
		"$pbkdf2-sha256$i=25000,l=32$$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM",
		/* Truncated key and salt. */
		"$pbkdf2-sha256$i=25000,l=32$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kj",
		"$pbkdf2-sha256$i=25000,l=32$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5k",
		"$pbkdf2-sha256$i=25000,l=32$AAECAwQFBgcICQoLDA0OD$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM",
		"$pbkdf2-sha256$i=25000,l=32$AAECAwQFBgcICQoLDA0O$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM",
		/* Too long. */
		"$pbkdf2-sha256$i=25000,l=32$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjMA",
		"$pbkdf2-sha256$i=25000,l=32$AAECAwQFBgcICQoLDA0ODwAA$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM",
		/* Bad base64. */
		"$pbkdf2-sha256$i=25000,l=32$!!!!$!!!!",
		"$pbkdf2-sha256$i=25000,l=32$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5k!M",
		"$pbkdf2-sha256$i=25000,l=32$AAECAwQFBgcICQoLDA0O w$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM",
		"$pbkdf2-sha256$i=25000,l=32$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM\n",
		"$pbkdf2-sha256$i=25000,l=32$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM$",
		"$pbkdf2-sha256$i=25000,l=32$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM$x",
		/* Bad parameters. */
		"$pbkdf2-sha256$i=0,l=32$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM",
		"$pbkdf2-sha256$i=-1,l=32$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM",
		"$pbkdf2-sha256$i=x,l=32$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM",
		"$pbkdf2-sha256$i=025000,l=32$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM",
		"$pbkdf2-sha256$i=99999999999999999999999,l=32$"
		    "AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM",
		"$pbkdf2-sha256$i=100000000,l=32$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM",
		"$pbkdf2-sha256$i=25000,l=64$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM",
		"$pbkdf2-sha256$i=25000,l=3$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM",
		"$pbkdf2-sha256$i=25000$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM",
		"$pbkdf2-sha256$l=32,i=25000$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM",
		/* Unknown or misspelt prefixes. */
		"$pbkdf2-sha512$i=25000,l=32$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM",
		"pbkdf2-sha256$i=25000,l=32$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM",
		" $pbkdf2-sha256$i=25000,l=32$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM",
		"$PBKDF2-SHA256$i=25000,l=32$AAECAwQFBgcICQoLDA0ODw$"
		    "b1U2kZdrmPR0RBqzxwkrit/MxKcEH+n20FbMUse5kjM",
		"$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g",
		"$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"correct horse battery",
		/* Keyed hashes that are not. */
		"$hmac-sha256$",
		"$hmac-sha256",
		"$hmac-sha256$!!!!",
		"$hmac-sha256$ajD_J80Smyp-GLPy2GXBz3-tv3MlRKrzE97vsXPEb7",
		"$hmac-sha256$ajD_J80Smyp-GLPy2GXBz3-tv3MlRKrzE97vsXPEb7sA",
		"$hmac-sha256$ajD_J80Smyp-GLPy2GXBz3-tv3MlRKrzE97vsXPEb7s=",
		"$hmac-sha256$ajD/J80Smyp+GLPy2GXBz3+tv3MlRKrzE97vsXPEb7s",
		"$hmac-sha256$ajD_J80Smyp-GLPy2GXBz3-tv3MlRKrzE97vsXPEb7s$",
		"$HMAC-SHA256$ajD_J80Smyp-GLPy2GXBz3-tv3MlRKrzE97vsXPEb7s",
		"$hmac-sha512$ajD_J80Smyp-GLPy2GXBz3-tv3MlRKrzE97vsXPEb7s",
		"ajD_J80Smyp-GLPy2GXBz3-tv3MlRKrzE97vsXPEb7s",
	};
	char	*big;
	size_t	 i;

	oconf = &conf_ba;
	/* The good ones, for contrast. */
	CHECK(ohash_verify("my-generated-secret", "client_secret", PY_KEYED));
	CHECK(ohash_verify(PY_PW1, "client_secret", PY_H1));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ohash_verify(PY_PW1, "client_secret", bad[i]) ||
		    ohash_verify("my-generated-secret", "client_secret",
		    bad[i])) {
			fprintf(stderr, "accepted: \"%s\"\n", bad[i]);
			CHECK(0);
		}
	}
	CHECK(!ohash_verify(PY_PW1, "client_secret", NULL));
	CHECK(!ohash_verify(NULL, "client_secret", PY_H1));
	CHECK(!ohash_verify(NULL, "client_secret", PY_KEYED));
	CHECK(!ohash_verify(NULL, "client_secret", NULL));

	/* Long junk after each prefix. */
	big = malloc(20001);
	memset(big, 'A', 20000);
	big[20000] = '\0';
	memcpy(big, "$pbkdf2-sha256$i=25000,l=32$", 28);
	CHECK(!ohash_verify(PY_PW1, "client_secret", big));
	big[10000] = '$';
	CHECK(!ohash_verify(PY_PW1, "client_secret", big));
	memcpy(big + 28, "AAECAwQFBgcICQoLDA0ODw$", 23);
	CHECK(!ohash_verify(PY_PW1, "client_secret", big));
	memset(big, 'A', 20000);
	memcpy(big, "$hmac-sha256$", 13);
	CHECK(!ohash_verify("my-generated-secret", "client_secret", big));
	free(big);
	oconf = NULL;
}

/*
 * ohash_password: the default cost, a fresh salt each time, verified
 * by ohash_verify (without any system secret: scrypt is not keyed).
 */
static void
scrypt_format(void)
{
	char	 h1[OHASH_MAX], h2[OHASH_MAX];

	oconf = NULL;
	CHECK(ohash_password("hunter2 hunter2", h1, sizeof(h1)) == 1);
	CHECK(ohash_password("hunter2 hunter2", h2, sizeof(h2)) == 1);
	/* OWASP's minimum: N=2^14 with r=8 needs p >= 5. */
	CHECK(strncmp(h1, "$scrypt$ln=14,r=8,p=5$", 22) == 0);
	/* The stand-in for a missing user costs what a real hash does. */
	CHECK(strncmp(h1, OHASH_PASSWORD_DUMMY, 22) == 0);
	CHECK(strlen(OHASH_PASSWORD_DUMMY) == strlen(h1));
	CHECK(ohash_verify("hunter2 hunter2", NULL, OHASH_PASSWORD_DUMMY) == 0);
	/* 22 characters of salt, '$', 43 of key. */
	CHECK(strlen(h1) == 22 + 22 + 1 + 43);
	CHECK(strcmp(h1, h2) != 0);
	CHECK(ohash_verify("hunter2 hunter2", NULL, h1) == 1);
	CHECK(ohash_verify("hunter2 hunter2", NULL, h2) == 1);
	CHECK(ohash_verify("hunter2 hunter3", NULL, h1) == 0);
	CHECK(ohash_verify("", NULL, h1) == 0);
	CHECK(ohash_password("x", h1, 40) == 0);	/* too small */
}

/* The Python vector, with its own (lower) cost; and bad variants. */
static void
scrypt_vectors(void)
{
	char	 h[OHASH_MAX];

	CHECK(ohash_verify(PY_PW1, NULL, PY_SCRYPT) == 1);
	CHECK(ohash_verify(PY_PW2, NULL, PY_SCRYPT) == 0);
	/* The same key under another cost. */
	snprintf(h, sizeof(h), "%s", PY_SCRYPT);
	h[12] = '1';	/* ln=11 */
	CHECK(ohash_verify(PY_PW1, NULL, h) == 0);
	/* Costs out of bounds or malformed are refused without work. */
	CHECK(ohash_verify(PY_PW1, NULL, "$scrypt$ln=40,r=8,p=1$"
	    "AAECAwQFBgcICQoLDA0ODw$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAl"
	    "YOWk") == 0);
	CHECK(ohash_verify(PY_PW1, NULL, "$scrypt$ln=22,r=32,p=16$"
	    "AAECAwQFBgcICQoLDA0ODw$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAl"
	    "YOWk") == 0);
	CHECK(ohash_verify(PY_PW1, NULL, "$scrypt$ln=10,r=8$"
	    "AAECAwQFBgcICQoLDA0ODw$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAl"
	    "YOWk") == 0);
	CHECK(ohash_verify(PY_PW1, NULL, "$scrypt$ln=10,r=8,p=1$"
	    "AAECAwQFBgcICQoLDA0ODw") == 0);
	CHECK(ohash_verify(PY_PW1, NULL, "$scrypt$ln=10,r=8,p=1$"
	    "AAECAwQFBgcICQoLDA0O$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk")
	    == 0);
	CHECK(ohash_verify(PY_PW1, NULL, "$scrypt$ln=0,r=8,p=1$"
	    "AAECAwQFBgcICQoLDA0ODw$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAl"
	    "YOWk") == 0);
}

int
main(void)
{
	static const struct t_case tests[] = {
		T(slow_format),
		T(slow_matches_openssl),
		T(slow_python_vectors),
		T(small_buffers),
		T(keyed_format),
		T(keyed_other_system_secret),
		T(keyed_rotation),
		T(keyed_purpose),
		T(keyed_no_secrets),
		T(malformed),
		T(scrypt_format),
		T(scrypt_vectors),
	};

	conf_init();
	return t_run(tests, NTESTS);
}
