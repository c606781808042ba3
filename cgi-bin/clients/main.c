/*
 * clients: OAuth 2.0 client management on the admin listener, in three
 * dialects over the same records: Hydra's (/clients), Authentiq
 * Connect's (/client) and applications that own clients
 * (/v1/applications).  Dynamic Client Registration, on the public
 * listener, is the register binary.
 */
#include "web/http.h"
#include "web/serve.h"
#include "api.h"

int
main(int argc, char *argv[])
{
	const struct oroute_table	 tables[] = {
		hydra_table, authentiq_table, apps_table,
	};

	return omain_tables(argc, argv, tables, sizeof(tables) /
	    sizeof(tables[0]));
}
