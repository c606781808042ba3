/*
 * users.h: the user store of the bundled login app: people who sign in
 * with a username and a password, and their OpenID Connect standard
 * claims (OpenID Connect Core §5.1).
 *
 * USERNAMES are 1 to OUSER_NAME_MAX bytes of ASCII letters, digits and
 * ". _ @ + -" (so an email address is one), not starting with '-'.  They
 * are unique without regard to case: the store's key is the name folded
 * to lower case, and the record keeps it as it was given.
 *
 * SUBJECTS are UUIDv4s chosen when the user is created and never reused
 * (OpenID Connect Core §2: "never reassigned"), so a user deleted and
 * made again under the same name is a new subject; deleting a user also
 * ends their login sessions and revokes their consents and tokens.
 *
 * PASSWORDS are kept only as scrypt hashes (hash.h: ohash_password) and
 * checked in constant time; a username that does not exist is checked
 * against a dummy hash of the same cost, so the time a sign-in takes
 * does not tell whether the user exists.
 *
 * LOCKOUT, keyed so that an attacker's failures do not lock the owner
 * out from elsewhere: after ui.lockout.attempts failed sign-ins on one
 * username from one client address (REMOTE_ADDR; an IPv6 address's
 * /64) within ui.lockout.window, the username is locked for that
 * address for ui.lockout.duration.  Across all addresses together a
 * username takes at most 10 times ui.lockout.attempts failures (at most
 * 1000) per ui.lockout.window: beyond that every sign-in on it is
 * refused until the oldest leaves the window, so that a guess spread
 * over many addresses is still bounded.  Both hold whether or not such
 * a user exists (so the lockout tells nothing either).  An attempt is
 * counted as failed before its password is checked and refunded when
 * it was right, so concurrent guesses cannot get past the limits.  The
 * records live in the "flows" database (schema/store.md), which the
 * flush already expires.
 *
 * Records (database "users", key the folded username) are JSON:
 * {"v": 1, "username", "sub", "password" (hash), "claims" {...},
 * "created_at", "updated_at"}; "users_by_subject" (sub NUL folded
 * username -> empty) finds a user by subject.
 */
#ifndef OIDCGI_USERS_H
#define OIDCGI_USERS_H

#include <stddef.h>

#include <jansson.h>

struct oerr;
struct ostore_txn;

#define OUSER_NAME_MAX		128	/* bytes of a username */
#define OUSER_PASSWORD_MIN	8	/* bytes of a new password */
#define OUSER_PASSWORD_MAX	1024
#define OUSER_CLAIM_MAX		1024	/* bytes of a string claim */

/*
 * Check a username for creation (see above).  Returns 1, or 0 with a 400
 * in err saying what is wrong.
 */
int	 ouser_name_ok(const char *username, struct oerr *err);

/*
 * Create a user with a password (OUSER_PASSWORD_MIN to _MAX bytes) and
 * claims (an object of standard claims, or NULL; see ouser_claim_ok).
 * A username that exists, in any case, is a 409.  Returns the new
 * record's view (ouser_view), or NULL with err set.
 */
json_t	*ouser_create(const char *username, const char *password,
	    const json_t *claims, struct oerr *err);
/* The view of a user by username (any case), or NULL with a 404. */
json_t	*ouser_get(const char *username, struct oerr *err);
/* The view of a user by subject, or NULL with a 404. */
json_t	*ouser_get_by_subject(const char *sub, struct oerr *err);
/* Every user's view, in folded username order (a new array), or NULL. */
json_t	*ouser_list(struct oerr *err);
/* Replace a user's password; 1, or 0 with err set (404, 400). */
int	 ouser_passwd(const char *username, const char *password,
	    struct oerr *err);
/*
 * Set one claim (value NULL removes it), bumping updated_at.  Returns the
 * new view, or NULL with err set (404; 400 naming a claim that is not a
 * standard one, or a value of the wrong type).
 */
json_t	*ouser_set_claim(const char *username, const char *claim,
	    const json_t *value, struct oerr *err);
/*
 * Delete the records of a user, nothing else (deleting a user is
 * olife_user_delete(), lifecycle.h, which takes their sessions and
 * consents with them).  Returns the deleted record (a new reference),
 * or NULL with err set (404).
 */
json_t	*ouser_erase(struct ostore_txn *, const char *username,
	    struct oerr *err);

/*
 * 1 if claim is a standard claim a user may hold and value has its type
 * (string of at most OUSER_CLAIM_MAX bytes, boolean, or for "address"
 * an object of strings); else 0 with a 400 naming it.  updated_at and
 * sub are kept by the store, never set.
 */
int	 ouser_claim_ok(const char *claim, const json_t *value,
	    struct oerr *err);

/*
 * A claim's value from text, as an operator types it: true or false for
 * the *_verified claims, a JSON object for address, the text itself for
 * the others; then checked as ouser_claim_ok() does.  Returns a new
 * reference, or NULL with a 400 in err.
 */
json_t	*ouser_claim_parse(const char *claim, const char *text,
	    struct oerr *err);

/*
 * A user record as shown to operators: {"username", "subject",
 * "claims", "created_at", "updated_at"}, never the password hash.
 * A new reference.
 */
json_t	*ouser_view(const json_t *rec);

/*
 * The claims of a user (a view or a record) that the granted scopes
 * cover (OpenID Connect Core §5.4: profile, email, address, phone),
 * for a consent's session.id_token.  preferred_username defaults to the
 * username and updated_at is always there with profile.  Authentiq's
 * aq:name covers the name claims (name, given_name, family_name,
 * middle_name) as profile gives them.  A new object.
 */
json_t	*ouser_claims(const json_t *user, const json_t *scopes);

enum ouser_auth {
	OUSER_AUTH_OK,		/* *user is the user's view */
	OUSER_AUTH_BAD,		/* wrong password or no such user */
	OUSER_AUTH_LOCKED,	/* too many failures; nothing was checked */
	OUSER_AUTH_ERR		/* err set (the store failed) */
};

/*
 * Check a sign-in from the client address addr (REMOTE_ADDR; NULL or
 * "" when unknown), with the lockout described above.  Outside any
 * store transaction.  On OUSER_AUTH_OK *user is a new reference.
 */
enum ouser_auth	 ouser_authenticate(const char *username,
		    const char *password, const char *addr, json_t **user,
		    struct oerr *err);

/*
 * The number of user records, inside a transaction (see store.h).
 * Returns 1 with *n set, or 0 with a 500 in err.
 */
int	 ouser_count(struct ostore_txn *, size_t *n, struct oerr *err);

#endif
