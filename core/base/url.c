/* url — see url.h. Parsing is deliberately narrow: only what a base URL needs. */
#include "core/base/url.h"
#include "core/base/util.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

bool od_url_host_is_loopback(const char *host, size_t len)
{
    char h[64];
    if (len == 0 || len >= sizeof h) return false;
    memcpy(h, host, len);
    h[len] = '\0';
    if (h[len - 1] == '.' && len > 1) h[--len] = '\0'; /* "localhost." is the same name */
    if (strcasecmp(h, "localhost") == 0) return true;
    struct in_addr a4;
    if (inet_pton(AF_INET, h, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    struct in6_addr a6;
    if (inet_pton(AF_INET6, h, &a6) == 1) {
        if (IN6_IS_ADDR_LOOPBACK(&a6)) return true;
        return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
    }
    return false;
}

int od_url_check_transport(const char *url)
{
    if (!url) return od_seterr("no URL");
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return od_seterr("the URL contains a space or a control character");
    bool tls;
    const char *auth;
    if (strncasecmp(url, "https://", 8) == 0)
        tls = true, auth = url + 8;
    else if (strncasecmp(url, "http://", 7) == 0)
        tls = false, auth = url + 7;
    else
        return od_seterr("only https:// (or http:// to a loopback host) is allowed");
    size_t alen = strcspn(auth, "/?#");
    if (memchr(auth, '@', alen))
        return od_seterr("user:password@ in the URL is not allowed (credentials belong in the "
                         "credential store, and it hides the real host)");
    const char *host = auth, *port = NULL;
    size_t hlen;
    if (*auth == '[') {
        const char *close = memchr(auth, ']', alen);
        if (!close) return od_seterr("unterminated [IPv6] host");
        host = auth + 1;
        hlen = (size_t)(close - host);
        if (close + 1 < auth + alen) {
            if (close[1] != ':') return od_seterr("unexpected text after the [IPv6] host");
            port = close + 2;
        }
    } else {
        const char *colon = memchr(auth, ':', alen);
        hlen = colon ? (size_t)(colon - auth) : alen;
        if (colon) port = colon + 1;
    }
    if (hlen == 0) return od_seterr("the URL has no host");
    if (port) {
        size_t plen = (size_t)(auth + alen - port);
        long v = 0;
        if (plen == 0 || plen > 5) return od_seterr("bad port in the URL");
        for (size_t i = 0; i < plen; i++) {
            if (port[i] < '0' || port[i] > '9') return od_seterr("bad port in the URL");
            v = v * 10 + (port[i] - '0');
        }
        if (v < 1 || v > 65535) return od_seterr("bad port in the URL");
    }
    if (!tls && !od_url_host_is_loopback(host, hlen))
        return od_seterr("plain http sends credentials in clear text: use https:// (http:// "
                         "is allowed only to a loopback host: 127.0.0.0/8, [::1], localhost)");
    return 0;
}
