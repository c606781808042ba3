/*
 * device.h: the device authorizations of RFC 8628 (schema/store.md,
 * device and device_by_user_code).
 *
 * A device authorization is stored under the SHA-256 of its
 * device_code (the code itself is never stored) until it expires
 * (ttl.device_user_code), with the user code the person types, the
 * client and what it asked for, the polling state, and once the person
 * has answered the grant (approved) or the error (denied); it is
 * flushed ODEVICE_KEEP after it expired.  Its user
 * code indexes it while it waits for the person (pending); the index
 * entry goes once a device challenge accepted the code (claimed).
 *
 * Failed user code lookups are counted per device challenge (by its
 * id) in the same index database, under "fail" NUL id, so that
 * guessing is throttled (protocol/device.h says the rule).
 *
 * This module is the only code that reads or writes these tables.
 */
#ifndef OIDCGI_DEVICE_REC_H
#define OIDCGI_DEVICE_REC_H

#include <stdint.h>

#include "base/json.h"
#include "store/store.h"
#include "records/tokens.h"

struct oerr;

#define ODEVICE_KEY_LEN		32	/* SHA-256 of a device code */
#define ODEVICE_KEY_HEX		(2 * ODEVICE_KEY_LEN + 1)
#define ODEVICE_USER_CODE_LEN	8
/*
 * How long an authorization is kept after its exp, so that a device
 * still polling is told expired_token rather than invalid_grant.
 */
#define ODEVICE_KEEP		(10 * 60)

enum odevice_status {
	ODEVICE_PENDING,	/* waiting for the person's user code */
	ODEVICE_CLAIMED,	/* the code accepted; login and consent run */
	ODEVICE_APPROVED,	/* consent given: grant set */
	ODEVICE_DENIED,		/* login or consent rejected: error */
	ODEVICE_USED		/* the tokens were issued */
};

/* A device authorization, decoded; strings owned (odevice_rec_free). */
struct odevice_rec {
	unsigned char		 key[ODEVICE_KEY_LEN];
	char			*client_id;
	struct ojson_strs	 scope;		/* requested */
	struct ojson_strs	 aud;		/* requested */
	/* The user code: set to create; never stored (its MAC is). */
	char			 user_code[ODEVICE_USER_CODE_LEN + 1];
	unsigned char		 uc_mac[ODEVICE_KEY_LEN]; /* index key */
	int64_t			 requested_at;
	int64_t			 exp;
	int64_t			 interval;	/* seconds a poll waits */
	int64_t			 last_poll;	/* 0: never polled */
	enum odevice_status	 status;
	int			 has_grant;	/* APPROVED */
	struct ogrant		 grant;
	char			*error;		/* DENIED */
	char			*error_description;
};

void	 odevice_rec_free(struct odevice_rec *);

/* The store key of a device code, and as hex (NUL-terminated). */
void	 odevice_key(const char *device_code,
	    unsigned char key[ODEVICE_KEY_LEN]);
void	 odevice_key_hex(const unsigned char key[ODEVICE_KEY_LEN],
	    char hex[ODEVICE_KEY_HEX]);
/* The key from its hex.  Returns 1, or 0 when malformed. */
int	 odevice_key_unhex(const char *hex,
	    unsigned char key[ODEVICE_KEY_LEN]);

/*
 * Store a new pending authorization and its user code index entry.
 * Returns OSTORE_OK, OSTORE_EXISTS when the user code is taken (pick
 * another), or OSTORE_ERR with err set.
 */
enum ostore_rc	 odevice_create(struct ostore_txn *,
		    const struct odevice_rec *, struct oerr *err);
/*
 * Write an authorization back (its status, polling state, grant or
 * error changed); a claimed or later one loses its user code index
 * entry.  Returns 1, or 0 with err set.
 */
int	 odevice_save(struct ostore_txn *, const struct odevice_rec *,
	    struct oerr *err);
/*
 * Load the authorization of key into rec (zeroed first).  Returns
 * OSTORE_OK, OSTORE_NOTFOUND, or OSTORE_ERR with err set (also for a
 * damaged record).
 */
enum ostore_rc	 odevice_load(struct ostore_txn *,
		    const unsigned char key[ODEVICE_KEY_LEN],
		    struct odevice_rec *rec, struct oerr *err);
/*
 * The key of the pending authorization whose user code is user_code.
 * Returns OSTORE_OK, OSTORE_NOTFOUND or OSTORE_ERR.
 */
enum ostore_rc	 odevice_by_user_code(struct ostore_txn *,
		    const char *user_code, unsigned char key[ODEVICE_KEY_LEN]);

/*
 * The failed user code lookups of device challenge id: *n receives
 * their count (0 when none).  odevice_fail_add counts one more, kept
 * until exp.  Both return 1, or 0 on a store failure (err set).
 */
int	 odevice_fails(struct ostore_txn *, const char *id, int64_t *n,
	    struct oerr *err);
int	 odevice_fail_add(struct ostore_txn *, const char *id, int64_t exp,
	    struct oerr *err);

/*
 * The end of a device flow's consent step, for the authorization whose
 * key is hex (protocol/authorize.c): approve it with grant g, or deny
 * it with an error.  Only a claimed authorization changes; one that is
 * gone, expired or answered already is refused with invalid_request
 * (or a 500 when the store failed).  Returns 1, or 0 with err set.
 */
int	 odevice_approve(struct ostore_txn *, const char *hex,
	    const struct ogrant *g, struct oerr *err);
int	 odevice_deny(struct ostore_txn *, const char *hex,
	    const char *error, const char *description, struct oerr *err);

/*
 * Delete every authorization of client_id with its user code entry (the
 * client is deleted: lifecycle.h).  Authorizations are few and short
 * lived, so they are scanned rather than indexed by client.  Returns 1,
 * or 0 on a store failure.
 */
int	 odevice_erase_client(struct ostore_txn *, const char *client_id);

/*
 * Delete an expired record (db OSTORE_DEVICE: with its user code
 * index entry; OSTORE_DEVICE_BY_USER_CODE: a failure count) for the
 * janitor walking OSTORE_EXPIRY (lifecycle.h).  Returns 1, or 0 on a
 * store failure.
 */
int	 odevice_expire(struct ostore_txn *, enum ostore_db, const void *key,
	    size_t keylen);

#endif
