/*
 * ui: the bundled login, consent and logout app (public listener,
 * under /ui/; see ui.h).  Its stylesheet, ui/static/oidcgi.css, is
 * served by the web server itself at /ui/static/.
 */
#include <string.h>

#include "web/http.h"
#include "ui.h"

int
main(int argc, char *argv[])
{
	static struct oroute	 all[32];
	size_t			 n = 0, i;

	if (login_nroutes + consent_nroutes + logout_nroutes +
	    misc_nroutes > sizeof(all) / sizeof(all[0]))
		return 1;
	memcpy(all + n, login_routes, login_nroutes * sizeof(all[0]));
	n += login_nroutes;
	memcpy(all + n, consent_routes, consent_nroutes * sizeof(all[0]));
	n += consent_nroutes;
	memcpy(all + n, logout_routes, logout_nroutes * sizeof(all[0]));
	n += logout_nroutes;
	memcpy(all + n, misc_routes, misc_nroutes * sizeof(all[0]));
	n += misc_nroutes;
	/* The router's own errors (404, 405) are pages too. */
	for (i = 0; i < n; i++)
		all[i].fail = ui_error;
	return omain(argc, argv, all, n);
}
