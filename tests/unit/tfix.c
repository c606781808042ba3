/*
 * tfix.c: the unit tests' shared fixtures; see tfix.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/err.h"
#include "base/form.h"
#include "base/util.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/keys.h"
#include "records/tokens.h"
#include "tfix.h"

#define TFORM_MAX	16

struct oparams		 tform;
static struct oparam	 tform_v[TFORM_MAX];

int
tfix_dir(struct tfix_store *s, const char *name)
{
	const char	*tmp;
	int		 n;

	s->base[0] = s->var[0] = '\0';
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	n = snprintf(s->base, sizeof(s->base), "%s/%s.XXXXXX", tmp, name);
	if (n < 0 || (size_t)n >= sizeof(s->base)) {
		fprintf(stderr, "tfix_dir: TMPDIR or name too long\n");
		s->base[0] = '\0';
		return 0;
	}
	if (mkdtemp(s->base) == NULL) {
		fprintf(stderr, "mkdtemp: %s: %s\n", s->base,
		    strerror(errno));
		s->base[0] = '\0';
		return 0;
	}
	snprintf(s->var, sizeof(s->var), "%s/var", s->base);
	return 1;
}

/* The database wipe() is emptying. */
static int	 wipe_db;

/* Delete every record shown (wipe()). */
static int
wipe_one(const void *k, size_t klen, const void *v, size_t vlen, void *arg)
{
	struct ostore_txn	*t = arg;

	return ostore_del(t, (enum ostore_db)wipe_db, k, klen) ==
	    OSTORE_OK;
}

/* Empty every database of the store: a PostgreSQL store starts fresh. */
static int
wipe(struct ostore_txn *t, void *arg, struct oerr *err)
{
	for (wipe_db = 0; wipe_db < OSTORE__MAX; wipe_db++)
		if (ostore_scan(t, (enum ostore_db)wipe_db, NULL, 0,
		    NULL, 0, wipe_one, t) != OSTORE_OK)
			return 0;
	return 1;
}

const char *
tfix_dsn(void)
{
	const char	*dsn = getenv("OIDCGI_TEST_DSN");

	return dsn != NULL && *dsn != '\0' ? dsn : NULL;
}

int
tfix_store_open(struct tfix_store *s, const char *name)
{
	struct oerr	 err;
	const char	*dsn = tfix_dsn();

	if (!tfix_dir(s, name))
		return 0;
	oerr_clear(&err);
	if (dsn != NULL) {
		if (!ostore_open(dsn, 0, &err) ||
		    !ostore_write(wipe, NULL, &err)) {
			fprintf(stderr, "ostore_open: %s\n", err.description);
			ostore_close();
			rmdir(s->base);
			s->base[0] = s->var[0] = '\0';
			return 0;
		}
		return 1;
	}
	if (!ostore_open(s->var, 0, &err)) {
		fprintf(stderr, "ostore_open: %s\n", err.description);
		rmdir(s->var);
		rmdir(s->base);
		s->base[0] = s->var[0] = '\0';
		return 0;
	}
	return 1;
}

int
tfix_store_keys(struct tfix_store *s, const char *name)
{
	struct oerr	 err;

	if (!tfix_store_open(s, name))
		return 0;
	oerr_clear(&err);
	if (!okeys_ensure_defaults(&err)) {
		fprintf(stderr, "okeys_ensure_defaults: %s\n",
		    err.description);
		tfix_store_close(s);
		return 0;
	}
	return 1;
}

int
tfix_store_close(struct tfix_store *s)
{
	char	 p[sizeof(s->var) + 16];

	ostore_close();
	if (s->base[0] == '\0')
		return 1;
	snprintf(p, sizeof(p), "%s/data.mdb", s->var);
	unlink(p);
	snprintf(p, sizeof(p), "%s/lock.mdb", s->var);
	unlink(p);
	rmdir(s->var);
	if (rmdir(s->base) != 0) {
		fprintf(stderr, "rmdir: %s: %s\n", s->base, strerror(errno));
		return 0;
	}
	s->base[0] = s->var[0] = '\0';
	return 1;
}

int
twrite(int (*fn)(struct ostore_txn *, void *, struct oerr *), void *arg)
{
	struct oerr	 err;
	int		 rc;

	oerr_clear(&err);
	if (!(rc = ostore_write(fn, arg, &err)))
		fprintf(stderr, "ostore_write: %s\n", err.description);
	return rc;
}

int
tpresent(enum ostore_db db, const void *key, size_t keylen)
{
	struct ostore_txn	*t;
	const void		*v;
	size_t			 vl;
	enum ostore_rc		 rc;

	if ((t = ostore_read_begin(NULL)) == NULL)
		return -1;
	rc = ostore_get(t, db, key, keylen, &v, &vl);
	ostore_read_end(t);
	return rc == OSTORE_OK;
}

char *
tcode(const json_t *g)
{
	struct ogrant	 grant;
	struct oerr	 e;
	json_t		*c;
	char		*out;

	oerr_clear(&e);
	if (!ogrant_decode(g, &grant, &e)) {
		fprintf(stderr, "tcode: %s\n", e.description);
		abort();
	}
	c = oclient_get(grant.client_id, &e);
	/* Sealed: the transaction is never used (tokens.h). */
	out = ogrant_code(NULL, &grant, c != NULL ? sget(c, "_epoch") : "",
	    &e);
	json_decref(c);
	ogrant_free(&grant);
	return out;
}

int
tlive(const char *tok)
{
	struct ostore_txn	*t;
	struct otoken_rec	 rec;
	struct oerr		 e;
	enum otoken_kind	 kind;
	unsigned char		 id[OTOKEN_ID_LEN];
	int			 rc = 0;

	if (!otoken_identify(tok, &kind, id) ||
	    (t = ostore_read_begin(NULL)) == NULL)
		return 0;
	oerr_clear(&e);
	if (otoken_lookup(t, tok, id, &rec, &e)) {
		rc = otoken_live(&rec, kind, onow());
		otoken_rec_free(&rec);
	}
	ostore_read_end(t);
	return rc;
}

json_t *
J(const char *text)
{
	json_error_t	 je;
	json_t		*v;

	if ((v = json_loads(text, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL |
	    JSON_DECODE_ANY, &je)) == NULL) {
		fprintf(stderr, "bad test JSON: %s: %s\n", text, je.text);
		abort();
	}
	return v;
}

int
jeq(const json_t *o, const char *k, const char *want)
{
	json_t	*w = J(want);
	char	*got;
	int	 eq;

	if (!(eq = json_equal(json_object_get(o, k), w))) {
		got = json_dumps(json_object_get(o, k),
		    JSON_ENCODE_ANY | JSON_COMPACT);
		fprintf(stderr, "%s: %s != %s\n", k, got ? got : "(absent)",
		    want);
		free(got);
	}
	json_decref(w);
	return eq;
}

const char *
sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

int
named(const struct oerr *err, const char *field)
{
	char	 q[128];

	snprintf(q, sizeof(q), "'%s'", field);
	if (err->status == 400 && strstr(err->description, q) != NULL)
		return 1;
	fprintf(stderr, "want a 400 naming %s, got %d: %s\n", q, err->status,
	    err->description);
	return 0;
}

void
tform_set(const char *name, ...)
{
	va_list	 ap;
	size_t	 n = 0;

	va_start(ap, name);
	for (; name != NULL && n < TFORM_MAX;
	    name = va_arg(ap, const char *)) {
		tform_v[n].name = name;
		tform_v[n].value = va_arg(ap, const char *);
		tform_v[n].vlen = strlen(tform_v[n].value);
		n++;
	}
	va_end(ap);
	tform.v = tform_v;
	tform.n = n;
}

void
tclient(const char *text)
{
	struct oerr	 err;
	json_t		*in, *rec;
	char		 secret[OCLIENT_SECRET_MAX + 1];

	oerr_clear(&err);
	if ((in = json_loads(text, 0, NULL)) == NULL ||
	    (rec = oclient_create(in, 0, secret, &err)) == NULL) {
		fprintf(stderr, "client %s: %s\n", text, err.description);
		abort();
	}
	json_decref(rec);
	json_decref(in);
}
