/*
 * apps.c: the /v1/applications dialect: not built yet; its paths
 * answer 404.
 */
#include "api.h"
#include "http.h"

const struct oroute	apps_routes[] = { { 0, 0, "", NULL } };
const size_t		apps_nroutes = 0;
