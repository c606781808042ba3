/*
 * oauth2: the authorization server's public endpoints: authorize,
 * token, revocation, userinfo, logout and session management.
 */
#include <string.h>

#include "api.h"
#include "web/http.h"

int
main(int argc, char *argv[])
{
	static struct oroute	 all[64];
	size_t			 n = 0;

	if (auth_nroutes + token_nroutes + logout_nroutes >
	    sizeof(all) / sizeof(all[0]))
		return 1;
	memcpy(all + n, auth_routes, auth_nroutes * sizeof(all[0]));
	n += auth_nroutes;
	memcpy(all + n, token_routes, token_nroutes * sizeof(all[0]));
	n += token_nroutes;
	memcpy(all + n, logout_routes, logout_nroutes * sizeof(all[0]));
	n += logout_nroutes;
	return omain(argc, argv, all, n);
}
