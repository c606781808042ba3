/*
 * flow: the admin side of the authorization server: Hydra's login,
 * consent and logout requests, login and consent sessions,
 * introspection, flush and token revocation by client.
 */
#include "api.h"
#include "web/http.h"
#include "web/serve.h"

int
main(int argc, char *argv[])
{
	const struct oroute_table	 tables[] = {
		{ requests_routes, requests_nroutes },
		{ logout_routes, logout_nroutes },
		{ sessions_routes, sessions_nroutes },
		{ introspect_routes, introspect_nroutes },
	};

	return omain_tables(argc, argv, tables, sizeof(tables) /
	    sizeof(tables[0]));
}
