/*
 * flow: the admin side of the authorization server: Hydra's login,
 * consent and logout requests, login and consent sessions,
 * introspection, flush and token revocation by client.
 */
#include <string.h>

#include "api.h"
#include "web/http.h"

int
main(int argc, char *argv[])
{
	static struct oroute	 all[64];
	size_t			 n = 0;

	if (requests_nroutes + logout_nroutes + sessions_nroutes +
	    introspect_nroutes > sizeof(all) / sizeof(all[0]))
		return 1;
	memcpy(all + n, requests_routes, requests_nroutes * sizeof(all[0]));
	n += requests_nroutes;
	memcpy(all + n, logout_routes, logout_nroutes * sizeof(all[0]));
	n += logout_nroutes;
	memcpy(all + n, sessions_routes, sessions_nroutes * sizeof(all[0]));
	n += sessions_nroutes;
	memcpy(all + n, introspect_routes, introspect_nroutes *
	    sizeof(all[0]));
	n += introspect_nroutes;
	return omain(argc, argv, all, n);
}
