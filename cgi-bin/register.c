/*
 * register: OpenID Connect Dynamic Client Registration (RFC 7591,
 * RFC 7592, OpenID Connect Dynamic Registration 1.0) on the public
 * listener, at /oauth2/register (Hydra) and /connect/register (the
 * path of Hydra 1.11's SDK).  Off unless
 * oidc.dynamic_client_registration.enabled is set: then every path
 * here is a 404.  The rules (the operator's policy, the registration
 * access token) are lib/protocol/dcr.h's; this file parses requests,
 * calls one of its functions and answers.
 */
#include <string.h>

#include <jansson.h>

#include "base/conf.h"
#include "base/err.h"
#include "protocol/dcr.h"
#include "web/http.h"
#include "web/serve.h"

/*
 * Answer 404 as Hydra does when registration is off, so that nothing
 * tells whether the endpoint exists.
 */
static void
disabled(struct oreq *req)
{
	struct oerr	 err;

	oerr_clear(&err);
	oerr_set(&err, OERR_NOT_FOUND, "Dynamic client registration is not "
	    "enabled.");
	ohttp_send_error(req, &err);
}

/*
 * Send err; a token failure carries the challenge of RFC 6750 §3
 * (RFC 7592 §3: an invalid registration access token is answered as
 * RFC 6750 describes): a bare "Bearer" when the request carried no
 * Bearer credentials at all (RFC 6750 §3.1: no error code then), else
 * error="invalid_token".  The body is the same either way.
 */
static void
fail(struct oreq *req, const struct oerr *err)
{
	struct oerr	 lerr;
	const char	*token;

	oerr_clear(&lerr);
	if (err->code == OERR_INVALID_TOKEN)
		ohttp_header(req, "WWW-Authenticate", ohttp_bearer(req, &token,
		    &lerr) == OHTTP_AUTH_NONE ? "Bearer" :
		    "Bearer error=\"invalid_token\"");
	ohttp_send_error(req, err);
}

/*
 * The registration access token sent as a Bearer token (RFC 6750
 * §2.1), or NULL when it is missing or malformed (refused like a wrong
 * one).
 */
static const char *
token_of(struct oreq *req)
{
	struct oerr	 err;
	const char	*token = NULL;

	oerr_clear(&err);
	if (ohttp_bearer(req, &token, &err) != OHTTP_AUTH_OK)
		token = NULL;
	return token;
}

/* The path's client_id, or NULL. */
static const char *
id_of(struct oreq *req)
{
	return req->nparams > 0 ? req->params[0] : NULL;
}

/* Answer out with status, or err when out is NULL; releases out. */
static void
answer(struct oreq *req, json_t *out, int status, const struct oerr *err)
{
	if (out != NULL)
		ohttp_send_json(req, status, out);
	else
		fail(req, err);
	json_decref(out);
}

/*
 * POST /oauth2/register: register a client (RFC 7591 §3.1).  201 with
 * the client information response (RFC 7591 §3.2.1), or 400 with
 * invalid_client_metadata or invalid_redirect_uri (RFC 7591 §3.2.2).
 */
static void
create(struct oreq *req)
{
	struct oerr	 err;
	json_t		*in;

	oerr_clear(&err);
	if (!oconf->dcr_enabled) {
		disabled(req);
		return;
	}
	if ((in = ohttp_json(req, 1, &err)) == NULL) {
		fail(req, &err);
		return;
	}
	answer(req, odcr_register(&req->arena, in, &err), 201, &err);
	json_decref(in);
}

/*
 * GET /oauth2/register/{id}: read a registration (RFC 7592 §2.1), with
 * neither the secret nor the token.
 */
static void
read_one(struct oreq *req)
{
	struct oerr	 err;
	const char	*token = token_of(req);

	oerr_clear(&err);
	if (!oconf->dcr_enabled)
		disabled(req);
	else
		answer(req, odcr_read(&req->arena, id_of(req), token, &err),
		    200, &err);
}

/*
 * PUT /oauth2/register/{id}: replace a registration (RFC 7592 §2.2).
 * 200 with the client information response, which carries the new
 * registration access token (the old one stops working) and a secret
 * only when a new one was issued.
 */
static void
update(struct oreq *req)
{
	struct oerr	 err, inerr;
	const char	*token = token_of(req);
	json_t		*in;

	oerr_clear(&err);
	oerr_clear(&inerr);
	if (!oconf->dcr_enabled) {
		disabled(req);
		return;
	}
	/* Authorize first: a bad body is told only to the token's holder. */
	in = ohttp_json(req, 1, &inerr);
	answer(req, odcr_replace(&req->arena, id_of(req), token, in, &inerr,
	    &err), 200, &err);
	json_decref(in);
}

/*
 * DELETE /oauth2/register/{id}: deregister (RFC 7592 §2.3): 204, and
 * the client and its registration access token are gone.
 */
static void
delete(struct oreq *req)
{
	struct oerr	 err;
	const char	*token = token_of(req);

	oerr_clear(&err);
	if (!oconf->dcr_enabled)
		disabled(req);
	else if (!odcr_delete(id_of(req), token, &err))
		fail(req, &err);
	else
		ohttp_send(req, 204, NULL, NULL, 0);
}

/*
 * Any other method on these paths: 404 while registration is off (as
 * for the methods it serves), else 405 with Allow (RFC 9110 §15.5.6).
 */
static void
other(struct oreq *req)
{
	struct oerr	 err;
	const char	*allow;

	if (!oconf->dcr_enabled) {
		disabled(req);
		return;
	}
	allow = req->nparams > 0 ? "GET, HEAD, PUT, DELETE" : "POST";
	oerr_clear(&err);
	oerr_set(&err, OERR_METHOD_NOT_ALLOWED, "The method %s is not "
	    "allowed here; allowed: %s.", req->method_name, allow);
	ohttp_header(req, "Allow", allow);
	ohttp_send_error(req, &err);
}

#define ANY	((1u << OHTTP__MAX) - 1)

static const struct oroute routes[] = {
	{ OHTTP_M(POST), OLISTEN_PUBLIC, "/oauth2/register", create },
	{ OHTTP_M(GET), OLISTEN_PUBLIC, "/oauth2/register/{id}", read_one },
	{ OHTTP_M(PUT), OLISTEN_PUBLIC, "/oauth2/register/{id}", update },
	{ OHTTP_M(DELETE), OLISTEN_PUBLIC, "/oauth2/register/{id}", delete },
	{ OHTTP_M(POST), OLISTEN_PUBLIC, "/connect/register", create },
	{ OHTTP_M(GET), OLISTEN_PUBLIC, "/connect/register/{id}", read_one },
	{ OHTTP_M(PUT), OLISTEN_PUBLIC, "/connect/register/{id}", update },
	{ OHTTP_M(DELETE), OLISTEN_PUBLIC, "/connect/register/{id}", delete },
	/* Last: whatever method the ones above do not serve. */
	{ ANY, OLISTEN_PUBLIC, "/oauth2/register", other },
	{ ANY, OLISTEN_PUBLIC, "/oauth2/register/{id}", other },
	{ ANY, OLISTEN_PUBLIC, "/connect/register", other },
	{ ANY, OLISTEN_PUBLIC, "/connect/register/{id}", other },
};

int
main(int argc, char *argv[])
{
	return omain(argc, argv, routes, sizeof(routes) / sizeof(routes[0]));
}
