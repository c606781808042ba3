/*
 * oauth2: the authorization server's public endpoints: authorize,
 * token, revocation, userinfo, logout and session management.
 */
#include "api.h"
#include "web/http.h"
#include "web/serve.h"

int
main(int argc, char *argv[])
{
	const struct oroute_table	 tables[] = {
		{ auth_routes, auth_nroutes },
		{ token_routes, token_nroutes },
		{ logout_routes, logout_nroutes },
	};

	return omain_tables(argc, argv, tables, sizeof(tables) /
	    sizeof(tables[0]));
}
