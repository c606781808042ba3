/*
 * serve.h: the start-up and request loop of every binary (serve.c).
 *
 * A binary's main() hands omain() its route tables (web/route.h); the
 * process then serves them until the web server stops it.
 */
#ifndef OIDCGI_SERVE_H
#define OIDCGI_SERVE_H

#include <stddef.h>

#include "web/route.h"

/*
 * Serve the routes of one binary until the web server stops it (FastCGI)
 * or for the one request in the environment (CGI).  Loads and validates
 * the configuration first; a bad one stops the process with a one-line
 * message naming the key.  Returns the process exit status.
 */
int	 omain(int argc, char *argv[], const struct oroute *, size_t);

/*
 * omain() for a binary of several route tables (ntables of them),
 * searched in order as one (see struct oroute_table).  The tables
 * must outlive the call.
 */
int	 omain_tables(int argc, char *argv[], const struct oroute_table *,
	    size_t ntables);

/*
 * Why this process cannot serve now, in one line (the configuration
 * does not load, the store does not open, ...), or "" when it can.
 */
const char	*oserve_problem(void);

#endif
