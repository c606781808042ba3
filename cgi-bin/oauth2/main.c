/*
 * oauth2: the authorization server's public endpoints: authorize,
 * token, revocation, userinfo, logout and session management.
 */
#include "web/http.h"
#include "web/serve.h"
#include "api.h"

int
main(int argc, char *argv[])
{
	const struct oroute_table	 tables[] = {
		auth_table, token_table, logout_table,
	};

	return omain_tables(argc, argv, tables, sizeof(tables) /
	    sizeof(tables[0]));
}
