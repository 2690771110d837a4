/* mouse — the hit map of the last frame; see mouse.h. */
#include "tui/mouse.h"
#include <stdlib.h>
#include "core/base/util.h"

void tui_hits_clear(struct tui_hits *h)
{
    h->n = 0;
}

void tui_hits_release(struct tui_hits *h)
{
    free(h->v);
    h->v = NULL;
    h->n = h->cap = 0;
}

void tui_hits_add(struct tui_hits *h, struct tui_rect r, enum tui_hit_kind kind, const void *owner,
                  long id)
{
    if (r.w <= 0 || r.h <= 0) return;
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 64;
        h->v = od_xrealloc(h->v, (size_t)h->cap * sizeof *h->v);
    }
    h->v[h->n++] = (struct tui_hit){r, kind, owner, id};
}

static bool inside(struct tui_rect r, int x, int y)
{
    return x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
}

const struct tui_hit *tui_hits_find(const struct tui_hits *h, int x, int y)
{
    for (int i = h->n - 1; i >= 0; i--)
        if (inside(h->v[i].r, x, y)) return &h->v[i];
    return NULL;
}

void tui_grid_hit(struct tui_grid *g, struct tui_rect r, enum tui_hit_kind kind, const void *owner,
                  long id)
{
    if (g->hits) tui_hits_add(g->hits, r, kind, owner, id);
}
