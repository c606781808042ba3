/*
 * ceiling: the benchmark's yardstick (never installed).  A FastCGI
 * responder that does no work: it accepts a request, ignores it, and
 * answers 200 with a fixed JSON body.  scripts/bench serves it behind
 * the same lighttpd, with the same number of processes, as the oidcgi
 * binaries, so requests/s of this one is the most the web server, the
 * FastCGI hop and the load generator allow on the machine; every
 * scenario is reported as a fraction of it.
 *
 * It links libfcgi only: none of lib/ runs, not even the request
 * parser, so that the ceiling measures the plumbing and nothing else.
 */
#include <string.h>

#include <fcgiapp.h>

/* NOTE: THE HEADER LINES END IN CRLF; LENGTH MATCHES THE BODY. */
static const char reply[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 16\r\n"
    "Cache-Control: no-store\r\n"
    "\r\n"
    "{\"status\":\"ok\"}\n";

int
main(void)
{
	FCGX_Request	 r;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		FCGX_PutStr(reply, (int)(sizeof(reply) - 1), r.out);
		FCGX_Finish_r(&r);
	}
	return 0;
}
