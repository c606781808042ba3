/*
 * curl.h: libcurl, opened when first needed.
 *
 * Linking libcurl would load it and the thirty-odd libraries it needs
 * (TLS, HTTP/2, IDN, Kerberos, LDAP...) into every process at start:
 * milliseconds per request in CGI mode, megabytes per FastCGI process,
 * and a shared host without libcurl could not run the binaries at all.
 * So the few paths that speak HTTP themselves (back-channel logout,
 * oidcgi doctor) open it with dlopen() through ocurl(), and call it
 * through the table of functions it returns.
 */
#ifndef OIDCGI_CURL_H
#define OIDCGI_CURL_H

#include <curl/curl.h>

struct ocurl {
	CURL		*(*easy_init)(void);
	CURLcode	 (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	 (*easy_perform)(CURL *);
	CURLcode	 (*easy_getinfo)(CURL *, CURLINFO, ...);
	void		 (*easy_reset)(CURL *);
	void		 (*easy_cleanup)(CURL *);
	const char	*(*easy_strerror)(CURLcode);
	CURLM		*(*multi_init)(void);
	CURLMcode	 (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_perform)(CURLM *, int *);
	CURLMsg		*(*multi_info_read)(CURLM *, int *);
	CURLMcode	 (*multi_poll)(CURLM *, struct curl_waitfd *,
			    unsigned int, int, int *);
	CURLMcode	 (*multi_cleanup)(CURLM *);
	const char	*(*multi_strerror)(CURLMcode);
	struct curl_slist *(*slist_append)(struct curl_slist *,
			    const char *);
	void		 (*slist_free_all)(struct curl_slist *);
};

struct oerr;

/*
 * libcurl (the soname the build was made against), opened and
 * initialised once per process.  NULL, logged, when it cannot be had;
 * the answer is kept, so later calls do not retry.  The table lives as
 * long as the process.
 */
const struct ocurl	*ocurl(void);

#define OCURL_HTTP	0x01	/* http:// as well as https:// */

/*
 * GET a document a client named by URL (a jwks_uri, a request_uri), the
 * one way oidcgi fetches such a thing:
 *
 *   - https only, or http too with OCURL_HTTP; http:// to a loopback
 *     address also when clients.http.allow_loopback_http is set
 *     (development, tests);
 *   - no proxy (http_proxy and friends are ignored: the address check
 *     below needs the connection to go to the host itself), no
 *     redirects, at most max bytes of body within timeout_ms, and a
 *     200 answer;
 *   - no connection to an internal address (loopback, private,
 *     link-local, ...: ourl_addr_internal()), checked on the address
 *     actually connected to, so that a name that resolves anew cannot
 *     slip past; unless url is listed exactly in
 *     clients.http.private_ip_exception_urls, or the address is
 *     loopback with clients.http.allow_loopback_http set.
 *
 * Blocking network I/O: never call it inside a store transaction.
 * Returns the body (malloc'd, NUL-terminated, its length in *len), or
 * NULL with err set: OERR_INVALID_REQUEST and a description that
 * completes a sentence whose subject is the URL ("is not allowed: its
 * host is a loopback address.", "answered HTTP 404, not 200."), for the
 * caller to word with its own error code.
 */
char	*ocurl_get(const char *url, size_t max, long timeout_ms,
	    unsigned flags, size_t *len, struct oerr *err);

#endif
