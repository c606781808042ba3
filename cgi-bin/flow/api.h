/*
 * api.h: the route tables of the flow binary (admin listener), one file
 * each.
 */
#ifndef OIDCGI_FLOW_API_H
#define OIDCGI_FLOW_API_H

#include <stddef.h>

#include "protocol/flowapi.h"
#include "web/route.h"

struct oreq;

/* requests.c: /oauth2/auth/requests/{login,consent}[/accept|reject] */
extern const struct oroute_table	requests_table;
/* device.c: /oauth2/auth/requests/device (RFC 8628) */
extern const struct oroute_table	device_table;
/*
 * requests.c: the HTTP side of every kind of request (lib/protocol/flowapi.h):
 * GET the request of ?<kind>_challenge=, and PUT accept (accept 1) or
 * reject (accept 0) with the JSON body (none for logout).
 */
void	 flow_get(struct oreq *, enum oflowapi_kind);
void	 flow_answer(struct oreq *, enum oflowapi_kind, int accept);
/* logout.c: /oauth2/auth/requests/logout[/accept|reject] */
extern const struct oroute_table	logout_table;
/* sessions.c: /oauth2/auth/sessions/{login,consent} */
extern const struct oroute_table	sessions_table;
/* introspect.c: /oauth2/introspect, /oauth2/flush, /oauth2/tokens */
extern const struct oroute_table	introspect_table;

#endif
