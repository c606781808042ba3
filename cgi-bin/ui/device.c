/*
 * device.c: the device pages of the bundled app (RFC 8628 §3.3).
 *
 *   GET  /ui/device?device_challenge=[&user_code=]
 *	the page where the person types the code their device shows
 *	(filled in when the verification_uri_complete brought it);
 *   POST /ui/device  challenge, csrf, user_code
 *	accepts the device challenge with the code through
 *	lib/protocol/device.h, as the admin API's PUT does: on to the
 *	sign-in and consent pages of the flow.  A code that names no
 *	waiting device shows the page again with the error (a 400);
 *	after ODEVICE_TRIES of them the challenge is spent (a 429 page:
 *	start again at the device's verification URI);
 *   GET  /ui/device/done
 *	the end of the flow (urls.device.success): back to the device.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "base/form.h"
#include "base/json.h"
#include "protocol/device.h"
#include "protocol/flowapi.h"
#include "web/csrf.h"
#include "web/http.h"
#include "ui.h"

static const struct ofield fields[] = {
	{ "challenge", 32768, OFIELD_VSCHAR, OFIELD_REQUIRED | OFIELD_ONCE },
	{ "csrf", 64, OFIELD_VSCHAR, OFIELD_ONCE },
	{ "user_code", 64, OFIELD_VSCHAR, OFIELD_ONCE },
};

/* The code entry page for challenge, with typed and an error (or NULL). */
static void
page(struct oreq *req, const char *challenge, const char *typed,
    const char *error, int status)
{
	struct upage	 p;

	ui_page(&p, req, "Connect a device");
	ui_add(&p, "<h1>Connect a device</h1>\n<p>Enter the code shown on "
	    "your device.</p>\n");
	if (error != NULL)
		ui_add(&p, "<p class=\"error\" role=\"alert\">%s</p>\n",
		    ohttp_html(req, error));
	ui_add(&p, "<form method=\"post\" action=\"device\">\n");
	ui_csrf_fields(&p, "device", challenge);
	ui_add(&p, "<label for=\"user_code\">Code</label>\n"
	    "<input id=\"user_code\" name=\"user_code\" value=\"%s\" "
	    "autocomplete=\"off\" autocapitalize=\"characters\" "
	    "spellcheck=\"false\" required autofocus>\n"
	    "<div class=\"actions\">\n<button type=\"submit\" "
	    "class=\"primary\">Continue</button>\n</div>\n</form>\n",
	    ohttp_html(req, typed != NULL ? typed : ""));
	ui_send(&p, status);
}

/* GET /ui/device */
static void
device_get(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*q;
	const char		*ch = NULL;
	json_t			*out = NULL;
	enum oflowapi_rc	 rc = OFLOWAPI_ERR;

	oerr_clear(&err);
	if ((q = ohttp_query(req, &err)) != NULL) {
		ch = oparams_get(q, "device_challenge");
		rc = odevice_get(ch, &out, &err);
	}
	if (rc == OFLOWAPI_OK)
		page(req, ch, oparams_get(q, "user_code"), NULL, 200);
	else
		ui_answered(req, rc, &out, &err);
	json_decref(out);
}

/* POST /ui/device */
static void
device_post(struct oreq *req)
{
	struct oerr		 err;
	const struct oparams	*p;
	const char		*ch, *typed;
	json_t			*body, *out = NULL;
	enum oflowapi_rc	 rc;

	oerr_clear(&err);
	if ((p = ocsrf_form(req, "device", fields, sizeof(fields) /
	    sizeof(fields[0]), "device", "Go back to the device's "
	    "verification page and start again.", &err)) == NULL) {
		ui_error(req, &err);
		return;
	}
	ch = oparams_get(p, "challenge");
	if ((typed = oparams_get(p, "user_code")) == NULL)
		typed = "";
	body = json_pack("{s:s}", "user_code", typed);
	rc = odevice_accept(ch, body, NULL, &out, &err);
	json_decref(body);
	if (rc == OFLOWAPI_ERR && err.code == OERR_INVALID_REQUEST &&
	    err.status == 400 &&
	    odevice_get(ch, &out, NULL) == OFLOWAPI_OK) {
		/* A wrong code: the page again, to try another. */
		json_decref(out);
		page(req, ch, typed, *typed == '\0' ? "Enter the code." :
		    "That code is not valid. Check your device and try "
		    "again.", err.status);
		return;
	}
	ui_answered(req, rc, &out, &err);
}

/* GET /ui/device/done */
static void
device_done(struct oreq *req)
{
	struct upage	 p;

	ui_page(&p, req, "Device connected");
	ui_add(&p, "<h1>Device connected</h1>\n<p>You can go back to your "
	    "device now; it will continue on its own. You can close this "
	    "window.</p>\n");
	ui_send(&p, 200);
}

static const struct oroute routes[] = {
	UI_ROUTE(GET, "/ui/device", device_get),
	UI_ROUTE(POST, "/ui/device", device_post),
	UI_ROUTE(GET, "/ui/device/done", device_done),
};
const struct oroute_table device_table = OROUTE_TABLE(routes);
