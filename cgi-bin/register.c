/*
 * register: Dynamic Client Registration: not built yet; its paths
 * answer 404.
 */
#include "http.h"

static const struct oroute routes[] = { { 0, 0, "", NULL } };

int
main(int argc, char *argv[])
{
	return omain(argc, argv, routes, 0);
}
