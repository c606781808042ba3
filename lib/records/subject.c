/*
 * subject.c: public and pairwise subjects (see subject.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/conf.h"
#include "base/crypto.h"
#include "base/url.h"
#include "base/util.h"
#include "records/clients.h"
#include "records/subject.h"

int
osubject_sector(const struct oclient *c, char host[256])
{
	struct ourl	 u;
	const char	*s = c->sector_identifier_uri;

	host[0] = '\0';
	if ((s == NULL || *s == '\0') && c->nredirect_uris > 0)
		s = c->redirect_uris[0];
	if (s == NULL || *s == '\0' || ourl_parse(s, &u) != NULL ||
	    u.host[0] == '\0')
		return 0;
	snprintf(host, 256, "%s", u.host);
	return 1;
}

void
osubject_pairwise(const char *sector, const char *sub, const char *salt,
    char out[OSUBJECT_LEN + 1])
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 h[OCRYPTO_SHA256_LEN];
	size_t			 sl = strlen(sector), ul = strlen(sub);
	size_t			 tl = strlen(salt), i;
	char			*buf;

	buf = oxmalloc(sl + ul + tl + 1);
	memcpy(buf, sector, sl);
	memcpy(buf + sl, sub, ul);
	memcpy(buf + sl + ul, salt, tl);
	ocrypto_sha256(buf, sl + ul + tl, h);
	ocrypto_wipe(buf, sl + ul + tl);
	free(buf);
	for (i = 0; i < sizeof(h); i++) {
		out[2 * i] = hex[h[i] >> 4];
		out[2 * i + 1] = hex[h[i] & 0xf];
	}
	out[OSUBJECT_LEN] = '\0';
}

char *
osubject_of(const struct oclient *c, const char *sub, const char *forced)
{
	char	 host[256], out[OSUBJECT_LEN + 1];

	if (c == NULL || c->subject_type != OCLIENT_SUB_PAIRWISE ||
	    !oconf_subject_type(oconf, "pairwise") ||
	    oconf->pairwise_salt == NULL)
		return oxstrdup(sub);
	if (forced != NULL && *forced != '\0')
		return oxstrdup(forced);
	if (!osubject_sector(c, host))
		return NULL;
	osubject_pairwise(host, sub, oconf->pairwise_salt, out);
	return oxstrdup(out);
}
