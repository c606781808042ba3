/*
 * arena.h: per-request bump allocator.
 *
 * Everything a request decodes (form fields, headers, cookies, copies of
 * store values) lives in the request's arena and goes away at once when
 * the request ends.  oarena_reset() wipes the bytes used with
 * OPENSSL_cleanse, because they may hold secrets.
 */
#ifndef OIDCGI_ARENA_H
#define OIDCGI_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct oarena_chunk;

struct oarena {
	struct oarena_chunk	*head;	/* newest chunk first */
};

void	 oarena_init(struct oarena *);
/* Zeroed memory aligned for any type; aborts on allocation failure. */
void	*oarena_alloc(struct oarena *, size_t);
char	*oarena_strdup(struct oarena *, const char *);
char	*oarena_strndup(struct oarena *, const char *, size_t);
void	*oarena_memdup(struct oarena *, const void *, size_t);
char	*oarena_printf(struct oarena *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
char	*oarena_vprintf(struct oarena *, const char *, va_list);
/* Wipe and release everything but the first chunk, for reuse. */
void	 oarena_reset(struct oarena *);
/* Wipe and release everything. */
void	 oarena_free(struct oarena *);

#endif
