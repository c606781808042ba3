/*
 * listen.h: what a request (web/http.h) and a route table (web/route.h)
 * both name: the listener a request arrived on and how many path
 * parameters a route may capture.  A header of its own, so that http
 * and route need not include each other.
 */
#ifndef OIDCGI_LISTEN_H
#define OIDCGI_LISTEN_H

/* Listener bits: a request has one, a route names those it serves. */
#define OLISTEN_PUBLIC	0x1
#define OLISTEN_ADMIN	0x2
#define OLISTEN_BOTH	(OLISTEN_PUBLIC | OLISTEN_ADMIN)

/* Path parameters ("{id}") one route may capture, at the most. */
#define OROUTE_MAXPARAMS	4

#endif
