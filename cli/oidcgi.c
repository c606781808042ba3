/*
 * oidcgi: the command-line tool for operators.  It works on the data
 * directory directly, so it needs no running web server.
 *
 *   oidcgi [-c FILE] COMMAND  FILE is the configuration file
 *   oidcgi init [--user USER] check the configuration, create the data
 *                             directory (owned by USER: the user the web
 *                             server runs the binaries as), the system
 *                             secret, the store and the default signing
 *                             keys
 *   oidcgi config check       check the configuration only
 *   oidcgi config get KEY     print one configuration value
 *   oidcgi clients ...        manage OAuth 2.0 clients (cli/clients.c)
 *   oidcgi keys ...           manage JSON Web Key sets (cli/keys.c)
 *   oidcgi users ...          manage the users of the bundled login
 *                             app (cli/users.c)
 *   oidcgi demo               on a store without users and clients,
 *                             create a demo user and client and print
 *                             how to try them (cli/users.c)
 *   oidcgi doctor ...         check a running deployment (cli/doctor.c)
 *   oidcgi migrate sql [-e] [--yes] [DSN]
 *                             create or upgrade the store's tables in
 *                             the PostgreSQL database of DSN (else of
 *                             the configuration's dsn), as Hydra's
 *                             migrate sql; the binaries never do it
 *   oidcgi store copy FROM TO copy every record of a store (an LMDB
 *                             data directory or a postgres:// DSN) into
 *                             an empty one (cli/store.c)
 *   oidcgi version
 *
 * It reads the configuration exactly as the FastCGI binaries do
 * (OIDCGI_CONFIG, the environment, OIDCGI_DATA_DIR), unless -c names
 * the file.  Run by root, it acts as the data directory's owner (see
 * cli/owner.c), so that the files it makes stay readable by the web
 * server's user.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/conf.h"
#include "base/err.h"
#include "base/util.h"
#include "store/store.h"
#include "records/keys.h"
#include "cli.h"

static void
usage(void)
{
	fprintf(stderr, "usage: oidcgi [-c FILE] init [--user USER]\n"
	    "       oidcgi config check | get KEY\n"
	    "       oidcgi clients create|get|list|update|delete ...\n"
	    "       oidcgi keys create|get|delete|rotate|import ...\n"
	    "       oidcgi users add|get|list|passwd|set-claim|delete ...\n"
	    "       oidcgi demo\n"
	    "       oidcgi doctor PUBLIC_URL ADMIN_URL [--admin-key KEY]\n"
	    "       oidcgi migrate sql [-e] [--yes] [DSN]\n"
	    "       oidcgi store copy FROM TO\n"
	    "       oidcgi version\n");
}


/* Commands that need the secrets and the store open. */
static int
with_store(struct oconf *c, int (*fn)(int, char *[]), int argc,
    char *argv[])
{
	struct oerr	 err;
	char		 msg[512];
	int		 rc;

	oerr_clear(&err);
	if (!oconf_secrets(c, msg, sizeof(msg))) {
		fprintf(stderr, "oidcgi: %s\n", msg);
		return 1;
	}
	if (!ostore_open(c->dsn != NULL ? c->dsn : c->data_dir, c->map_size,
	    &err)) {
		fprintf(stderr, "oidcgi: %s\n", err.description);
		return 1;
	}
	/* PostgreSQL connects lazily: say now why it cannot serve. */
	if (c->dsn != NULL && !ostore_ready()) {
		fprintf(stderr, "oidcgi: the store is not available: the "
		    "PostgreSQL database cannot be reached, or its tables "
		    "are missing or of another version (oidcgi migrate "
		    "sql); see the log above\n");
		ostore_close();
		return 1;
	}
	oconf = c;
	rc = fn(argc, argv);
	oconf = NULL;
	ostore_close();
	return rc;
}

/* oidcgi init: the secret, the store and the default signing keys. */
static int
init_keys(int argc, char *argv[])
{
	struct oerr	 err;

	oerr_clear(&err);
	if (!okeys_ensure_defaults(&err)) {
		fprintf(stderr, "oidcgi: %s\n", err.description);
		return 1;
	}
	return 0;
}

static int
cmd_config(struct oconf *c, int argc, char *argv[])
{
	char	 buf[2048];	/* a full webfinger.jwks.broadcast_keys */

	if (argc == 1 && strcmp(argv[0], "check") == 0)
		return 0;
	if (argc == 2 && strcmp(argv[0], "get") == 0) {
		if (!oconf_value(c, argv[1], buf, sizeof(buf))) {
			fprintf(stderr, "oidcgi: %s\n", buf);
			return 1;
		}
		puts(buf);
		return 0;
	}
	usage();
	return 2;
}

/*
 * oidcgi migrate sql [-e | --read-from-env] [--yes | -y] [DSN]: the
 * PostgreSQL store's tables created or upgraded (ostore_migrate()).
 * The DSN is the argument, else the configuration's (with -e, as with
 * Hydra, that is the DSN variable, which the configuration reads too).
 * Hydra's --yes is accepted: there is nothing to confirm.
 */
static int
cmd_migrate(struct oconf *c, int argc, char *argv[])
{
	struct oerr	 err;
	const char	*dsn = NULL;
	int		 i, from, to;

	if (argc < 1 || strcmp(argv[0], "sql") != 0) {
		usage();
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-e") == 0 ||
		    strcmp(argv[i], "--read-from-env") == 0 ||
		    strcmp(argv[i], "--yes") == 0 ||
		    strcmp(argv[i], "-y") == 0)
			continue;
		if (dsn != NULL || argv[i][0] == '-') {
			usage();
			return 2;
		}
		dsn = argv[i];
	}
	if (dsn == NULL)
		dsn = c->dsn;
	if (dsn == NULL) {
		fprintf(stderr, "oidcgi: migrate sql: no PostgreSQL dsn "
		    "(postgres://...) given or configured; an LMDB store "
		    "needs no migration\n");
		return 1;
	}
	oerr_clear(&err);
	if (!ostore_migrate(dsn, &from, &to, &err)) {
		fprintf(stderr, "oidcgi: migrate sql: %s\n",
		    err.description);
		return 1;
	}
	if (from == to)
		printf("The database is at schema version %d; nothing to "
		    "do.\n", to);
	else
		printf("Migrated the database from schema version %d to "
		    "%d.\n", from, to);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct oconf	 c;
	const char	*file = NULL, *user = NULL;
	char		 msg[512];
	int		 rc;

	olog_init("oidcgi");
	umask(077);
	if (argc >= 3 && strcmp(argv[1], "-c") == 0) {
		file = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc < 2) {
		usage();
		return 2;
	}
	if (strcmp(argv[1], "version") == 0) {
		puts(OIDCGI_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "doctor") == 0)
		return cmd_doctor(file, argc - 2, argv + 2);
	if (strcmp(argv[1], "store") == 0)
		return cmd_store(argc - 2, argv + 2);
	if (strcmp(argv[1], "init") == 0 && argc == 4 &&
	    strcmp(argv[2], "--user") == 0)
		user = argv[3];
	else if (strcmp(argv[1], "init") == 0 && argc != 2) {
		usage();
		return 2;
	}
	memset(&c, 0, sizeof(c));
	if (!oconf_load(&c, file, msg, sizeof(msg))) {
		fprintf(stderr, "oidcgi: %s\n", msg);
		return 1;
	}
	olog_set_level(c.log_level);
	if (!cli_owner(&c, user, msg, sizeof(msg))) {
		fprintf(stderr, "oidcgi: %s\n", msg);
		oconf_free(&c);
		return 1;
	}
	if (strcmp(argv[1], "init") == 0 && user == NULL && geteuid() == 0)
		fprintf(stderr, "oidcgi: warning: %s belongs to root; the web "
		    "server's user cannot open it unless it runs as root: "
		    "oidcgi init --user USER gives it to USER\n", c.data_dir);
	if (strcmp(argv[1], "init") == 0)
		rc = with_store(&c, init_keys, 0, NULL);
	else if (strcmp(argv[1], "keys") == 0)
		rc = with_store(&c, cmd_keys, argc - 2, argv + 2);
	else if (strcmp(argv[1], "clients") == 0)
		rc = with_store(&c, cmd_clients, argc - 2, argv + 2);
	else if (strcmp(argv[1], "users") == 0)
		rc = with_store(&c, cmd_users, argc - 2, argv + 2);
	else if (strcmp(argv[1], "demo") == 0)
		rc = with_store(&c, cmd_demo, argc - 2, argv + 2);
	else if (strcmp(argv[1], "migrate") == 0)
		rc = cmd_migrate(&c, argc - 2, argv + 2);
	else if (strcmp(argv[1], "config") == 0)
		rc = cmd_config(&c, argc - 2, argv + 2);
	else {
		usage();
		rc = 2;
	}
	oconf_free(&c);
	return rc;
}
