/*
 * keys.c: "oidcgi keys ...", JSON Web Key sets on the data directory.
 *
 *   oidcgi keys create SET --alg ALG [--kid KID] [--use sig|enc]
 *                          [--bits 2048|3072|4096]
 *   oidcgi keys get SET [KID] [--public]
 *   oidcgi keys delete SET [KID]
 *   oidcgi keys rotate SET      a new key with the newest key's alg; the
 *                               old ones stay to verify until deleted
 *   oidcgi keys import SET FILE... [--kid KID] [--alg ALG] [--use U]
 *                               PEM or JWK (or JWK Set) files, added to
 *                               the set
 *
 * Output is the JWK Set as JSON (with private members unless --public,
 * as the admin API answers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/crypto.h"
#include "base/err.h"
#include "base/util.h"
#include "jose/jose.h"
#include "records/keys.h"
#include "cli.h"

#define FILE_MAX	(1024 * 1024)

static int
fail(const struct oerr *err)
{
	fprintf(stderr, "oidcgi: %s\n", err->description);
	return 1;
}

/* Print j (a new reference) and release it; a NULL j is a failure. */
static int
print(json_t *j, const struct oerr *err)
{
	char	*s;

	if (j == NULL)
		return fail(err);
	s = json_dumps(j, JSON_COMPACT);
	puts(s);
	free(s);
	json_decref(j);
	return 0;
}

/*
 * Split argv into positional arguments and the flags allowed (each
 * takes a value, except --public).  Unknown flags and missing values
 * are refused with a message.  Returns 1, or 0.
 */
struct args {
	const char	*pos[8];
	int		 npos;
	const char	*alg, *kid, *use, *bits;
	int		 public;
};

static int
parse(int argc, char *argv[], const char *allowed, struct args *a)
{
	static const char *const names[] = { "--alg", "--kid", "--use",
	    "--bits" };
	const char	**vals[] = { &a->alg, &a->kid, &a->use, &a->bits };
	int		 i, k;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0) {
			if (a->npos == 8)
				return 0;
			a->pos[a->npos++] = argv[i];
			continue;
		}
		if (strstr(allowed, argv[i]) == NULL) {
			fprintf(stderr, "oidcgi: %s: unknown flag\n", argv[i]);
			return 0;
		}
		if (strcmp(argv[i], "--public") == 0) {
			a->public = 1;
			continue;
		}
		for (k = 0; k < 4; k++)
			if (strcmp(argv[i], names[k]) == 0)
				break;
		if (k == 4 || i + 1 == argc) {
			fprintf(stderr, "oidcgi: %s needs a value\n", argv[i]);
			return 0;
		}
		*vals[k] = argv[++i];
	}
	return 1;
}

/* Read a whole file (at most FILE_MAX bytes) into a new string. */
static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "oidcgi: %s: cannot be read\n", path);
		return NULL;
	}
	buf = oxmalloc(FILE_MAX + 1);
	*len = fread(buf, 1, FILE_MAX + 1, f);
	fclose(f);
	if (*len > FILE_MAX) {
		fprintf(stderr, "oidcgi: %s: larger than 1 MiB\n", path);
		free(buf);
		return NULL;
	}
	buf[*len] = '\0';
	return buf;
}

/*
 * Import the keys of one file (PEM, a JWK or a JWK Set) into set, one
 * key at a time, so the set's other keys stay as they are (even those
 * this process cannot open); kid, alg and use override, for a file of
 * one key.  Returns 1, or 0 with err set.
 */
static int
import_file(const char *set, const char *path, const struct args *a,
    struct oerr *err)
{
	struct ojwks	*keys = NULL;
	struct ojwk	*k = NULL;
	json_t		*j = NULL, *e, *out;
	char		*buf;
	size_t		 len, i;
	int		 rc = 0;

	if ((buf = slurp(path, &len)) == NULL) {
		oerr_set(err, OERR_INVALID_REQUEST, "%s: cannot be read",
		    path);
		return 0;
	}
	if (strstr(buf, "-----BEGIN ") != NULL) {
		if ((k = ojwk_import_pem(buf, len, 0, err)) != NULL) {
			keys = ojwks_new();
			ojwks_add(keys, k);
		}
	} else if ((j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL)) ==
	    NULL)
		oerr_set(err, OERR_INVALID_REQUEST, "%s: neither PEM nor JSON",
		    path);
	else if (json_is_array(json_object_get(j, "keys")))
		keys = ojwks_import(j, 0, err);
	else if ((k = ojwk_import(j, 0, err)) != NULL) {
		keys = ojwks_new();
		ojwks_add(keys, k);
	}
	if (keys == NULL)
		goto out;
	if (keys->nkeys != 1 && (a->kid != NULL || a->alg != NULL ||
	    a->use != NULL)) {
		oerr_set(err, OERR_INVALID_REQUEST, "%s: --kid, --alg and --use "
		    "need a file of one key", path);
		goto out;
	}
	for (i = 0; i < keys->nkeys; i++) {
		k = keys->keys[i];
		if ((a->kid != NULL && !ojwk_set_kid(k, a->kid, err)) ||
		    (a->alg != NULL && !ojwk_set_alg(k, a->alg, err)) ||
		    (a->use != NULL && !ojwk_set_use(k, a->use, err)) ||
		    (ojwk_kid(k) == NULL && !ojwk_set_kid(k, NULL, err)))
			goto out;
		if ((e = ojwk_export(k, ojwk_has_private(k), err)) == NULL)
			goto out;
		out = okeys_put(set, ojwk_kid(k), e, err);
		json_decref(e);
		if (out == NULL)
			goto out;
		json_decref(out);
	}
	rc = 1;
out:
	ojwks_free(keys);
	json_decref(j);
	ocrypto_wipe(buf, len);
	free(buf);
	return rc;
}

int
cmd_keys(int argc, char *argv[])
{
	struct oerr	 err;
	struct args	 a;
	long long	 nbits = 0;
	json_t		*cur;
	const char	*alg;
	size_t		 n;
	int		 i;

	oerr_clear(&err);
	if (argc >= 1 && strcmp(argv[0], "create") == 0 &&
	    parse(argc - 1, argv + 1, "--alg --kid --use --bits", &a) &&
	    a.npos == 1) {
		if (a.bits != NULL && !ostrtonum(a.bits, strlen(a.bits), 0,
		    16384, &nbits)) {
			fprintf(stderr, "oidcgi: --bits: not a number\n");
			return 2;
		}
		return print(okeys_generate(a.pos[0], a.alg, a.kid, a.use,
		    (int)nbits, &err), &err);
	}
	if (argc >= 1 && strcmp(argv[0], "get") == 0 &&
	    parse(argc - 1, argv + 1, "--public", &a) &&
	    (a.npos == 1 || a.npos == 2))
		return print(okeys_get(a.pos[0], a.npos == 2 ? a.pos[1] : NULL,
		    !a.public, &err), &err);
	if (argc >= 1 && strcmp(argv[0], "delete") == 0 &&
	    parse(argc - 1, argv + 1, "", &a) && (a.npos == 1 || a.npos == 2)) {
		if (!okeys_delete(a.pos[0], a.npos == 2 ? a.pos[1] : NULL, 0,
		    &err))
			return fail(&err);
		return 0;
	}
	if (argc >= 1 && strcmp(argv[0], "rotate") == 0 &&
	    parse(argc - 1, argv + 1, "", &a) && a.npos == 1) {
		if ((cur = okeys_get(a.pos[0], NULL, 1, &err)) == NULL)
			return fail(&err);
		n = json_array_size(json_object_get(cur, "keys"));
		alg = n == 0 ? NULL : json_string_value(json_object_get(
		    json_array_get(json_object_get(cur, "keys"), n - 1),
		    "alg"));
		i = print(okeys_generate(a.pos[0], alg != NULL ? alg :
		    "RS256", NULL, "sig", 0, &err), &err);
		json_decref(cur);
		return i;
	}
	if (argc >= 1 && strcmp(argv[0], "import") == 0 &&
	    parse(argc - 1, argv + 1, "--alg --kid --use", &a) &&
	    a.npos >= 2) {
		for (i = 1; i < a.npos; i++)
			if (!import_file(a.pos[0], a.pos[i], &a, &err))
				return fail(&err);
		return print(okeys_get(a.pos[0], NULL, 1, &err), &err);
	}
	fprintf(stderr, "usage: oidcgi keys create SET --alg ALG [--kid KID] "
	    "[--use U] [--bits N]\n"
	    "       oidcgi keys get SET [KID] [--public]\n"
	    "       oidcgi keys delete SET [KID]\n"
	    "       oidcgi keys rotate SET\n"
	    "       oidcgi keys import SET FILE... [--kid KID] [--alg ALG] "
	    "[--use U]\n");
	return 2;
}
