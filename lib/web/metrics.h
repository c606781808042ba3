/*
 * metrics.h: counters for Prometheus, shared by every process.
 *
 * The counters live in one small file in the data directory,
 * <data_dir>/metrics, which every process of every binary maps
 * MAP_SHARED and updates with atomic adds, so that they add up across
 * FastCGI processes, plain CGI (one process per request) and restarts.
 * A process maps the file once, lazily, on its first request after the
 * store is open; counting costs an atomic add and no system call.  A
 * process that cannot map the file logs that once and counts nothing:
 * counting never fails a request.
 *
 * File layout (version OMETRICS_VERSION, native byte order, as LMDB's
 * files are): a header of 16 bytes, the magic "oidcgiMX", the version
 * (uint32) and the number of counters (uint32), then that many uint64
 * counters: requests[family][listener][code], then
 * tokens[grant][type].  A file of any other size, magic, version or
 * counter count is replaced by a zeroed one (atomically, by rename, so
 * no process ever sees a half-written file).  schema/store.md
 * describes it too; keep the two in step.
 *
 * GET /admin/metrics/prometheus (cgi-bin/health.c) renders the counters
 * with ometrics_write().
 */
#ifndef OIDCGI_METRICS_H
#define OIDCGI_METRICS_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#define OMETRICS_FILE		"metrics"
#define OMETRICS_MAGIC		"oidcgiMX"	/* 8 bytes, no NUL */
#define OMETRICS_VERSION	1

/* Endpoint families: the binaries, by name. */
enum ometrics_family {
	OMETRICS_HEALTH,	/* "health" */
	OMETRICS_CLIENTS,	/* "clients" */
	OMETRICS_REGISTER,	/* "register" */
	OMETRICS_KEYS,		/* "keys" */
	OMETRICS_WELLKNOWN,	/* "wellknown" */
	OMETRICS_FLOW,		/* "flow" */
	OMETRICS_OAUTH2,	/* "oauth2" */
	OMETRICS_UI,		/* "ui" */
	OMETRICS_OTHER,		/* any other program name */
	OMETRICS_FAMILY__MAX
};

/* Grants tokens are issued under (the client's grant_types names). */
enum ometrics_grant {
	OMETRICS_AUTHORIZATION_CODE,	/* "authorization_code" */
	OMETRICS_REFRESH_TOKEN,		/* "refresh_token" */
	OMETRICS_CLIENT_CREDENTIALS,	/* "client_credentials" */
	OMETRICS_IMPLICIT,		/* "implicit": implicit and hybrid
					   flows, at /oauth2/auth */
	OMETRICS_GRANT__MAX
};

/* Token types, as named in a token response. */
enum ometrics_token {
	OMETRICS_ACCESS_TOKEN,		/* "access_token" */
	OMETRICS_ID_TOKEN,		/* "id_token" */
	OMETRICS_REFRESH,		/* "refresh_token" */
	OMETRICS_TOKEN__MAX
};

/*
 * The family of a program name: the basename of name, without a
 * ".cgi" or ".fcgi" suffix (a shared host may name the binaries so).
 * Unknown names (and NULL) are OMETRICS_OTHER.
 */
enum ometrics_family	 ometrics_family_of(const char *name);

/*
 * Map <dir>/metrics, creating or replacing it as described above (mode
 * 0600; owned like dir when running as root).  Called by the functions
 * below when needed; tests call it directly.  A mapping already open is
 * unmapped first.  Returns 1, or 0 (logged) with nothing mapped.
 */
int	 ometrics_open(const char *dir);
/* Unmap the file (tests; otherwise it stays mapped until the exit). */
void	 ometrics_close(void);
/*
 * Set the family this process counts requests under; by default it is
 * ometrics_family_of() the program's name.  For tests.
 */
void	 ometrics_set_family(enum ometrics_family);

/*
 * Count one answered request of this process's family on listener
 * (OLISTEN_PUBLIC or OLISTEN_ADMIN) with HTTP status (statuses outside
 * a fixed set count as code="other"; 0, no response, counts as 500, the
 * answer the router then gives).  Maps the file on first use once the
 * store is open (oconf->data_dir).  Never fails.
 */
void	 ometrics_request(unsigned listener, int status);

/*
 * Count the tokens a successful token response carries (its
 * "access_token", "id_token" and "refresh_token" members) under grant
 * (a grant_type name; unknown names and NULL responses count nothing).
 * Never fails.
 */
void	 ometrics_tokens(const char *grant, const json_t *resp);

/* A counter's current value (0 when nothing is mapped).  For tests. */
uint64_t ometrics_get_request(enum ometrics_family, unsigned listener,
	    int status);
uint64_t ometrics_get_tokens(enum ometrics_grant, enum ometrics_token);

/*
 * Write the Prometheus text exposition (format 0.0.4) of every counter,
 * of the store's size and use (when the store is open) and of
 * oidcgi_build_info to f.  Maps the file first when needed.  Returns 1,
 * or 0 when the counters are not available or writing failed (logged).
 */
int	 ometrics_write(FILE *f);

#endif
