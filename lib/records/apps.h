/*
 * apps.h: application records, the applications that own OAuth 2.0
 * clients (/v1/applications; the dialect's rules are in
 * protocol/apps.h).  This module is the only code that reads or writes
 * the "apps" database (schema/store.md).
 *
 * A record is decoded into a struct oapp at the store boundary: each
 * member a string the struct owns (freed by oapp_clear()), NULL when
 * the record lacks it.  On disk it stays the JSON object of
 * schema/store.md, written with its members in the order "_v",
 * "app_id", "app_name", "app_description", "logo", "created_at",
 * "updated_at", "default_client_id" (absent members left out), byte
 * for byte what earlier versions wrote.
 *
 * The application's clients are ordinary client records whose app_id is
 * the application's (records/clients.h, struct oclient_filter).
 */
#ifndef OIDCGI_APPS_H
#define OIDCGI_APPS_H

struct oerr;
struct ostore_txn;

#define OAPP_VERSION	1	/* "_v" of an application record */
#define OAPP_ID_MAX	64	/* longer ids cannot exist: 404 */
#define OAPP_ID_LEN	36	/* characters of a generated id (UUIDv4) */

struct oapp {
	char	*id;			/* app_id, the key */
	char	*name;			/* app_name */
	char	*description;		/* app_description */
	char	*logo;			/* a URL or a small data URI */
	char	*created_at;		/* RFC 3339 UTC */
	char	*updated_at;		/* RFC 3339 UTC */
	char	*default_client_id;	/* client created with the app */
};

/* Free the strings of app and set them to NULL (app itself is kept). */
void	 oapp_clear(struct oapp *app);

/*
 * Replace the string *field of a struct oapp with a copy of v (NULL
 * sets it absent).
 */
void	 oapp_set(char **field, const char *v);

/*
 * Store operations, inside a transaction (see store.h).
 */
/*
 * Load application id into app (cleared first).  Returns 1, or 0 with
 * a 404 (no such application; ids longer than OAPP_ID_MAX are never
 * looked up) or a 500 (the store failed, or the record is damaged or of
 * a newer version) in err; app is then clear.
 */
int	 oapp_load(struct ostore_txn *, const char *id, struct oapp *app,
	    struct oerr *err);
/*
 * Insert app, which must have an id; an id that exists is a 409.
 * Returns 1, or 0 with err set.
 */
int	 oapp_insert(struct ostore_txn *, const struct oapp *app,
	    struct oerr *err);
/* Write app over the record of its id.  Returns 1, or 0 with err set. */
int	 oapp_replace(struct ostore_txn *, const struct oapp *app,
	    struct oerr *err);
/*
 * Delete the record of application id (its clients are the caller's).
 * Returns 1, or 0 with a 404 or 500 in err.
 */
int	 oapp_remove(struct ostore_txn *, const char *id, struct oerr *err);
/*
 * Call fn for every application, in app_id order, with the decoded
 * record (valid during the call only) and arg; fn returns 1 to go on,
 * 0 to stop (with its own err set).  Returns 1 when every record was
 * visited, or 0 with err set (a 500 when a record is damaged or the
 * store failed).
 */
int	 oapp_scan(struct ostore_txn *, int (*fn)(const struct oapp *,
	    void *arg, struct oerr *err), void *arg, struct oerr *err);

#endif
