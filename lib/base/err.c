/*
 * err.c: the one error type (see err.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/err.h"

static const struct {
	const char	*name;
	int		 status;
} codes[OERR__MAX] = {
	{ "", 0 },					/* OERR_NONE */
	{ "invalid_request", 400 },			/* OERR_INVALID_REQUEST */
	{ "invalid_client", 401 },			/* OERR_INVALID_CLIENT */
	{ "invalid_grant", 400 },			/* OERR_INVALID_GRANT */
	{ "unauthorized_client", 400 },			/* OERR_UNAUTHORIZED_CLIENT */
	{ "unsupported_grant_type", 400 },		/* OERR_UNSUPPORTED_GRANT_TYPE */
	{ "unsupported_response_type", 400 },		/* OERR_UNSUPPORTED_RESPONSE_TYPE */
	{ "invalid_scope", 400 },			/* OERR_INVALID_SCOPE */
	{ "access_denied", 403 },			/* OERR_ACCESS_DENIED */
	{ "server_error", 500 },			/* OERR_SERVER_ERROR */
	{ "temporarily_unavailable", 503 },		/* OERR_TEMPORARILY_UNAVAILABLE */
	{ "invalid_token", 401 },			/* OERR_INVALID_TOKEN */
	{ "insufficient_scope", 403 },			/* OERR_INSUFFICIENT_SCOPE */
	{ "invalid_dpop_proof", 400 },			/* OERR_INVALID_DPOP_PROOF */
	{ "use_dpop_nonce", 400 },			/* OERR_USE_DPOP_NONCE */
	{ "login_required", 400 },			/* OERR_LOGIN_REQUIRED */
	{ "consent_required", 400 },			/* OERR_CONSENT_REQUIRED */
	{ "interaction_required", 400 },		/* OERR_INTERACTION_REQUIRED */
	{ "account_selection_required", 400 },		/* OERR_ACCOUNT_SELECTION_REQUIRED */
	{ "invalid_request_uri", 400 },			/* OERR_INVALID_REQUEST_URI */
	{ "invalid_request_object", 400 },		/* OERR_INVALID_REQUEST_OBJECT */
	{ "request_not_supported", 400 },		/* OERR_REQUEST_NOT_SUPPORTED */
	{ "request_uri_not_supported", 400 },		/* OERR_REQUEST_URI_NOT_SUPPORTED */
	{ "registration_not_supported", 400 },		/* OERR_REGISTRATION_NOT_SUPPORTED */
	{ "invalid_redirect_uri", 400 },		/* OERR_INVALID_REDIRECT_URI */
	{ "invalid_client_metadata", 400 },		/* OERR_INVALID_CLIENT_METADATA */
	{ "invalid_state", 400 },			/* OERR_INVALID_STATE */
	{ "request_unauthorized", 401 },		/* OERR_REQUEST_UNAUTHORIZED */
	{ "request_forbidden", 403 },			/* OERR_REQUEST_FORBIDDEN */
	{ "invalid_target", 400 },			/* OERR_INVALID_TARGET */
	{ "not_found", 404 },				/* OERR_NOT_FOUND */
	{ "method_not_allowed", 405 },			/* OERR_METHOD_NOT_ALLOWED */
	{ "conflict", 409 },				/* OERR_CONFLICT */
	{ "gone", 410 },				/* OERR_GONE */
	{ "request_entity_too_large", 413 },		/* OERR_PAYLOAD_TOO_LARGE */
	{ "unsupported_media_type", 415 },		/* OERR_UNSUPPORTED_MEDIA_TYPE */
	{ "unauthorized", 401 },			/* OERR_UNAUTHORIZED */
	{ "forbidden", 403 },				/* OERR_FORBIDDEN */
	{ "authorization_pending", 400 },		/* OERR_AUTHORIZATION_PENDING */
	{ "slow_down", 400 },				/* OERR_SLOW_DOWN */
	{ "expired_token", 400 },			/* OERR_EXPIRED_TOKEN */
};

void
oerr_set(struct oerr *e, enum oerr_code code, const char *fmt, ...)
{
	va_list	 ap;

	if (e == NULL || e->code != OERR_NONE)
		return;
	if (code <= OERR_NONE || code >= OERR__MAX)
		code = OERR_SERVER_ERROR;
	e->code = code;
	e->status = codes[code].status;
	e->hint[0] = e->debug[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(e->description, sizeof(e->description), fmt, ap);
	va_end(ap);
}

void
oerr_hint(struct oerr *e, const char *fmt, ...)
{
	va_list	 ap;

	if (e == NULL || e->code == OERR_NONE || e->hint[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(e->hint, sizeof(e->hint), fmt, ap);
	va_end(ap);
}

void
oerr_debug(struct oerr *e, const char *fmt, ...)
{
	va_list	 ap;

	if (e == NULL || e->code == OERR_NONE || e->debug[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(e->debug, sizeof(e->debug), fmt, ap);
	va_end(ap);
}

void
oerr_status(struct oerr *e, int status)
{
	if (e != NULL && e->code != OERR_NONE && status >= 400 && status < 600)
		e->status = status;
}

void
oerr_clear(struct oerr *e)
{
	memset(e, 0, sizeof(*e));
}

int
oerr_isset(const struct oerr *e)
{
	return e->code != OERR_NONE;
}

const char *
oerr_name(enum oerr_code c)
{
	if (c <= OERR_NONE || c >= OERR__MAX)
		c = OERR_SERVER_ERROR;
	return codes[c].name;
}

int
oerr_default_status(enum oerr_code c)
{
	if (c <= OERR_NONE || c >= OERR__MAX)
		c = OERR_SERVER_ERROR;
	return codes[c].status;
}

/*
 * A JSON string of s.  Descriptions may quote input, which need not be
 * UTF-8: then every byte outside printable ASCII becomes '?'.
 */
static json_t *
safe_string(const char *s)
{
	json_t	*j;
	char	 buf[256];
	size_t	 i;

	if ((j = json_string(s)) != NULL)
		return j;
	for (i = 0; s[i] != '\0' && i < sizeof(buf) - 1; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	buf[i] = '\0';
	return json_string(buf);
}

json_t *
oerr_json(const struct oerr *e, int expose_debug)
{
	json_t	*o;

	o = json_object();
	json_object_set_new(o, "error", json_string(oerr_name(e->code)));
	json_object_set_new(o, "error_description",
	    safe_string(e->description));
	if (e->hint[0] != '\0')
		json_object_set_new(o, "error_hint", safe_string(e->hint));
	if (expose_debug && e->debug[0] != '\0')
		json_object_set_new(o, "error_debug", safe_string(e->debug));
	json_object_set_new(o, "status_code",
	    json_integer(e->status ? e->status : 500));
	return o;
}

json_t *
oerr_json_hydra(const struct oerr *e, int expose_debug)
{
	json_t	*o;

	o = oerr_json(e, expose_debug);
	json_object_set_new(o, "error_code",
	    json_integer(e->status ? e->status : 500));
	return o;
}
