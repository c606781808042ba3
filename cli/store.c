/*
 * store.c: oidcgi store copy FROM TO, every record of one store
 * copied into another (ostore_copy(), lib/store/copy.c), to move a
 * site between an LMDB data directory and a PostgreSQL database.
 */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "store/store.h"
#include "cli.h"

/* What a store is called in the summary (no DSN: it may hold a password). */
static const char *
kind(const char *target, char *buf, size_t sz)
{
	if (strncmp(target, "postgres://", 11) == 0 ||
	    strncmp(target, "postgresql://", 13) == 0)
		snprintf(buf, sz, "the PostgreSQL database");
	else
		snprintf(buf, sz, "the data directory %s", target);
	return buf;
}

/* oidcgi store copy FROM TO (cli.h). */
int
cmd_store(int argc, char *argv[])
{
	struct oerr		 err;
	size_t			 counts[OSTORE__MAX], total = 0, n;
	char			 a[1100], b[1100];
	int			 db;
	enum ostore_copy_rc	 rc;

	if (argc != 3 || strcmp(argv[0], "copy") != 0) {
		fprintf(stderr, "usage: oidcgi store copy FROM TO\n"
		    "  FROM and TO: an LMDB data directory or a "
		    "postgres:// DSN\n");
		return 2;
	}
	oerr_clear(&err);
	rc = ostore_copy(argv[1], argv[2], counts, &err);
	if (rc != OSTORE_COPY_OK) {
		n = strlen(err.description);
		fprintf(stderr, "oidcgi: store copy: %s%s%s\n",
		    err.description, err.hint[0] == '\0' ? "" :
		    n > 0 && err.description[n - 1] == '.' ? " " : ". ",
		    err.hint);
		return rc == OSTORE_COPY_NOTEMPTY ? 2 : 1;
	}
	for (db = 0; db < OSTORE__MAX; db++)
		total += counts[db];
	printf("Copied %zu records from %s to %s:\n", total,
	    kind(argv[1], a, sizeof(a)), kind(argv[2], b, sizeof(b)));
	for (db = 0; db < OSTORE__MAX; db++)
		printf("  %-20s %zu\n", ostore_db_name(db), counts[db]);
	return 0;
}
