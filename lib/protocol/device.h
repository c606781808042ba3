/*
 * device.h: the OAuth 2.0 Device Authorization Grant (RFC 8628) as
 * Hydra 25.4 has it on the wire, without HTTP.
 *
 *   odevice_authorize()   POST /oauth2/device/auth (§3.1, §3.2): a
 *                         device code and a user code for a client
 *                         whose grant_types include the device grant
 *   odevice_verify_url()  GET /oauth2/device/verify (§3.3): where the
 *                         person's browser goes, urls.device.verification
 *                         with a sealed device_challenge
 *   odevice_get(), odevice_accept()   the admin API's
 *                         GET  /oauth2/auth/requests/device
 *                         PUT  /oauth2/auth/requests/device/accept
 *                         ({"user_code"}): answers {redirect_to}, the
 *                         public /oauth2/device/verify?device_verifier=
 *   odevice_begin()       GET /oauth2/device/verify?device_verifier=:
 *                         the ordinary login and consent steps
 *                         (authorize.h, "A DEVICE FLOW") start; they
 *                         come back to /oauth2/device/verify with their
 *                         verifiers and end at urls.device.success
 *   odevice_token()       the token endpoint's grant_type
 *                         urn:ietf:params:oauth:grant-type:device_code
 *                         (§3.4, §3.5), inside its write transaction
 *
 * THROTTLING (RFC 8628 §5.1, §5.2): a user code is 8 letters of
 * BCDFGHJKLMNPQRSTVWXZ (20^8 codes, about 34 bits).  A device challenge
 * takes at most ODEVICE_TRIES wrong user codes; the next answer is a
 * 429 (invalid_request) and the person must start again from
 * /oauth2/device/verify.  As new challenges cost nothing, the whole
 * server also takes at most ODEVICE_WINDOW_FAILS wrong user codes per
 * clock hour, then answers 429 until the next: at most 24,000 guesses
 * a day against 20^8 codes, while an attacker who spends them can only
 * delay code entry for the rest of the hour.  The device polls at
 * most every interval seconds (5); a faster poll is slow_down and adds
 * 5 seconds to its interval (§3.5).
 */
#ifndef OIDCGI_DEVICE_H
#define OIDCGI_DEVICE_H

#include <jansson.h>

#include "protocol/flowapi.h"

struct oarena;
struct oauthorize_outcome;
struct oclient;
struct oclientauth_in;
struct oerr;
struct ostore_txn;

#define ODEVICE_GRANT	"urn:ietf:params:oauth:grant-type:device_code"
#define ODEVICE_INTERVAL	5	/* seconds between polls */
#define ODEVICE_TRIES		5	/* wrong codes per challenge */
#define ODEVICE_WINDOW		3600	/* seconds: server-wide window */
#define ODEVICE_WINDOW_FAILS	1000	/* wrong user codes in it */

/*
 * A device authorization request (§3.1): in->p the form (client_id or
 * the client's credentials, scope, audience).  Returns the response of
 * §3.2 (a new object: device_code, user_code, verification_uri,
 * verification_uri_complete, expires_in, interval), or NULL with err
 * set: invalid_client, unauthorized_client (the client lacks the
 * grant), invalid_scope, invalid_request (an audience not allowed), or
 * a store failure.
 */
json_t	*odevice_authorize(struct oarena *,
	    const struct oclientauth_in *in, struct oerr *err);

/*
 * The URL the person's browser goes to for GET /oauth2/device/verify:
 * urls.device.verification with a new device_challenge, and the
 * user_code when one was given (a new string, free()).
 */
char	*odevice_verify_url(const char *user_code);

/*
 * The admin API's GET of a device challenge: on OFLOWAPI_OK *out is
 * Hydra's DeviceUserAuthRequest {challenge, request_url,
 * requested_scope, requested_access_token_audience, client: null,
 * handled_at: null}; OFLOWAPI_HANDLED with *out {redirect_to} once it
 * was accepted; OFLOWAPI_ERR with err set (400 no challenge, 404 one
 * that does not open).
 */
enum oflowapi_rc odevice_get(const char *challenge, json_t **out,
		    struct oerr *err);

/*
 * Accept a device challenge with body {"user_code"} (body NULL: its
 * parse error is body_err).  The user code's authorization is claimed
 * (no other challenge can take it) and *out is {redirect_to}: the
 * public /oauth2/device/verify with a device_verifier and the
 * client_id, as Hydra answers.  A user code that names no waiting
 * authorization is a 400 invalid_request naming user_code (Hydra's
 * answer) and counts as a failure of the challenge (see
 * THROTTLING).  A challenge accepted already answers OFLOWAPI_HANDLED
 * with the first redirect_to.
 */
enum oflowapi_rc odevice_accept(const char *challenge, const json_t *body,
		    const struct oerr *body_err, json_t **out,
		    struct oerr *err);

/*
 * GET /oauth2/device/verify?device_verifier=: open the verifier and
 * start the login step for its authorization, given the browser's
 * session cookie's sid (NULL: none): o is as oauthorize_begin() fills
 * it (TO_UI with the login challenge, or SHOW_ERROR).  Returns 1, or 0
 * with o->err set.
 */
int	 odevice_begin(const char *verifier, const char *cookie_sid,
	    struct oauthorize_outcome *o);

/*
 * The device_code grant (§3.4) inside the token endpoint's write
 * transaction t for client: on success *resp holds the tokens (access,
 * refresh with offline, ID token unsigned until ogrant_finish() with
 * openid; bound to the DPoP key of thumbprint jkt unless NULL, RFC
 * 9449) and the code is spent.  A refusal that must commit (the
 * poll recorded) goes into fail: authorization_pending, slow_down,
 * access_denied, expired_token, invalid_grant.  Returns 1 to commit,
 * 0 to abort with err set.
 */
int	 odevice_token(struct ostore_txn *t, const char *device_code,
	    const struct oclient *client, const char *jkt, json_t **resp,
	    struct oerr *fail, struct oerr *err);

#endif
