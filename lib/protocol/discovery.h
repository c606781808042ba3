/*
 * discovery.h: what the provider publishes about itself, without HTTP.
 *
 *   odiscovery_configuration()  OpenID Connect Discovery 1.0 §3 and
 *                               RFC 8414 §2 (one document, as Hydra
 *                               serves it at both paths)
 *   odiscovery_jwks()           RFC 7517 §5: the public halves of the
 *                               key sets /.well-known/jwks.json shows
 *
 * The metadata lists only what this server does; every URL is derived
 * from urls.self.issuer exactly as configured.  Both documents depend
 * on the signing keys and the configuration only, so each is rendered
 * once per process and again only when the key cache changes
 * (okeys_serial()).  The signing keys are created when missing (a
 * server started without `oidcgi init`, or whose sets were deleted).
 */
#ifndef OIDCGI_DISCOVERY_H
#define OIDCGI_DISCOVERY_H

#include <stddef.h>

struct oerr;

/*
 * The discovery document, rendered (JSON), its length in *len.  The
 * text is the process's: valid until the next call.  Returns NULL with
 * err set when the keys cannot be read or made (the store is not
 * available).
 */
const char	*odiscovery_configuration(size_t *len, struct oerr *err);

/*
 * The JSON Web Key Set of the ID-token and access-token key sets, then
 * of those named in webfinger.jwks.broadcast_keys in the order
 * configured, each set once however often it is named (Hydra's
 * WellKnownKeys); a named set that does not exist is left out.  As
 * odiscovery_configuration().
 */
const char	*odiscovery_jwks(size_t *len, struct oerr *err);

#endif
