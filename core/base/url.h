/* url — the transport rule for URLs that credentials are sent to: https, or plain http only to
 * a loopback host (the simulator, a local stand-in). Used by configuration validation
 * (harvest.base_url, harvest.id_url, hubspot.base_url, hubspot.auth_url, hubspot.redirect_uri),
 * the token endpoint and the connectors, so the rule lives in one place.
 *
 *   if (od_url_check_transport(url) < 0) ... od_err() says why (scheme, userinfo, plain http)
 *
 * Accepted: "https://HOST[:PORT][/...]" and "http://LOOPBACK[:PORT][/...]" where LOOPBACK is a
 * dotted-quad in 127.0.0.0/8, [::1] (or an IPv4-mapped 127.x address) or "localhost". Refused:
 * any other scheme, no host, userinfo ("user:pass@host": it hides the real host from a quick
 * read and puts a secret in the configuration), a port that is not 1-65535, spaces/controls.
 * Schemes are matched case-insensitively, hosts as written (no DNS lookup: a name that happens
 * to resolve to 127.0.0.1 is still not loopback here). */
#ifndef OD_URL_H
#define OD_URL_H
#include <stdbool.h>
#include <stddef.h>

/* 0 when url may carry credentials; -1 with od_seterr naming the problem. */
int od_url_check_transport(const char *url);
/* The host part of an authority (no brackets for IPv6) is a loopback address or localhost. */
bool od_url_host_is_loopback(const char *host, size_t len);

#endif
