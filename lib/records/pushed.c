/*
 * pushed.c: pushed authorization requests (see pushed.h).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/crypto.h"
#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "store/store.h"
#include "records/pushed.h"

#define KEY_LEN	32

/* The key: SHA-256 of "par" NUL ref. */
static void
pushed_key(const char *ref, unsigned char key[KEY_LEN])
{
	size_t	 rl = strlen(ref);
	char	*buf;

	buf = oxmalloc(4 + rl);
	memcpy(buf, "par", 4);
	memcpy(buf + 4, ref, rl);
	ocrypto_sha256(buf, 4 + rl, key);
	free(buf);
}

int
opushed_put(struct ostore_txn *t, const char *ref, const char *client_id,
    const json_t *params, int64_t exp, struct oerr *err)
{
	unsigned char	 key[KEY_LEN];
	json_t		*rec;
	char		*buf;
	enum ostore_rc	 rc;

	pushed_key(ref, key);
	rec = json_pack("{s:i,s:s,s:s,s:O,s:I}", "v", 1, "kind", "par",
	    "client_id", client_id, "params", params, "exp", (json_int_t)exp);
	buf = json_dumps(rec, JSON_COMPACT);
	json_decref(rec);
	rc = ostore_put(t, OSTORE_FLOWS, key, KEY_LEN, buf, strlen(buf),
	    OSTORE_NOOVERWRITE);
	free(buf);
	if (rc == OSTORE_OK && ostore_expiry_put(t, OSTORE_FLOWS, key,
	    KEY_LEN, exp) == OSTORE_OK)
		return 1;
	oerr_set(err, OERR_SERVER_ERROR, "The pushed authorization request "
	    "could not be stored.");
	return 0;
}

enum opushed_rc
opushed_take(struct ostore_txn *t, const char *ref, struct opushed *p,
    struct oerr *err)
{
	unsigned char	 key[KEY_LEN];
	const void	*v;
	size_t		 vl;
	json_t		*rec = NULL, *params;
	const char	*cid;
	int64_t		 exp;
	enum ostore_rc	 rc;
	enum opushed_rc	 ret = OPUSHED_ERR;

	memset(p, 0, sizeof(*p));
	pushed_key(ref, key);
	rc = ostore_get(t, OSTORE_FLOWS, key, KEY_LEN, &v, &vl);
	if (rc == OSTORE_NOTFOUND)
		return OPUSHED_UNKNOWN;
	if (rc != OSTORE_OK)
		goto store;
	rec = json_loadb(v, vl, JSON_REJECT_DUPLICATES, NULL);
	exp = (int64_t)ojson_int(rec, "exp");
	if (ostore_del(t, OSTORE_FLOWS, key, KEY_LEN) != OSTORE_OK ||
	    ostore_expiry_del(t, OSTORE_FLOWS, key, KEY_LEN, exp) ==
	    OSTORE_ERR)
		goto store;
	cid = ojson_str(rec, "client_id");
	params = json_object_get(rec, "params");
	if (strcmp(ojson_str(rec, "kind"), "par") != 0 || *cid == '\0' ||
	    !json_is_array(params)) {
		/* Not a pushed request: to the caller, an unknown one. */
		ret = OPUSHED_UNKNOWN;
		goto out;
	}
	if (exp <= onow()) {
		ret = OPUSHED_EXPIRED;
		goto out;
	}
	p->client_id = oxstrdup(cid);
	p->params = json_incref(params);
	p->exp = exp;
	ret = OPUSHED_OK;
	goto out;
store:
	oerr_set(err, OERR_SERVER_ERROR, "The pushed authorization request "
	    "could not be read.");
out:
	json_decref(rec);
	return ret;
}

void
opushed_free(struct opushed *p)
{
	free(p->client_id);
	json_decref(p->params);
	memset(p, 0, sizeof(*p));
}
