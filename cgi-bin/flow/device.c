/*
 * device.c: the device challenges of RFC 8628 on the admin API, as
 * Hydra 25.4 has them (1.x at the root, 2.x under /admin):
 *
 *   GET /oauth2/auth/requests/device?device_challenge=  (or challenge=)
 *   PUT /oauth2/auth/requests/device/accept?device_challenge=
 *       with {"user_code": ...}
 *
 * Thin wrappers over lib/protocol/device.h: 200 with the request or
 * {"redirect_to"}, 410 with the first {"redirect_to"} for a challenge
 * accepted already, 404 for an unknown or expired challenge, 400 for
 * a user code that names no waiting device, 429 once a challenge had
 * too many wrong user codes.  Hydra has no GET of a device challenge;
 * oidcgi's answers what a login app needs to show the page.
 */
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "protocol/device.h"
#include "protocol/flowapi.h"
#include "web/http.h"
#include "api.h"

/* ?device_challenge= or ?challenge= (NULL: missing, left to the call). */
static const char *
device_challenge(struct oreq *req, struct oerr *err)
{
	const struct oparams	*q;
	const char		*c;

	if ((q = ohttp_query(req, err)) == NULL)
		return NULL;
	if ((c = oparams_get(q, "device_challenge")) == NULL)
		c = oparams_get(q, "challenge");
	if (c == NULL)
		c = "";
	return c;
}

static void
send_answer(struct oreq *req, enum oflowapi_rc rc, const json_t *out,
    const struct oerr *err)
{
	if (rc == OFLOWAPI_ERR)
		ohttp_send_error(req, err);
	else
		ohttp_send_json(req, rc == OFLOWAPI_HANDLED ? 410 : 200, out);
}

static void
get_device(struct oreq *req)
{
	struct oerr		 err;
	const char		*c;
	json_t			*out = NULL;
	enum oflowapi_rc	 rc = OFLOWAPI_ERR;

	oerr_clear(&err);
	if ((c = device_challenge(req, &err)) != NULL)
		rc = odevice_get(c, &out, &err);
	send_answer(req, rc, out, &err);
	json_decref(out);
}

static void
accept_device(struct oreq *req)
{
	struct oerr		 err, berr;
	const char		*c;
	json_t			*body = NULL, *out = NULL;
	enum oflowapi_rc	 rc = OFLOWAPI_ERR;

	oerr_clear(&err);
	oerr_clear(&berr);
	if ((c = device_challenge(req, &err)) != NULL) {
		body = ohttp_json(req, 1, &berr);
		rc = odevice_accept(c, body, &berr, &out, &err);
	}
	send_answer(req, rc, out, &err);
	json_decref(out);
	json_decref(body);
}

static const struct oroute routes[] = {
	{ OHTTP_M(GET), OLISTEN_ADMIN, "/oauth2/auth/requests/device",
	    get_device },
	{ OHTTP_M(PUT), OLISTEN_ADMIN, "/oauth2/auth/requests/device/accept",
	    accept_device },
};
const struct oroute_table device_table = OROUTE_TABLE(routes);
