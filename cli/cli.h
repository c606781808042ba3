/*
 * cli.h: the commands of the oidcgi tool, one file each.
 */
#ifndef OIDCGI_CLI_H
#define OIDCGI_CLI_H

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

#endif
