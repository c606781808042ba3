/*
 * page.h: Hydra's pagination of lists (its x/pagination): 1.x
 * ?limit=&offset=, 2.x ?page_size=&page_token= where the token is
 * base64url of {"offset":"N","v":2}; answers carry a Link header
 * (RFC 8288: first, next, prev, last) and X-Total-Count.
 */
#ifndef OIDCGI_PAGE_H
#define OIDCGI_PAGE_H

#include <stddef.h>

struct oerr;
struct oparams;
struct oreq;

struct opage {
	long long	 offset;
	long long	 size;
	int		 v2;		/* page_size/page_token style */
};

#define OPAGE_LIMIT_DEFAULT	100	/* Hydra 1.x */
#define OPAGE_LIMIT_MAX		500
#define OPAGE_SIZE_DEFAULT	250	/* Hydra 2.x */
#define OPAGE_SIZE_MAX		1000

/*
 * Read the paging parameters of a query.  Returns 1, or 0 with a 400
 * naming the parameter.
 */
int	 opage_parse(const struct oparams *q, struct opage *,
	    struct oerr *err);
/*
 * Add the Link and X-Total-Count headers for a list at path (e.g.
 * "/admin/clients") with total entries; filters ("&owner=x", already
 * encoded, or "") are repeated in every link.
 */
void	 opage_headers(struct oreq *, const char *path,
	    const struct opage *, size_t total, const char *filters);
/*
 * The base the request's path came under (req->base: "/admin" for Hydra
 * 2.x's prefix, after the listener's own base path), to link to a path
 * of the same listener.
 */
const char	*opage_prefix(struct oreq *);

#endif
