/*
 * err.h: the one error type.
 *
 * Anything a client can see goes into one caller-allocated struct oerr with
 * fixed buffers.  The first error set wins, so the innermost failure names
 * the cause, and setting one allocates nothing.  It renders as Hydra's
 * (1.x) genericError: {"error","error_description","error_hint",
 * "error_debug","status_code"}, error_debug only when debug is exposed;
 * the management API's adds "error_code" (oerr_json_hydra()).
 */
#ifndef OIDCGI_ERR_H
#define OIDCGI_ERR_H

#include <jansson.h>

enum oerr_code {
	OERR_NONE = 0,
	/* RFC 6749 §4.1.2.1, §5.2 */
	OERR_INVALID_REQUEST,
	OERR_INVALID_CLIENT,
	OERR_INVALID_GRANT,
	OERR_UNAUTHORIZED_CLIENT,
	OERR_UNSUPPORTED_GRANT_TYPE,
	OERR_UNSUPPORTED_RESPONSE_TYPE,
	OERR_INVALID_SCOPE,
	OERR_ACCESS_DENIED,
	OERR_SERVER_ERROR,
	OERR_TEMPORARILY_UNAVAILABLE,
	/* RFC 6750 §3.1 */
	OERR_INVALID_TOKEN,
	OERR_INSUFFICIENT_SCOPE,
	/* RFC 9449 §12.2 */
	OERR_INVALID_DPOP_PROOF,
	OERR_USE_DPOP_NONCE,
	/* OpenID Connect Core §3.1.2.6 */
	OERR_LOGIN_REQUIRED,
	OERR_CONSENT_REQUIRED,
	OERR_INTERACTION_REQUIRED,
	OERR_ACCOUNT_SELECTION_REQUIRED,
	OERR_INVALID_REQUEST_URI,
	OERR_INVALID_REQUEST_OBJECT,
	OERR_REQUEST_NOT_SUPPORTED,
	OERR_REQUEST_URI_NOT_SUPPORTED,
	OERR_REGISTRATION_NOT_SUPPORTED,
	/* RFC 7591 §3.2.2 */
	OERR_INVALID_REDIRECT_URI,
	OERR_INVALID_CLIENT_METADATA,
	/* fosite */
	OERR_INVALID_STATE,
	OERR_REQUEST_UNAUTHORIZED,
	OERR_REQUEST_FORBIDDEN,
	/* RFC 8693 §2.2.2, RFC 8707 §2 */
	OERR_INVALID_TARGET,
	/* HTTP-level errors of the API itself */
	OERR_NOT_FOUND,
	OERR_METHOD_NOT_ALLOWED,
	OERR_CONFLICT,
	OERR_GONE,
	OERR_PAYLOAD_TOO_LARGE,
	OERR_UNSUPPORTED_MEDIA_TYPE,
	OERR_UNAUTHORIZED,
	OERR_FORBIDDEN,
	/* RFC 8628 §3.5 */
	OERR_AUTHORIZATION_PENDING,
	OERR_SLOW_DOWN,
	OERR_EXPIRED_TOKEN,
	OERR__MAX
};

struct oerr {
	enum oerr_code	 code;
	int		 status;		/* HTTP status */
	char		 description[256];
	char		 hint[256];
	char		 debug[256];
};

/*
 * Set the error unless one is already set (the first error wins).  The
 * HTTP status is the code's default; oerr_status() overrides it.
 * The description is a printf format.
 */
void	 oerr_set(struct oerr *, enum oerr_code, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* Add a hint or debug text to a set error (first one wins likewise). */
void	 oerr_hint(struct oerr *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 oerr_debug(struct oerr *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 oerr_status(struct oerr *, int);
void	 oerr_clear(struct oerr *);
int	 oerr_isset(const struct oerr *);
/* RFC name of a code, e.g. "invalid_request". */
const char	*oerr_name(enum oerr_code);
/* Default HTTP status of a code. */
int	 oerr_default_status(enum oerr_code);
/*
 * The error as a new JSON object (caller owns the reference).
 * error_debug is included only when expose_debug is non-zero.
 */
json_t	*oerr_json(const struct oerr *, int expose_debug);
/*
 * The same with "error_code", the HTTP status, beside status_code: the
 * genericError of Hydra's management API (1.x documents error_code),
 * which the OAuth 2.0 error responses (RFC 6749 §5.2) do not carry.
 */
json_t	*oerr_json_hydra(const struct oerr *, int expose_debug);

#endif
