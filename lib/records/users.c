/*
 * users.c: the user store of the bundled login app (see users.h and
 * schema/store.md, "users").
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/util.h"
#include "store/store.h"
#include "records/users.h"

#define KEY_MAX		(OUSER_NAME_MAX + 64)
#define LOCKOUT_AUTH_MAX 512	/* bytes of a username tried at sign-in */
#define LOCKOUT_ADDR_MAX 64	/* bytes of a client address kept */
/*
 * The limit across addresses: LOCKOUT_GLOBAL_FACTOR times
 * ui.lockout.attempts failures per ui.lockout.window, at most
 * LOCKOUT_GLOBAL_MAX (the record keeps one timestamp per failure).
 */
#define LOCKOUT_GLOBAL_FACTOR 10
#define LOCKOUT_GLOBAL_MAX 1000

enum ctype {
	C_STR,		/* any UTF-8 string */
	C_URL,		/* an absolute http(s) URL */
	C_EMAIL,	/* something@something */
	C_DATE,		/* YYYY, YYYY-MM-DD or 0000-MM-DD */
	C_TOKEN,	/* locale, zoneinfo: letters, digits, "-_/+" */
	C_PHONE,	/* digits, spaces, "+-().;=x" and letters for ext */
	C_BOOL,
	C_ADDRESS	/* §5.1.1: an object of the members below */
};

/* The standard claims a user may hold, and the scope that covers each. */
static const struct {
	const char	*name;
	enum ctype	 type;
	const char	*scope;
} claims[] = {
	{ "name", C_STR, "profile" },
	{ "given_name", C_STR, "profile" },
	{ "family_name", C_STR, "profile" },
	{ "middle_name", C_STR, "profile" },
	{ "nickname", C_STR, "profile" },
	{ "preferred_username", C_STR, "profile" },
	{ "profile", C_URL, "profile" },
	{ "picture", C_URL, "profile" },
	{ "website", C_URL, "profile" },
	{ "gender", C_STR, "profile" },
	{ "birthdate", C_DATE, "profile" },
	{ "zoneinfo", C_TOKEN, "profile" },
	{ "locale", C_TOKEN, "profile" },
	{ "email", C_EMAIL, "email" },
	{ "email_verified", C_BOOL, "email" },
	{ "phone_number", C_PHONE, "phone" },
	{ "phone_number_verified", C_BOOL, "phone" },
	{ "address", C_ADDRESS, "address" },
};
#define NCLAIMS	(sizeof(claims) / sizeof(claims[0]))
/*
 * The first four (name, given_name, family_name, middle_name) are the
 * name claims, which Authentiq's scope aq:name covers too.
 */
#define NAME_CLAIMS	4

static const char *const address_members[] = {
	"formatted", "street_address", "locality", "region", "postal_code",
	"country", NULL
};

/* Fold s to lower case (ASCII) into out; 0 when longer than max. */
static int
fold(const char *s, char *out, size_t max)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i == max)
			return 0;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[i] = '\0';
	return 1;
}

int
ouser_name_ok(const char *u, struct oerr *err)
{
	size_t	 n = u != NULL ? strlen(u) : 0;

	if (n == 0 || n > OUSER_NAME_MAX) {
		oerr_set(err, OERR_INVALID_REQUEST, "A username is 1 to %d "
		    "bytes.", OUSER_NAME_MAX);
		return 0;
	}
	if (strspn(u, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._@+-") != n || u[0] == '-') {
		oerr_set(err, OERR_INVALID_REQUEST, "A username is made of "
		    "ASCII letters, digits and \". _ @ + -\", and does not start "
		    "with '-'.");
		return 0;
	}
	return 1;
}

/* Check a new password's length. */
static int
password_ok(const char *pw, struct oerr *err)
{
	size_t	 n = pw != NULL ? strlen(pw) : 0;

	if (n < OUSER_PASSWORD_MIN || n > OUSER_PASSWORD_MAX ||
	    !outf8(pw, n)) {
		oerr_set(err, OERR_INVALID_REQUEST, "A password is %d to %d "
		    "bytes of UTF-8.", OUSER_PASSWORD_MIN, OUSER_PASSWORD_MAX);
		return 0;
	}
	return 1;
}

/* A string claim: UTF-8 without control characters, bounded. */
static int
text_ok(const char *s)
{
	size_t	 n = strlen(s), i;

	if (n > OUSER_CLAIM_MAX || !outf8(s, n))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* 1 if s has the shape of its claim type (see enum ctype). */
static int
shape_ok(enum ctype t, const char *s)
{
	const char	*at;
	size_t		 n = strlen(s);

	switch (t) {
	case C_URL:
		return (strncmp(s, "https://", 8) == 0 && n > 8) ||
		    (strncmp(s, "http://", 7) == 0 && n > 7);
	case C_EMAIL:
		return (at = strchr(s, '@')) != NULL && at != s &&
		    at[1] != '\0' && strchr(at + 1, '@') == NULL &&
		    strpbrk(s, " <>\"") == NULL;
	case C_DATE:
		return (n == 4 || (n == 10 && s[4] == '-' && s[7] == '-')) &&
		    strspn(s, "0123456789-") == n;
	case C_TOKEN:
		return n > 0 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_/+") == n;
	case C_PHONE:
		return n > 0 && strspn(s, "0123456789 +-().;=x"
		    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == n;
	default:
		return 1;
	}
}

/* The index of a standard claim in claims[], or NCLAIMS (400 in err). */
static size_t
claim_find(const char *claim, struct oerr *err)
{
	size_t	 i;

	for (i = 0; i < NCLAIMS; i++)
		if (strcmp(claims[i].name, claim) == 0)
			return i;
	oerr_set(err, OERR_INVALID_REQUEST, "'%.64s' is not a standard claim "
	    "a user may hold (sub and updated_at are the store's).", claim);
	return NCLAIMS;
}

/* 1 if claim is a standard claim a user may hold; else 0 with a 400. */
static int
claim_known(const char *claim, struct oerr *err)
{
	return claim_find(claim, err) < NCLAIMS;
}

int
ouser_claim_ok(const char *claim, const json_t *v, struct oerr *err)
{
	const char	*k, *const *m;
	json_t		*e;
	size_t		 i;

	if ((i = claim_find(claim, err)) == NCLAIMS)
		return 0;
	switch (claims[i].type) {
	case C_BOOL:
		if (json_is_boolean(v))
			return 1;
		oerr_set(err, OERR_INVALID_REQUEST, "The claim '%s' is true or "
		    "false.", claim);
		return 0;
	case C_ADDRESS:
		if (!json_is_object(v))
			break;
		json_object_foreach((json_t *)v, k, e) {
			for (m = address_members; *m != NULL; m++)
				if (strcmp(*m, k) == 0)
					break;
			if (*m == NULL || !json_is_string(e) ||
			    !text_ok(json_string_value(e))) {
				oerr_set(err, OERR_INVALID_REQUEST, "The address "
				    "member '%.64s' is not one of formatted, "
				    "street_address, locality, region, "
				    "postal_code, country, or not a string.",
				    k);
				return 0;
			}
		}
		return 1;
	default:
		if (json_is_string(v) && text_ok(json_string_value(v)) &&
		    shape_ok(claims[i].type, json_string_value(v)))
			return 1;
		break;
	}
	oerr_set(err, OERR_INVALID_REQUEST, "The value of the claim '%s' is "
	    "not valid%s.", claim, claims[i].type == C_ADDRESS ? " (an "
	    "object)" : claims[i].type == C_URL ? " (an http or https URL)" :
	    claims[i].type == C_EMAIL ? " (an email address)" :
	    claims[i].type == C_DATE ? " (YYYY-MM-DD)" : "");
	return 0;
}

json_t *
ouser_claim_parse(const char *claim, const char *text, struct oerr *err)
{
	json_t		*v = NULL;
	json_error_t	 e;
	size_t		 i;

	if ((i = claim_find(claim, err)) == NCLAIMS)
		return NULL;
	if (claims[i].type == C_BOOL)
		v = strcmp(text, "true") == 0 ? json_true() :
		    strcmp(text, "false") == 0 ? json_false() : json_null();
	else if (claims[i].type == C_ADDRESS) {
		if ((v = json_loads(text, JSON_REJECT_DUPLICATES, &e)) == NULL)
			v = json_null();
	} else
		v = json_string(text);
	if (v == NULL)		/* not UTF-8 */
		v = json_null();
	if (!ouser_claim_ok(claim, v, err)) {
		json_decref(v);
		return NULL;
	}
	return v;
}

json_t *
ouser_view(const json_t *rec)
{
	json_t	*c = json_object_get(rec, "claims");

	return json_pack("{s:s,s:s,s:O,s:I,s:I}",
	    "username", ojson_str(rec, "username"),
	    "subject", ojson_str(rec, "sub"),
	    "claims", json_is_object(c) ? c : json_object(),
	    "created_at", ojson_int(rec, "created_at"),
	    "updated_at", ojson_int(rec, "updated_at"));
}

json_t *
ouser_claims(const json_t *user, const json_t *scopes)
{
	json_t	*out = json_object(), *c = json_object_get(user, "claims");
	json_t	*v;
	size_t	 i;

	for (i = 0; i < NCLAIMS; i++)
		if ((ojson_has(scopes, claims[i].scope) ||
		    (i < NAME_CLAIMS && ojson_has(scopes, "aq:name"))) &&
		    (v = json_object_get(c, claims[i].name)) != NULL)
			json_object_set(out, claims[i].name, v);
	if (ojson_has(scopes, "profile")) {
		if (json_object_get(out, "preferred_username") == NULL)
			json_object_set_new(out, "preferred_username",
			    json_string(ojson_str(user, "username")));
		json_object_set(out, "updated_at",
		    json_object_get(user, "updated_at"));
	}
	return out;
}

/* Load the record of folded name k (a new reference), or NULL. */
static json_t *
load(struct ostore_txn *t, const char *k)
{
	const void	*v;
	size_t		 vl;
	json_t		*rec;

	if (ostore_get(t, OSTORE_USERS, k, strlen(k), &v, &vl) != OSTORE_OK ||
	    (rec = json_loadb(v, vl, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return NULL;
	if (ojson_int(rec, "v") != 1) {
		olog_err("users: record of an unknown version");
		json_decref(rec);
		return NULL;
	}
	return rec;
}

/* The users_by_subject key of (sub, folded name) into key. */
static size_t
subject_key(const char *sub, const char *k, char key[KEY_MAX])
{
	size_t	 sl = strlen(sub), kl = strlen(k);

	if (sl + 1 + kl > KEY_MAX || sl == 0)
		return 0;
	memcpy(key, sub, sl);
	key[sl] = '\0';
	memcpy(key + sl + 1, k, kl);
	return sl + 1 + kl;
}

/* Store a record (and, with index set, its users_by_subject entry). */
static int
save(struct ostore_txn *t, const json_t *rec, int index, unsigned flags,
    struct oerr *err)
{
	char		 k[OUSER_NAME_MAX + 1], key[KEY_MAX];
	char		*buf;
	size_t		 klen;
	enum ostore_rc	 rc;

	if (!fold(ojson_str(rec, "username"), k, OUSER_NAME_MAX) ||
	    (klen = subject_key(ojson_str(rec, "sub"), k, key)) == 0) {
		oerr_set(err, OERR_SERVER_ERROR, "The user record is "
		    "malformed.");
		return 0;
	}
	buf = json_dumps(rec, JSON_COMPACT);
	rc = ostore_put(t, OSTORE_USERS, k, strlen(k), buf, strlen(buf),
	    flags);
	ocrypto_wipe(buf, strlen(buf));
	free(buf);
	if (rc == OSTORE_OK && index)
		rc = ostore_put(t, OSTORE_USERS_BY_SUBJECT, key, klen, "", 0,
		    0);
	if (rc == OSTORE_EXISTS) {
		oerr_set(err, OERR_CONFLICT, "The user '%.128s' exists "
		    "already.", ojson_str(rec, "username"));
		return 0;
	}
	if (rc != OSTORE_OK) {
		oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
		return 0;
	}
	return 1;
}

/* Arguments of the write functions. */
struct op {
	const char	*username;
	const char	*hash;		/* a new password's hash */
	const char	*claim;		/* set_claim */
	const json_t	*value;
	const json_t	*claims;	/* create */
	json_t		*rec;		/* result */
};

static int
create_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct op	*op = arg;
	char		 sub[37];
	int64_t		 now = onow();

	json_decref(op->rec);
	ocrypto_uuid4(sub);
	op->rec = json_pack("{s:i,s:s,s:s,s:s,s:O,s:I,s:I}", "v", 1,
	    "username", op->username, "sub", sub, "password", op->hash,
	    "claims", op->claims, "created_at", (json_int_t)now,
	    "updated_at", (json_int_t)now);
	return save(t, op->rec, 1, OSTORE_NOOVERWRITE, err);
}

json_t *
ouser_create(const char *username, const char *password,
    const json_t *in, struct oerr *err)
{
	struct op	 op;
	char		 hash[OHASH_MAX];
	const char	*k;
	json_t		*v, *c = NULL, *view = NULL;

	memset(&op, 0, sizeof(op));
	if (!ouser_name_ok(username, err) || !password_ok(password, err))
		return NULL;
	if (in != NULL && !json_is_object(in)) {
		oerr_set(err, OERR_INVALID_REQUEST, "The claims are an "
		    "object.");
		return NULL;
	}
	c = json_object();
	if (in != NULL)
		json_object_foreach((json_t *)in, k, v) {
			if (!ouser_claim_ok(k, v, err))
				goto out;
			json_object_set(c, k, v);
		}
	if (!ohash_password(password, hash, sizeof(hash))) {
		oerr_set(err, OERR_SERVER_ERROR, "The password could not be "
		    "hashed.");
		goto out;
	}
	op.username = username;
	op.hash = hash;
	op.claims = c;
	if (ostore_write(create_fn, &op, err))
		view = ouser_view(op.rec);
out:
	ocrypto_wipe(hash, sizeof(hash));
	json_decref(op.rec);
	json_decref(c);
	return view;
}

/* The record of username (any case), or NULL with a 404 in err. */
static json_t *
load_name(struct ostore_txn *t, const char *username, struct oerr *err)
{
	char	 k[OUSER_NAME_MAX + 1];
	json_t	*rec = NULL;

	if (username != NULL && fold(username, k, OUSER_NAME_MAX) &&
	    *k != '\0')
		rec = load(t, k);
	if (rec == NULL)
		oerr_set(err, OERR_NOT_FOUND, "The user '%.128s' does not "
		    "exist.", username != NULL ? username : "");
	return rec;
}

json_t *
ouser_get(const char *username, struct oerr *err)
{
	struct ostore_txn	*t;
	json_t			*rec, *view = NULL;

	if ((t = ostore_read_begin(err)) == NULL)
		return NULL;
	rec = load_name(t, username, err);
	ostore_read_end(t);
	if (rec != NULL)
		view = ouser_view(rec);
	json_decref(rec);
	return view;
}

/* First key of a prefix scan, copied (see ouser_get_by_subject). */
static int
first_cb(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	char	**out = arg;

	*out = oxstrndup(k, kl);
	return 0;
}

json_t *
ouser_get_by_subject(const char *sub, struct oerr *err)
{
	struct ostore_txn	*t;
	char			 prefix[KEY_MAX], *key = NULL;
	size_t			 plen;
	json_t			*rec = NULL, *view = NULL;

	if (sub == NULL || (plen = strlen(sub)) == 0 || plen + 1 > KEY_MAX) {
		oerr_set(err, OERR_NOT_FOUND, "No user has this subject.");
		return NULL;
	}
	memcpy(prefix, sub, plen);
	prefix[plen++] = '\0';
	if ((t = ostore_read_begin(err)) == NULL)
		return NULL;
	if (ostore_scan(t, OSTORE_USERS_BY_SUBJECT, prefix, plen, NULL, 0,
	    first_cb, &key) == OSTORE_OK && key != NULL)
		rec = load(t, key + plen);
	ostore_read_end(t);
	free(key);
	if (rec != NULL && strcmp(ojson_str(rec, "sub"), sub) == 0)
		view = ouser_view(rec);
	else
		oerr_set(err, OERR_NOT_FOUND, "No user has this subject.");
	json_decref(rec);
	return view;
}

static int
list_cb(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	json_t	*rec;

	if ((rec = json_loadb(v, vl, JSON_REJECT_DUPLICATES, NULL)) != NULL) {
		json_array_append_new(arg, ouser_view(rec));
		json_decref(rec);
	}
	return 1;
}

json_t *
ouser_list(struct oerr *err)
{
	struct ostore_txn	*t;
	json_t			*out = json_array();

	if ((t = ostore_read_begin(err)) == NULL) {
		json_decref(out);
		return NULL;
	}
	if (ostore_scan(t, OSTORE_USERS, NULL, 0, NULL, 0, list_cb, out) !=
	    OSTORE_OK) {
		ostore_read_end(t);
		json_decref(out);
		oerr_set(err, OERR_SERVER_ERROR, "The store failed to list "
		    "the users.");
		return NULL;
	}
	ostore_read_end(t);
	return out;
}

static int
passwd_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct op	*op = arg;

	json_decref(op->rec);
	if ((op->rec = load_name(t, op->username, err)) == NULL)
		return 0;
	json_object_set_new(op->rec, "password", json_string(op->hash));
	return save(t, op->rec, 0, 0, err);
}

int
ouser_passwd(const char *username, const char *password, struct oerr *err)
{
	struct op	 op;
	char		 hash[OHASH_MAX];
	int		 ok;

	memset(&op, 0, sizeof(op));
	if (!password_ok(password, err))
		return 0;
	if (!ohash_password(password, hash, sizeof(hash))) {
		oerr_set(err, OERR_SERVER_ERROR, "The password could not be "
		    "hashed.");
		return 0;
	}
	op.username = username;
	op.hash = hash;
	ok = ostore_write(passwd_fn, &op, err);
	ocrypto_wipe(hash, sizeof(hash));
	json_decref(op.rec);
	return ok;
}

static int
claim_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct op	*op = arg;
	json_t		*c;

	json_decref(op->rec);
	if ((op->rec = load_name(t, op->username, err)) == NULL)
		return 0;
	if (!json_is_object(c = json_object_get(op->rec, "claims"))) {
		c = json_object();
		json_object_set_new(op->rec, "claims", c);
	}
	if (op->value != NULL)
		json_object_set(c, op->claim, (json_t *)op->value);
	else
		json_object_del(c, op->claim);
	json_object_set_new(op->rec, "updated_at", json_integer(onow()));
	return save(t, op->rec, 0, 0, err);
}

json_t *
ouser_set_claim(const char *username, const char *claim,
    const json_t *value, struct oerr *err)
{
	struct op	 op;
	json_t		*view = NULL;

	memset(&op, 0, sizeof(op));
	/* Removing needs only a known name. */
	if (value != NULL ? !ouser_claim_ok(claim, value, err) :
	    !claim_known(claim, err))
		return NULL;
	op.username = username;
	op.claim = claim;
	op.value = value;
	if (ostore_write(claim_fn, &op, err))
		view = ouser_view(op.rec);
	json_decref(op.rec);
	return view;
}

json_t *
ouser_erase(struct ostore_txn *t, const char *username, struct oerr *err)
{
	char		 k[OUSER_NAME_MAX + 1], key[KEY_MAX];
	json_t		*rec;
	size_t		 klen;

	if ((rec = load_name(t, username, err)) == NULL)
		return NULL;
	if (!fold(ojson_str(rec, "username"), k, OUSER_NAME_MAX) ||
	    (klen = subject_key(ojson_str(rec, "sub"), k, key)) == 0 ||
	    ostore_del(t, OSTORE_USERS, k, strlen(k)) == OSTORE_ERR ||
	    ostore_del(t, OSTORE_USERS_BY_SUBJECT, key, klen) == OSTORE_ERR) {
		json_decref(rec);
		oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
		return NULL;
	}
	return rec;
}

/*
 * The lockout records' keys in the flows database: SHA-256 of
 * "lockout", 0x00 and the folded username (the limit across addresses),
 * and of the same plus 0x00 and the client's address (see addr_part()).
 */
static void
lockout_key(const char *k, const char *addr,
    unsigned char key[OCRYPTO_SHA256_LEN])
{
	unsigned char	 buf[8 + LOCKOUT_AUTH_MAX + 1 + LOCKOUT_ADDR_MAX];
	size_t		 n = strlen(k), al;

	memcpy(buf, "lockout", 8);
	memcpy(buf + 8, k, n);
	n += 8;
	if (addr != NULL) {
		al = strlen(addr);
		buf[n++] = '\0';
		memcpy(buf + n, addr, al);
		n += al;
	}
	ocrypto_sha256(buf, n, key);
}

/*
 * The part of a client address that names one client: an IPv4 address
 * as it is, an IPv6 address's /64 (one host usually has all of it), as
 * hex; anything else as it is, cut to LOCKOUT_ADDR_MAX bytes.
 */
static void
addr_part(const char *addr, char out[LOCKOUT_ADDR_MAX + 1])
{
	unsigned char	 a6[16];
	size_t		 i;

	if (addr == NULL)
		addr = "";
	if (strchr(addr, ':') != NULL && inet_pton(AF_INET6, addr, a6) == 1) {
		for (i = 0; i < 8; i++)
			snprintf(out + 2 * i, 3, "%02x", a6[i]);
		memcpy(out + 16, "/64", 4);
		return;
	}
	snprintf(out, LOCKOUT_ADDR_MAX + 1, "%s", addr);
}

/* The failures across addresses that limit a username (see users.h). */
static size_t
global_limit(void)
{
	size_t	 n = (size_t)oconf->lockout_attempts * LOCKOUT_GLOBAL_FACTOR;

	return n > LOCKOUT_GLOBAL_MAX ? LOCKOUT_GLOBAL_MAX : n;
}

struct attempt {
	unsigned char	 key[OCRYPTO_SHA256_LEN];	/* username, address */
	unsigned char	 gkey[OCRYPTO_SHA256_LEN];	/* username */
	int64_t		 at;		/* when this attempt was counted */
	int		 locked;	/* out: refused */
	int		 success;	/* clear and refund */
};

/* Load the lockout record of a key (a new reference), or NULL. */
static json_t *
lockout_load(struct ostore_txn *t, const unsigned char *key)
{
	const void	*v;
	size_t		 vl;

	if (ostore_get(t, OSTORE_FLOWS, key, OCRYPTO_SHA256_LEN, &v, &vl) !=
	    OSTORE_OK)
		return NULL;
	return json_loadb(v, vl, 0, NULL);
}

/* Delete the lockout record of a key with its expiry entry. */
static int
lockout_del(struct ostore_txn *t, const unsigned char *key,
    const json_t *rec)
{
	if (rec == NULL)
		return 1;
	ostore_expiry_del(t, OSTORE_FLOWS, key, OCRYPTO_SHA256_LEN,
	    ojson_int(rec, "exp"));
	return ostore_del(t, OSTORE_FLOWS, key, OCRYPTO_SHA256_LEN) !=
	    OSTORE_ERR;
}

/*
 * Replace the record of key (old, possibly NULL) by one with the
 * failures kept and locked_until; none when both are empty.
 */
static int
lockout_put(struct ostore_txn *t, const unsigned char *key, json_t *old,
    json_t *kept, int64_t until)
{
	json_t	*rec, *e;
	int64_t	 exp, last = 0;
	size_t	 i;
	char	*buf;
	int	 ok;

	ok = lockout_del(t, key, old);
	if (json_array_size(kept) == 0 && until == 0) {
		json_decref(kept);
		return ok;
	}
	json_array_foreach(kept, i, e)
		if (json_integer_value(e) > last)
			last = json_integer_value(e);
	exp = last + oconf->lockout_window;
	if (until > exp)
		exp = until;
	rec = json_pack("{s:i,s:s,s:o,s:I,s:I}", "v", 1, "kind", "lockout",
	    "fails", kept, "locked_until", (json_int_t)until,
	    "exp", (json_int_t)exp);
	buf = json_dumps(rec, JSON_COMPACT);
	json_decref(rec);
	ok = ok && ostore_put(t, OSTORE_FLOWS, key, OCRYPTO_SHA256_LEN, buf,
	    strlen(buf), 0) == OSTORE_OK && ostore_expiry_put(t, OSTORE_FLOWS,
	    key, OCRYPTO_SHA256_LEN, exp) == OSTORE_OK;
	free(buf);
	return ok;
}

/* The failures of rec still within ui.lockout.window (a new array). */
static json_t *
recent(const json_t *rec, int64_t now)
{
	json_t	*kept = json_array(), *e;
	size_t	 i;

	json_array_foreach(json_object_get(rec, "fails"), i, e)
		if (json_integer_value(e) > now - oconf->lockout_window)
			json_array_append(kept, e);
	return kept;
}

/*
 * Before the password is checked: refuse when the username is locked
 * for this address, or when it had global_limit() failures from all
 * addresses within the window; else count the attempt as failed in
 * both records (locking the username for this address when it is the
 * last allowed).  After a right password: clear the address's record
 * and take this attempt back out of the global one.
 */
static int
attempt_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct attempt	*a = arg;
	json_t		*rec, *grec, *kept, *gkept, *e;
	int64_t		 now = onow(), until;
	size_t		 i;
	int		 ok;

	a->locked = 0;
	rec = lockout_load(t, a->key);
	grec = lockout_load(t, a->gkey);
	if (a->success) {
		ok = lockout_del(t, a->key, rec);
		gkept = recent(grec, now);
		json_array_foreach(gkept, i, e)
			if (json_integer_value(e) == a->at) {
				json_array_remove(gkept, i);
				break;
			}
		ok = lockout_put(t, a->gkey, grec, gkept, 0) && ok;
		goto done;
	}
	kept = recent(rec, now);
	gkept = recent(grec, now);
	if (ojson_int(rec, "locked_until") > now ||
	    json_array_size(gkept) >= global_limit()) {
		a->locked = 1;
		json_decref(kept);
		json_decref(gkept);
		ok = 1;
		goto done;
	}
	a->at = now;
	json_array_append_new(kept, json_integer(now));
	json_array_append_new(gkept, json_integer(now));
	until = 0;
	if (json_array_size(kept) >= (size_t)oconf->lockout_attempts) {
		until = now + oconf->lockout_duration;
		json_array_clear(kept);
	}
	ok = lockout_put(t, a->key, rec, kept, until);
	ok = lockout_put(t, a->gkey, grec, gkept, 0) && ok;
done:
	json_decref(rec);
	json_decref(grec);
	if (!ok)
		oerr_set(err, OERR_SERVER_ERROR, "The store failed.");
	return ok;
}

enum ouser_auth
ouser_authenticate(const char *username, const char *password,
    const char *addr, json_t **user, struct oerr *err)
{
	struct attempt		 a;
	struct ostore_txn	*t;
	char			 k[LOCKOUT_AUTH_MAX + 1], *hash = NULL;
	char			 ap[LOCKOUT_ADDR_MAX + 1];
	json_t			*rec = NULL;
	int			 ok;

	*user = NULL;
	memset(&a, 0, sizeof(a));
	if (username == NULL || password == NULL ||
	    !fold(username, k, LOCKOUT_AUTH_MAX))
		return OUSER_AUTH_BAD;
	addr_part(addr, ap);
	lockout_key(k, ap, a.key);
	lockout_key(k, NULL, a.gkey);
	if (!ostore_write(attempt_fn, &a, err))
		return OUSER_AUTH_ERR;
	if (a.locked)
		return OUSER_AUTH_LOCKED;
	if ((t = ostore_read_begin(err)) == NULL)
		return OUSER_AUTH_ERR;
	if (strlen(k) <= OUSER_NAME_MAX && *k != '\0')
		rec = load(t, k);
	ostore_read_end(t);
	/* The same work whether or not the user exists. */
	if (rec != NULL)
		hash = oxstrdup(ojson_str(rec, "password"));
	ok = ohash_verify(password, NULL, hash != NULL ? hash :
	    OHASH_PASSWORD_DUMMY) &&
	    rec != NULL;
	free(hash);
	if (!ok) {
		json_decref(rec);
		return OUSER_AUTH_BAD;
	}
	a.success = 1;
	if (!ostore_write(attempt_fn, &a, err)) {
		json_decref(rec);
		return OUSER_AUTH_ERR;
	}
	*user = ouser_view(rec);
	json_decref(rec);
	return OUSER_AUTH_OK;
}

/* The number of user records (users.h). */
int
ouser_count(struct ostore_txn *t, size_t *n, struct oerr *err)
{
	if (ostore_count(t, OSTORE_USERS, n) != OSTORE_OK) {
		oerr_set(err, OERR_SERVER_ERROR, "The users could not be "
		    "counted.");
		return 0;
	}
	return 1;
}
