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

/*
 * libcurl (the soname the build was made against), opened and
 * initialised once per process.  NULL, logged, when it cannot be had;
 * the answer is kept, so later calls do not retry.  The table lives as
 * long as the process.
 */
const struct ocurl	*ocurl(void);

#endif
