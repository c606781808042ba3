/*
 * extern.h: declarations shared by lib/ modules only, never by binaries.
 */
#ifndef OIDCGI_EXTERN_H
#define OIDCGI_EXTERN_H

#include <fcgiapp.h>

/* Where a request's bytes come from and go to. */
struct ohttp_io {
	FCGX_Request	*fcgi;		/* NULL when serving plain CGI */
};

#endif
