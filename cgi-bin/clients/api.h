/*
 * api.h: the route tables of the client-management dialects served by
 * the clients binary (admin listener), one file each.
 */
#ifndef OIDCGI_CLIENTS_API_H
#define OIDCGI_CLIENTS_API_H

#include <stddef.h>

#include "web/route.h"

/* hydra.c: /clients (Hydra 1.x) and /admin/clients (2.x) */
extern const struct oroute_table	hydra_table;
/* authentiq.c: /client (Authentiq Connect) */
extern const struct oroute_table	authentiq_table;
/* apps.c: /v1/applications */
extern const struct oroute_table	apps_table;

#endif
