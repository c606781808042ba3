/*
 * par.h: the pushed authorization request endpoint (RFC 9126),
 * POST /oauth2/par on the public listener.
 *
 * The client authenticates as at the token endpoint (clientauth.h) and
 * pushes the parameters of an authorization request, or a request
 * object (reqobj.h) with them.  They are validated as /oauth2/auth
 * validates a request (authorize.h) and stored (records/pushed.h) for
 * oconf->par_ttl seconds under a random reference; the answer names
 * it as request_uri urn:ietf:params:oauth:request_uri:<reference>,
 * which the same client then sends to /oauth2/auth, once.
 */
#ifndef OIDCGI_PAR_H
#define OIDCGI_PAR_H

#include <jansson.h>

struct oarena;
struct oclientauth_in;
struct oerr;

/*
 * Push the authorization request of in (its form holds the request's
 * parameters and the client's authentication).  Returns the answer
 * {"request_uri": ..., "expires_in": <seconds>} (a new reference, for a
 * 201), or NULL with err set: invalid_client (401), invalid_request
 * for a request_uri in the push (RFC 9126 §2.1) and for what
 * /oauth2/auth would refuse, with its error code otherwise
 * (invalid_scope, unsupported_response_type, invalid_request_object,
 * ...), every one a 400; a store failure.
 */
json_t	*opar_push(struct oarena *, const struct oclientauth_in *in,
	    struct oerr *err);

#endif
