/* sim_http — the HTTP server of opsdeck-sim (libmicrohttpd, internal thread pool).
 * Start once listening address and configuration are known; stop joins everything. */
#ifndef SIM_HTTP_H
#define SIM_HTTP_H
#include "tests/sim/sim.h"
#include <netinet/in.h>
#include <stdio.h>

/* Listen on addr (port 0 = any free port); *port_out gets the real port. log NULL = stderr. */
int sim_http_start(const struct sockaddr_in *addr, FILE *log, int *port_out);
/* Release connections held by the timeout fault and stop the daemon. */
void sim_http_stop(void);

#endif
