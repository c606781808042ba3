/*
 * api.h: the route tables of the flow binary (admin listener), one file
 * each.
 */
#ifndef OIDCGI_FLOW_API_H
#define OIDCGI_FLOW_API_H

#include <stddef.h>

#include "route.h"

/* requests.c: /oauth2/auth/requests/{login,consent}[/accept|reject] */
extern const struct oroute	requests_routes[];
extern const size_t		requests_nroutes;
/* logout.c: /oauth2/auth/requests/logout[/accept|reject] */
extern const struct oroute	logout_routes[];
extern const size_t		logout_nroutes;
/* sessions.c: /oauth2/auth/sessions/{login,consent} */
extern const struct oroute	sessions_routes[];
extern const size_t		sessions_nroutes;
/* introspect.c: /oauth2/introspect, /oauth2/flush, /oauth2/tokens */
extern const struct oroute	introspect_routes[];
extern const size_t		introspect_nroutes;

#endif
