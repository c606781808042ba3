/*
 * tfix.h: fixtures shared by the unit tests (tests/unit/tfix.c, linked
 * into every test binary; not a test itself).  A store in a fresh
 * temporary directory, JSON written as text in a test, and the checks
 * several test files make alike.
 *
 * The fixtures do not fail a test themselves (t.h's failure flag is per
 * file): each returns what happened and prints what went wrong, and
 * the caller CHECK()s the result.  Fixtures marked fatal abort() on a
 * mistake in the test's own text instead.
 */
#ifndef OIDCGI_TFIX_H
#define OIDCGI_TFIX_H

#include <stddef.h>

#include <jansson.h>

#include "base/err.h"
#include "base/form.h"
#include "store/store.h"

/* A test's store: base from mkdtemp(), the store's files in base/var. */
struct tfix_store {
	char	 base[256];
	char	 var[256 + 8];
};

/*
 * Make a fresh directory "$TMPDIR/<name>.XXXXXX" (TMPDIR unset or empty:
 * /tmp) and set s->var to its "var" subdirectory, where ostore_open()
 * will put the store; the store is not opened.  Returns 1, or 0 with
 * what failed printed (s->base is then empty).
 */
int	 tfix_dir(struct tfix_store *s, const char *name);

/*
 * tfix_dir(), then ostore_open() of s->var with the default map size.
 * Returns 1, or 0 with what failed printed and nothing left behind.
 */
int	 tfix_store_open(struct tfix_store *s, const char *name);
/*
 * The PostgreSQL DSN the store tests run on (OIDCGI_TEST_DSN, set by
 * make check when scripts/pgtest could start a server), or NULL: LMDB.
 * With it, tfix_store_open() opens that database and empties it.
 */
const char	*tfix_dsn(void);

/*
 * tfix_store_open(), then the default signing keys made
 * (okeys_ensure_defaults()).  Returns 1, or 0 with what failed printed
 * and nothing left behind.
 */
int	 tfix_store_keys(struct tfix_store *s, const char *name);

/*
 * Close the store (whether open or not), remove its data.mdb, lock.mdb
 * and the directories of tfix_dir().  Returns 1, or 0 when the
 * directory could not be removed (printed).  Does nothing more after a
 * failed tfix_dir() or tfix_store_open().
 */
int	 tfix_store_close(struct tfix_store *s);

/*
 * ostore_write(fn, arg) with a cleared error, printing the error when
 * it fails.  Returns what ostore_write() returns.
 */
int	 twrite(int (*fn)(struct ostore_txn *, void *, struct oerr *),
	    void *arg);

/*
 * 1 if key (keylen bytes) is in db, 0 if not, -1 when no read
 * transaction could begin.
 */
int	 tpresent(enum ostore_db db, const void *key, size_t keylen);

/*
 * An authorization code, sealed as the consent verifier issues one
 * (ogrant_code()), for the grant g (JSON, as stored) to the stored
 * client its client_id names: a new string (free()).  Fatal when the
 * grant does not decode.
 */
char	*tcode(const json_t *g);

/*
 * 1 if the access or refresh token tok is live now as introspection
 * finds it (otoken_identify(), then otoken_lookup() and otoken_live()
 * in a read transaction), 0 if not (unknown, revoked, used, expired).
 */
int	 tlive(const char *tok);

/*
 * JSON text written in a test, parsed as any value (duplicate members
 * refused, NUL in strings allowed); a new reference.  Fatal on a typo.
 */
json_t	*J(const char *text);

/*
 * 1 if member k of o equals the JSON text want, else 0 with both
 * printed (an absent member as "(absent)").  want is parsed with J().
 */
int	 jeq(const json_t *o, const char *k, const char *want);

/* String member k of o, or NULL when absent or not a string. */
const char *sget(const json_t *o, const char *k);

/*
 * 1 if err is a 400 whose description names the field as 'field' (in
 * single quotes), else 0 with what it is printed.
 */
int	 named(const struct oerr *err, const char *field);

/* The form tform_set() fills: its pairs borrow the strings given. */
extern struct oparams	 tform;

/*
 * Set tform to the name, value pairs given, up to a NULL name (at most
 * 16 pairs; more are left out).
 */
void	 tform_set(const char *name, ...);

/*
 * Register a client (oclient_create()) from its JSON text; the secret
 * made is dropped.  Fatal when the text or the client is refused.
 */
void	 tclient(const char *text);

#endif
