/*
 * ui: the bundled login, consent and logout app (public listener,
 * under /ui/; see ui.h).  Its stylesheet, ui/static/oidcgi.css, is
 * served by the web server itself at /ui/static/.  Every route answers
 * its errors, the router's own (404, 405) included, as pages
 * (ui_error).
 */
#include "web/http.h"
#include "web/serve.h"
#include "ui.h"

int
main(int argc, char *argv[])
{
	const struct oroute_table	 tables[] = {
		login_table, consent_table, logout_table, misc_table,
		device_table,
	};

	return omain_tables(argc, argv, tables, sizeof(tables) /
	    sizeof(tables[0]));
}
