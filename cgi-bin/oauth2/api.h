/*
 * api.h: the route tables of the oauth2 binary (public listener), one
 * file each.
 */
#ifndef OIDCGI_OAUTH2_API_H
#define OIDCGI_OAUTH2_API_H

#include <stddef.h>

#include "web/route.h"

/* auth.c: /oauth2/auth, /authorize */
extern const struct oroute_table	auth_table;
/* token.c: /oauth2/token, /token, /oauth2/revoke, /oauth2/par, /userinfo */
extern const struct oroute_table	token_table;
/* logout.c: /oauth2/sessions/logout and the session-management iframe */
extern const struct oroute_table	logout_table;

#endif
