/*
 * mint: prepares refresh tokens for the benchmark (never installed).
 * The refresh scenario spends one fresh refresh token per request, tens
 * of thousands of them, and running that many code flows first would
 * take minutes.  This tool issues them the way the token endpoint does
 * at the end of a code flow (ogrant_issue(): an access token and a
 * refresh token per grant, each grant a chain of its own) for a client
 * that exists, many per write transaction, and prints one token per
 * line.
 *
 * usage: mint CLIENT_ID COUNT
 *
 * It reads the configuration and opens the store (the data directory,
 * or the PostgreSQL database its dsn names) exactly as the FastCGI
 * binaries do (OIDCGI_CONFIG, OIDCGI_DATA_DIR, the environment), so it
 * can run beside a live server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/crypto.h"
#include "base/err.h"
#include "base/util.h"
#include "store/store.h"
#include "records/clients.h"
#include "records/tokens.h"

#define BATCH	1000	/* tokens per write transaction */

struct mint {
	const char	*client_id;
	long		 n;
	json_t		*out;		/* the refresh tokens of the batch */
};

/* One batch: n grants, each with its access and refresh token. */
static int
mint_fn(struct ostore_txn *t, void *arg, struct oerr *err)
{
	struct mint	*m = arg;
	const struct oclient *client;
	struct ogrant	 grant;
	json_t		*resp;
	char		 rid[37];
	char		*scope[] = { "openid", "offline_access" };
	json_t		*session;
	long		 i;
	int		 ok = 0;

	json_array_clear(m->out);
	if ((client = oclient_find(t, m->client_id, err)) == NULL)
		return 0;
	/* The grant is borrowed: nothing of it is freed. */
	session = json_pack("{s:{},s:{}}", "id_token", "access_token");
	for (i = 0; i < m->n; i++) {
		ocrypto_uuid4(rid);
		memset(&grant, 0, sizeof(grant));
		grant.request_id = rid;
		grant.client_id = (char *)m->client_id;
		grant.sub = "bench-user";
		grant.sid = rid;
		grant.scope.v = scope;
		grant.scope.n = 2;
		grant.auth_time = grant.requested_at = onow();
		grant.has = OGRANT_HAS_AUTH_TIME | OGRANT_HAS_REQUESTED_AT;
		grant.session = session;
		resp = ogrant_issue(t, &grant, client, OISSUE_ACCESS |
		    OISSUE_REFRESH, NULL, "authorization_code", err);
		if (resp == NULL)
			goto out;
		json_array_append(m->out, json_object_get(resp,
		    "refresh_token"));
		json_decref(resp);
	}
	ok = 1;
out:
	json_decref(session);
	oclient_release(client);
	return ok;
}

int
main(int argc, char *argv[])
{
	struct oconf	 c;
	struct oerr	 err;
	struct mint	 m;
	json_t		*v;
	char		 msg[512];
	long		 total, done;
	size_t		 i;
	int		 rc = 1;

	olog_init("mint");
	umask(077);
	if (argc != 3 || (total = strtol(argv[2], NULL, 10)) < 1) {
		fprintf(stderr, "usage: mint CLIENT_ID COUNT\n");
		return 2;
	}
	memset(&c, 0, sizeof(c));
	oerr_clear(&err);
	if (!oconf_load(&c, NULL, msg, sizeof(msg)) ||
	    !oconf_secrets(&c, msg, sizeof(msg))) {
		fprintf(stderr, "mint: %s\n", msg);
		return 1;
	}
	oconf = &c;
	if (!ostore_open(c.dsn != NULL ? c.dsn : c.data_dir, c.map_size,
	    &err)) {
		fprintf(stderr, "mint: %s\n", err.description);
		goto out;
	}
	/* Keys are loaded before any write transaction (tokens.h). */
	if (!ogrant_prepare(&err)) {
		fprintf(stderr, "mint: %s\n", err.description);
		goto out;
	}
	m.client_id = argv[1];
	m.out = json_array();
	for (done = 0; done < total; done += m.n) {
		m.n = total - done < BATCH ? total - done : BATCH;
		if (!ostore_write(mint_fn, &m, &err)) {
			fprintf(stderr, "mint: %s\n", err.description);
			json_decref(m.out);
			goto out;
		}
		json_array_foreach(m.out, i, v)
			puts(json_string_value(v));
	}
	json_decref(m.out);
	rc = fflush(stdout) != 0;
out:
	ostore_close();
	oconf = NULL;
	oconf_free(&c);
	return rc;
}
