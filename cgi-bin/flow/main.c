/*
 * flow: the admin side of the authorization server: Hydra's login,
 * consent and logout requests, login and consent sessions,
 * introspection, flush and token revocation by client.
 */
#include "web/http.h"
#include "web/serve.h"
#include "api.h"

int
main(int argc, char *argv[])
{
	const struct oroute_table	 tables[] = {
		requests_table, logout_table, sessions_table, introspect_table,
		device_table,
	};

	return omain_tables(argc, argv, tables, sizeof(tables) /
	    sizeof(tables[0]));
}
