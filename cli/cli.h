/*
 * cli.h: the commands of the oidcgi tool, one file each.
 */
#ifndef OIDCGI_CLI_H
#define OIDCGI_CLI_H

#include <stddef.h>

/*
 * oidcgi clients create|get|list|update|delete ...: argv[0] is the
 * verb.  The configuration (oconf) is loaded and the store open.
 * Returns the exit status.
 */
int	 cmd_clients(int argc, char *argv[]);
/* oidcgi keys create|get|delete|rotate|import ...: as cmd_clients. */
int	 cmd_keys(int argc, char *argv[]);
/* oidcgi users add|get|list|passwd|set-claim|delete ...: as cmd_clients. */
int	 cmd_users(int argc, char *argv[]);
/* oidcgi demo: the demo user and client of a fresh store (cli/users.c). */
int	 cmd_demo(int argc, char *argv[]);
/*
 * oidcgi doctor PUBLIC_URL ADMIN_URL [--admin-key KEY]: check a running
 * deployment from outside (cli/doctor.c).  Needs no configuration; when
 * one loads (from conffile, or as the binaries find it when NULL), also
 * checks the data directory.  Returns the exit status.
 */
int	 cmd_doctor(const char *conffile, int argc, char *argv[]);

/*
 * oidcgi store copy FROM TO: every record of one store (an LMDB data
 * directory or a postgres:// DSN) copied into another that is empty
 * (cli/store.c).  Needs no configuration and no store open.  Returns
 * the exit status: 0, 2 for a destination that holds records (or bad
 * usage), 1 for any other failure.
 */
int	 cmd_store(int argc, char *argv[]);

struct oconf;
/*
 * Act as the owner of the data directory (cli/owner.c): with user
 * (init --user), root creates it owned by that user, gives the user
 * what it holds, and becomes the user; otherwise root becomes the
 * owner of an existing data directory that is not root's.  Does
 * nothing for other users.  Returns 1, or 0 with a message.
 */
int	 cli_owner(const struct oconf *, const char *user, char *msg,
	    size_t msgsz);

#endif
