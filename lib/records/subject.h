/*
 * subject.h: the subject a client sees (OpenID Connect Core §8).
 *
 * A client of subject_type "public" sees the login subject.  A
 * "pairwise" one (when oidc.subject_identifiers.supported_types lists
 * it) sees
 *
 *	lower-case hex of SHA-256(sector || subject || salt)
 *
 * with salt oidc.subject_identifiers.pairwise.salt: Hydra's formula
 * (its consent/subject_identifier_pairwise.go), but with the sector
 * identifier OpenID Connect Core §8.1 names: the HOST of the client's
 * sector_identifier_uri (Hydra hashes the whole URI), else the host of
 * its redirect_uris, which registration makes one (clients.c).  So
 * clients of one sector see one subject, clients of others another,
 * and none of them the login subject.
 *
 * Applied to ID tokens, userinfo and JWT access tokens; the stored
 * grant keeps the login subject, which introspection shows as "sub"
 * beside "obfuscated_subject" (as Hydra).
 */
#ifndef OIDCGI_SUBJECT_H
#define OIDCGI_SUBJECT_H

struct oclient;

#define OSUBJECT_LEN	64	/* hex characters of a pairwise subject */

/*
 * The sector identifier of client c into host (256 bytes): the host of
 * its sector_identifier_uri, else of its first redirect URI.  Returns
 * 1, or 0 when it has neither.
 */
int	 osubject_sector(const struct oclient *c, char host[256]);

/*
 * The pairwise subject of sub for sector under salt into out.
 */
void	 osubject_pairwise(const char *sector, const char *sub,
	    const char *salt, char out[OSUBJECT_LEN + 1]);

/*
 * The subject client c sees for the login subject sub: a new string
 * (free()), for a pairwise client when pairwise subjects are
 * configured the login's force_subject_identifier (forced, when not
 * NULL or "", as Hydra) or else the pairwise one, otherwise a copy of
 * sub.  Returns NULL when a pairwise client has no sector (a record
 * made before the checks).
 */
char	*osubject_of(const struct oclient *c, const char *sub,
	    const char *forced);

#endif
