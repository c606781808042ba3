/*
 * clients: OAuth 2.0 client management on the admin listener, in three
 * dialects over the same records: Hydra's (/clients), Authentiq
 * Connect's (/client) and applications that own clients
 * (/v1/applications).  Dynamic Client Registration, on the public
 * listener, is the register binary.
 */
#include <string.h>

#include "api.h"
#include "web/http.h"

int
main(int argc, char *argv[])
{
	static struct oroute	 all[64];
	size_t			 n = 0;

	if (hydra_nroutes + authentiq_nroutes + apps_nroutes >
	    sizeof(all) / sizeof(all[0]))
		return 1;
	memcpy(all + n, hydra_routes, hydra_nroutes * sizeof(all[0]));
	n += hydra_nroutes;
	memcpy(all + n, authentiq_routes, authentiq_nroutes * sizeof(all[0]));
	n += authentiq_nroutes;
	memcpy(all + n, apps_routes, apps_nroutes * sizeof(all[0]));
	n += apps_nroutes;
	return omain(argc, argv, all, n);
}
