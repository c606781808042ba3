/*
 * authentiq.c: Authentiq Connect's /client dialect: not built yet;
 * its paths answer 404.
 */
#include "api.h"
#include "http.h"

const struct oroute	authentiq_routes[] = { { 0, 0, "", NULL } };
const size_t		authentiq_nroutes = 0;
