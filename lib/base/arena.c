/*
 * arena.c: per-request bump allocator (see arena.h).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/arena.h"
#include "base/util.h"

#define CHUNK_MIN	(16 * 1024)
#define ALIGN		(_Alignof(max_align_t))

struct oarena_chunk {
	struct oarena_chunk	*next;
	size_t			 size;	/* usable bytes in data[] */
	size_t			 used;
	max_align_t		 data[];
};

void
oarena_init(struct oarena *a)
{
	a->head = NULL;
}

void *
oarena_alloc(struct oarena *a, size_t n)
{
	struct oarena_chunk	*c = a->head;
	size_t			 need, sz;
	void			*p;

	if (n > SIZE_MAX - ALIGN)
		abort();
	need = (n + ALIGN - 1) & ~(ALIGN - 1);
	if (need == 0)
		need = ALIGN;
	if (c == NULL || c->size - c->used < need) {
		sz = need > CHUNK_MIN ? need : CHUNK_MIN;
		c = oxmalloc(sizeof(*c) + sz);
		c->size = sz;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	p = (unsigned char *)c->data + c->used;
	c->used += need;
	memset(p, 0, n);
	return p;
}

char *
oarena_strndup(struct oarena *a, const char *s, size_t n)
{
	char	*p;

	p = oarena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
oarena_strdup(struct oarena *a, const char *s)
{
	return oarena_strndup(a, s, strlen(s));
}

void *
oarena_memdup(struct oarena *a, const void *s, size_t n)
{
	void	*p;

	p = oarena_alloc(a, n);
	if (n > 0)
		memcpy(p, s, n);
	return p;
}

char *
oarena_vprintf(struct oarena *a, const char *fmt, va_list ap)
{
	va_list	 ap2;
	int	 n;
	char	*p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		abort();
	p = oarena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
oarena_printf(struct oarena *a, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = oarena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

/*
 * Wipe every used byte and release every chunk but the oldest, which is
 * kept for the next request when it is of the ordinary size (the usual
 * request fits in it); an oversized one is released too.
 */
void
oarena_reset(struct oarena *a)
{
	struct oarena_chunk	*c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		OPENSSL_cleanse(c->data, c->used);
		c->used = 0;
		if (next == NULL && c->size == CHUNK_MIN) {
			a->head = c;
			return;
		}
		free(c);
	}
	a->head = NULL;
}

void
oarena_free(struct oarena *a)
{
	struct oarena_chunk	*c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		OPENSSL_cleanse(c->data, c->used);
		free(c);
	}
	a->head = NULL;
}
