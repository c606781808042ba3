/*
 * clients.c: "oidcgi clients ...", client management on the data
 * directory itself (it works with the web server down), with Hydra's
 * CLI flags and JSON output in Hydra's shape.
 *
 *   oidcgi clients create [flags]
 *   oidcgi clients get ID
 *   oidcgi clients list [--limit N] [--offset N]
 *   oidcgi clients update ID [flags]   (given flags replace those fields)
 *   oidcgi clients delete ID
 *
 * flags: --id ID, --name NAME, --grant-type T, --response-type T,
 *        --scope S, --redirect-uri URI, --audience A, --owner O,
 *        --token-endpoint-auth-method M, --secret S
 * Repeatable flags (grant types, response types, scopes, redirect URIs,
 * audiences) may also take comma-separated lists.
 *
 * The operations are the admin API's (lib/protocol/hydra.h); update is
 * ohydra_merge(): only the fields of the flags given change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "base/util.h"
#include "protocol/hydra.h"
#include "cli.h"

static const struct {
	const char	*flag;
	const char	*field;
	int		 list;		/* an array member */
	const char	*sep;		/* how list items are split */
} flags[] = {
	{ "--id", "client_id", 0, NULL },
	{ "--name", "client_name", 0, NULL },
	{ "--grant-type", "grant_types", 1, "," },
	{ "--response-type", "response_types", 1, "," },
	{ "--scope", "scope", 2, ", " },
	{ "--redirect-uri", "redirect_uris", 1, "," },
	{ "--audience", "audience", 1, "," },
	{ "--owner", "owner", 0, NULL },
	{ "--token-endpoint-auth-method", "token_endpoint_auth_method", 0,
	    NULL },
	{ "--secret", "client_secret", 0, NULL },
};

#define NFLAGS	(sizeof(flags) / sizeof(flags[0]))

/* Print a JSON value on stdout, one line. */
static void
print(const json_t *j)
{
	char	*s = json_dumps(j, JSON_COMPACT);

	puts(s);
	free(s);
}

static int
fail(const struct oerr *err)
{
	fprintf(stderr, "oidcgi: %s\n", err->description);
	return 1;
}

/*
 * Build the input object from flags.  Lists accumulate; --scope joins
 * into one space-separated string.  Returns NULL (message printed) on a
 * bad flag.
 */
static json_t *
parse_flags(int argc, char *argv[])
{
	json_t		*in = json_object(), *a;
	const char	*old;
	char		*copy, *tok, *save;
	size_t		 i;
	int		 k;

	for (k = 0; k < argc; k++) {
		for (i = 0; i < NFLAGS; i++)
			if (strcmp(argv[k], flags[i].flag) == 0)
				break;
		if (i == NFLAGS || k + 1 == argc) {
			fprintf(stderr, "oidcgi: %s: %s\n", argv[k], i == NFLAGS ?
			    "unknown flag" : "needs a value");
			json_decref(in);
			return NULL;
		}
		k++;
		if (flags[i].list == 0) {
			json_object_set_new(in, flags[i].field,
			    json_string(argv[k]));
			continue;
		}
		copy = oxstrdup(argv[k]);
		for (tok = strtok_r(copy, flags[i].sep, &save); tok != NULL;
		    tok = strtok_r(NULL, flags[i].sep, &save)) {
			if (flags[i].list == 2) {
				old = json_string_value(json_object_get(in,
				    flags[i].field));
				json_object_set_new(in, flags[i].field,
				    old == NULL ? json_string(tok) :
				    json_sprintf("%s %s", old, tok));
				continue;
			}
			if ((a = json_object_get(in, flags[i].field)) == NULL) {
				a = json_array();
				json_object_set_new(in, flags[i].field, a);
			}
			json_array_append_new(a, json_string(tok));
		}
		free(copy);
	}
	return in;
}

/* Print out, an answer of the admin API, or err.  Releases out. */
static int
show(json_t *out, const struct oerr *err)
{
	if (out == NULL)
		return fail(err);
	print(out);
	json_decref(out);
	return 0;
}

static int
list(int argc, char *argv[])
{
	struct oerr	 err;
	long long	 limit = 100, offset = 0;
	int		 k;

	oerr_clear(&err);
	for (k = 0; k < argc; k += 2) {
		long long *p = strcmp(argv[k], "--limit") == 0 ? &limit :
		    strcmp(argv[k], "--offset") == 0 ? &offset : NULL;

		if (p == NULL || k + 1 == argc || !ostrtonum(argv[k + 1],
		    strlen(argv[k + 1]), 0, 1000000, p)) {
			fprintf(stderr, "oidcgi: usage: clients list "
			    "[--limit N] [--offset N]\n");
			return 2;
		}
	}
	return show(ohydra_list(NULL, (size_t)offset, (size_t)limit, NULL,
	    &err), &err);
}

int
cmd_clients(int argc, char *argv[])
{
	struct oerr	 err;
	json_t		*in = NULL;
	int		 rc = 1;

	oerr_clear(&err);
	if (argc >= 1 && strcmp(argv[0], "create") == 0) {
		if ((in = parse_flags(argc - 1, argv + 1)) == NULL)
			return 2;
		rc = show(ohydra_create(in, &err), &err);
	} else if (argc == 2 && strcmp(argv[0], "get") == 0)
		rc = show(ohydra_get(argv[1], &err), &err);
	else if (argc >= 2 && strcmp(argv[0], "update") == 0) {
		if ((in = parse_flags(argc - 2, argv + 2)) == NULL)
			return 2;
		rc = show(ohydra_merge(argv[1], in, &err), &err);
	} else if (argc == 2 && strcmp(argv[0], "delete") == 0)
		rc = ohydra_delete(argv[1], &err) ? 0 : fail(&err);
	else if (argc >= 1 && strcmp(argv[0], "list") == 0)
		rc = list(argc - 1, argv + 1);
	else {
		fprintf(stderr, "usage: oidcgi clients create [flags] | "
		    "get ID | list [--limit N] [--offset N] |\n"
		    "       update ID [flags] | delete ID\n");
		rc = 2;
	}
	json_decref(in);
	return rc;
}
