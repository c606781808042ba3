/*
 * csrf.h: the CSRF tokens of server-rendered forms (the bundled UI's).
 *
 * A form of a kind ("login") about a subject (its challenge) carries a
 * token in a hidden field "csrf": HMAC-SHA-256, under a key derived
 * from secrets.system, of the kind, the subject and a random
 * per-browser cookie.  A POSTed form whose token does not match its
 * subject (field "challenge") and this browser's cookie is refused
 * before anything else is looked at.  Tokens of any configured system
 * secret are accepted, so rotating secrets.system keeps open forms
 * working.
 */
#ifndef OIDCGI_CSRF_H
#define OIDCGI_CSRF_H

#include <stddef.h>

struct oerr;
struct ofield;
struct oparams;
struct oreq;

/*
 * The token of a form of kind about challenge for this browser (in the
 * request's arena; "" when no system secret is configured).  Sets the
 * browser's CSRF cookie first when it has none (a session cookie).
 */
const char	*ocsrf_token(struct oreq *, const char *kind,
		    const char *challenge);

/*
 * 1 if token is the token of kind, challenge and this browser's cookie
 * under any configured system secret (constant time), else 0 (NULL
 * arguments and a missing or malformed cookie included).
 */
int	 ocsrf_ok(struct oreq *, const char *kind, const char *challenge,
	    const char *token);

/*
 * Read a POSTed form of kind: the body as a form (ohttp_form), checked
 * against fields (oform_check; they must declare "challenge" and
 * "csrf"), whose csrf field is the token of kind for its challenge
 * field.  Returns the form, or NULL with err set: the form's own 400,
 * 413 or 415, or a 403 when the token does not match, whose
 * description names the form as "The <what> form" and whose hint is
 * hint (none when NULL).
 */
const struct oparams	*ocsrf_form(struct oreq *, const char *kind,
			    const struct ofield *fields, size_t nfields,
			    const char *what, const char *hint,
			    struct oerr *err);

#endif
