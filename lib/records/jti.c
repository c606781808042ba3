/*
 * jti.c: the single-use store of client assertion ids (see jti.h).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/crypto.h"
#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "store/store.h"
#include "records/jti.h"

/*
 * The key: SHA-256 of "jti:" client_id NUL jti.
 */
void
ojti_key(const char *client_id, const char *jti,
    unsigned char key[OJTI_KEY_LEN])
{
	size_t	 il = strlen(client_id), jl = strlen(jti);
	char	*buf;

	buf = oxmalloc(4 + il + 1 + jl);
	memcpy(buf, "jti:", 4);
	memcpy(buf + 4, client_id, il);
	buf[4 + il] = '\0';
	memcpy(buf + 4 + il + 1, jti, jl);
	ocrypto_sha256(buf, 4 + il + 1 + jl, key);
	free(buf);
}

/*
 * Spend a mark (see jti.h): read it, refuse a live one, replace an
 * expired one, and write the new one with its expiry entry.
 */
int
ojti_use(struct ostore_txn *t, const unsigned char key[OJTI_KEY_LEN],
    int64_t exp, struct oerr *err)
{
	const void	*v;
	size_t		 vl;
	json_t		*old, *rec;
	char		*buf;
	int64_t		 oexp;
	enum ostore_rc	 rc;

	rc = ostore_get(t, OSTORE_FLOWS, key, OJTI_KEY_LEN, &v, &vl);
	if (rc == OSTORE_OK) {
		old = json_loadb(v, vl, 0, NULL);
		oexp = (int64_t)ojson_int(old, "exp");
		json_decref(old);
		if (oexp > onow()) {
			oerr_set(err, OERR_INVALID_CLIENT, "The client "
			    "assertion's 'jti' has been used before.");
			return 0;
		}
		/* An old use not flushed yet: replaced. */
		if (ostore_expiry_del(t, OSTORE_FLOWS, key, OJTI_KEY_LEN,
		    oexp) != OSTORE_OK)
			goto store;
	} else if (rc != OSTORE_NOTFOUND)
		goto store;
	rec = json_pack("{s:i,s:s,s:I}", "v", 1, "kind", "client_assertion",
	    "exp", (json_int_t)exp);
	buf = json_dumps(rec, JSON_COMPACT);
	json_decref(rec);
	rc = ostore_put(t, OSTORE_FLOWS, key, OJTI_KEY_LEN, buf, strlen(buf),
	    0);
	free(buf);
	if (rc != OSTORE_OK || ostore_expiry_put(t, OSTORE_FLOWS, key,
	    OJTI_KEY_LEN, exp) != OSTORE_OK)
		goto store;
	return 1;
store:
	oerr_set(err, OERR_SERVER_ERROR, "The client assertion could not be "
	    "recorded.");
	return 0;
}
