/* links — which HubSpot company a Harvest client is, and which deal a Harvest project is
 * (tables client_links, project_links): matched automatically, listed and edited by hand.
 *
 *   od_links_auto(pool, &res);                 // after each sync; never touches manual links
 *   struct od_link_list l;
 *   od_links_list(pool, OD_LINK_CLIENT, &l);   // every client, linked or not
 *   od_links_edit(pool, OD_LINK_CLIENT, OD_LINK_SET, 101, 9001, l.items[i].version, "ops@x");
 *   od_link_list_release(&l);
 *
 * Automatic rule (docs/profitability.md): a client matches the one live company whose name
 * equals the client's after trimming and case-folding; failing that, the one company whose
 * domain host equals the client name, or whose domain's first label equals the client name,
 * both reduced to ASCII letters and digits ("Umbrella Corp" ~ umbrella-corp.com). A project
 * matches the one live deal with the same trimmed, case-folded name, preferring deals of the
 * client's linked company. Ambiguous or no match: no automatic link.
 *
 * Manual edits: SET links by hand, UNSET records "no company/deal" by hand (automatic
 * matching leaves both alone), RESET drops the manual decision and re-runs matching.
 * Optimistic locking: expected_version is the `version` the editor saw (0 = no link row yet);
 * a different current version is refused with a message saying so. Each edit writes an
 * audit_log row in the same transaction and NOTIFYs opsdeck_links. */
#ifndef OD_LINKS_H
#define OD_LINKS_H
#include <stddef.h>
#include <stdint.h>

struct od_pool;

enum od_link_kind { OD_LINK_CLIENT, OD_LINK_PROJECT };
enum od_link_edit { OD_LINK_SET, OD_LINK_UNSET, OD_LINK_RESET };

/* "client" | "project"; -1 with od_seterr otherwise. */
int od_link_kind_parse(const char *s, enum od_link_kind *out);
const char *od_link_kind_name(enum od_link_kind kind);

struct od_link {
    enum od_link_kind kind;
    int64_t local_id;    /* Harvest client or project id */
    char *local_name;    /* raw database text (sanitize before display) */
    int64_t remote_id;   /* HubSpot company or deal id; 0 = none */
    char *remote_name;   /* company name (or domain) / deal name; NULL when none */
    char method[8];      /* name | domain | manual; "" = no link row */
    char *updated_by;    /* NULL when none */
    char updated_at[32]; /* RFC 3339 UTC or "" */
    int version;         /* 0 = no link row yet */
};

struct od_link_list {
    struct od_link *items;
    size_t n;
};

struct od_links_auto_result {
    int linked;  /* automatic links created or changed */
    int removed; /* automatic links whose match disappeared */
};

/* Match clients, then projects, in one transaction (serialised by an advisory lock). */
int od_links_auto(struct od_pool *pool, struct od_links_auto_result *out /* may be NULL */);
/* Every live client (or project) with its link, ordered by name. */
int od_links_list(struct od_pool *pool, enum od_link_kind kind, struct od_link_list *out);
void od_link_list_release(struct od_link_list *l);
/* remote_id is used by OD_LINK_SET only. On success *new_version (may be NULL) gets the
 * row's version afterwards (0 after RESET). -1 with od_seterr: unknown ids, stale version. */
int od_links_edit(struct od_pool *pool, enum od_link_kind kind, enum od_link_edit edit,
                  int64_t local_id, int64_t remote_id, int expected_version, const char *actor,
                  int *new_version);

#endif
