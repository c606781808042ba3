/*
 * curl.c: libcurl, opened when first needed (see curl.h).
 */
#include <dlfcn.h>
#include <string.h>

#include "base/curl.h"
#include "base/util.h"

static struct ocurl	 cu;

/* A symbol of handle h into the function pointer at fp; 0 if missing. */
static int
sym(void *h, const char *name, void *fp)
{
	void	*p;

	if ((p = dlsym(h, name)) == NULL) {
		olog_err("dlsym: %s: %s", name, dlerror());
		return 0;
	}
	/* POSIX: a data pointer from dlsym() converts to a function's. */
	memcpy(fp, &p, sizeof(p));
	return 1;
}

const struct ocurl *
ocurl(void)
{
	static int	 state;		/* 1 loaded, -1 failed */
	CURLcode	 (*global_init)(long);
	void		*h;

	if (state != 0)
		return state > 0 ? &cu : NULL;
	state = -1;
	if ((h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL)) == NULL) {
		olog_err("dlopen: %s", dlerror());
		return NULL;
	}
	if (!sym(h, "curl_global_init", &global_init) ||
	    !sym(h, "curl_easy_init", &cu.easy_init) ||
	    !sym(h, "curl_easy_setopt", &cu.easy_setopt) ||
	    !sym(h, "curl_easy_perform", &cu.easy_perform) ||
	    !sym(h, "curl_easy_getinfo", &cu.easy_getinfo) ||
	    !sym(h, "curl_easy_reset", &cu.easy_reset) ||
	    !sym(h, "curl_easy_cleanup", &cu.easy_cleanup) ||
	    !sym(h, "curl_easy_strerror", &cu.easy_strerror) ||
	    !sym(h, "curl_multi_init", &cu.multi_init) ||
	    !sym(h, "curl_multi_add_handle", &cu.multi_add_handle) ||
	    !sym(h, "curl_multi_remove_handle", &cu.multi_remove_handle) ||
	    !sym(h, "curl_multi_perform", &cu.multi_perform) ||
	    !sym(h, "curl_multi_info_read", &cu.multi_info_read) ||
	    !sym(h, "curl_multi_poll", &cu.multi_poll) ||
	    !sym(h, "curl_multi_cleanup", &cu.multi_cleanup) ||
	    !sym(h, "curl_multi_strerror", &cu.multi_strerror) ||
	    !sym(h, "curl_slist_append", &cu.slist_append) ||
	    !sym(h, "curl_slist_free_all", &cu.slist_free_all))
		return NULL;
	if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		olog_err("curl_global_init");
		return NULL;
	}
	state = 1;
	return &cu;
}
