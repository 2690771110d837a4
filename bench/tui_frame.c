/* tui_frame — frame time and terminal bytes for a 100,000-row table.
 *
 * Renders the real app frame (tab line, table, status line) into a grid and flushes it through
 * ncursesw to a file standing in for the terminal (TERM=xterm-256color, 120x40), so the bytes
 * are what a user's SSH session would carry. Scenarios, each a loop of frames:
 *   scroll      - one row down, draw, diff flush (the common case)
 *   page        - one page down
 *   filter      - one more character typed into the / filter (incremental narrowing)
 *   sort-new    - `s` six times: each column's first sort on this snapshot (100k rows)
 *   sort-again  - `s` 24 more times: columns sorted before (the table keeps each order)
 *   replace     - a fresh 100k-row snapshot arrives (sort + filter + keep selection)
 * The rows are built and presorted (tui_table_prepare) as a producer thread would, untimed; the
 * cost of that is printed once as "worker". With `noprep` the rows are not presorted and the
 * table sorts on the UI thread (the figure for producers that do not call tui_table_prepare).
 * Prints median and p95 milliseconds per frame and median bytes per frame. Under
 * `valgrind --tool=callgrind --collect-atstart=no` only the timed part of each frame is counted
 * and the counts are dumped once per scenario (bench/tui_frame.sh --ir prints instructions/frame).
 * Usage: tui_frame [ROWS] [noprep]   (bench/tui_frame.sh builds and runs it) */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "tui/app.h"
#include "tui/table.h"
#include "tui/term.h"
#if defined(__has_include) && __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#endif

#define W 120
#define H 40
#define FRAMES 200

static const struct tui_column cols[] = {
    {"Client", TUI_ALIGN_LEFT, 8, 28, TUI_CMP_TEXT, NULL},
    {"Project", TUI_ALIGN_LEFT, 8, 30, TUI_CMP_TEXT, NULL},
    {"Month", TUI_ALIGN_LEFT, 7, 7, TUI_CMP_TEXT, NULL},
    {"Hours", TUI_ALIGN_RIGHT, 0, 0, TUI_CMP_DECIMAL, NULL},
    {"Revenue", TUI_ALIGN_RIGHT, 0, 0, TUI_CMP_DECIMAL, NULL},
    {"Margin %", TUI_ALIGN_RIGHT, 0, 0, TUI_CMP_DECIMAL, NULL},
};

static const char *const words[] = {"Acme",      "Globex",   "Initech",    "Umbrella", "Stark",
                                    "Wayne",     "Hooli",    "Vandelay",   "Soylent",  "Tyrell",
                                    "Cyberd",    "Zorg",     "Nakatomi",   "Oscorp",   "Wonka",
                                    "Gringotts", "北京科技", "Müller GmbH"};

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static bool prepare = true;
static int64_t worker_build_us, worker_prepare_us;

static void make_rows(struct tui_rowset *rs, size_t n)
{
    int64_t t0 = od_now_us();
    tui_rowset_init(rs, 6);
    for (size_t i = 0; i < n; i++) {
        char key[24], client[64], project[64], month[16], hours[24], rev[24], margin[16];
        snprintf(key, sizeof key, "p%zu", i);
        snprintf(client, sizeof client, "%s %s", words[next() % 18], words[next() % 18]);
        snprintf(project, sizeof project, "%s website %zu", words[next() % 18], i % 977);
        snprintf(month, sizeof month, "2026-%02d", (int)(next() % 12) + 1);
        snprintf(hours, sizeof hours, "%d.%02d", (int)(next() % 400), (int)(next() % 100));
        snprintf(rev, sizeof rev, "%d.%02d", (int)(next() % 90000) - 5000, (int)(next() % 100));
        snprintf(margin, sizeof margin, "%d.%d", (int)(next() % 140) - 40, (int)(next() % 10));
        const char *cells[] = {client, project, month, hours, rev, margin};
        tui_rowset_add(rs, key, cells, 0);
    }
    int64_t t1 = od_now_us();
    if (prepare) tui_table_prepare(cols, 6, rs);
    worker_build_us = t1 - t0;
    worker_prepare_us = od_now_us() - t1;
}

static struct tui_table table;

static void draw(void *st, struct tui_app *app, struct tui_grid *g, struct tui_rect a)
{
    tui_table_draw(&table, g, a, true);
}

static unsigned key(void *st, struct tui_app *app, const struct tui_key *k)
{
    return tui_table_key(&table, k);
}

static const struct tui_screen_class screen = {
    .name = "profit", .title = "Profitability", .key = key, .draw = draw};

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

struct sample {
    int64_t us[FRAMES], bytes[FRAMES];
    int n;
};

static void report(const char *name, struct sample *s)
{
    qsort(s->us, (size_t)s->n, sizeof s->us[0], cmp64);
    qsort(s->bytes, (size_t)s->n, sizeof s->bytes[0], cmp64);
    printf("%-10s frames=%4d  median=%7.3f ms  p95=%7.3f ms  bytes/frame median=%6lld "
           "p95=%6lld\n",
           name, s->n, s->us[s->n / 2] / 1000.0, s->us[s->n * 95 / 100] / 1000.0,
           (long long)s->bytes[s->n / 2], (long long)s->bytes[s->n * 95 / 100]);
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? (size_t)atol(argv[1]) : 100000;
    prepare = !(argc > 2 && !strcmp(argv[2], "noprep"));
    setlocale(LC_ALL, "C.UTF-8");
    setenv("TERM", "xterm-256color", 1);
    setenv("LINES", "40", 1);
    setenv("COLUMNS", "120", 1);
    FILE *out = tmpfile(), *in = fopen("/dev/null", "r");
    struct tui_term term;
    if (!out || !in || tui_term_open_stream(&term, "xterm-256color", out, in, "256") < 0) {
        fprintf(stderr, "tui_frame: %s\n", od_err());
        return 1;
    }
    struct tui_app_options o = {.theme = "default", .title = "opsdeck bench"};
    struct tui_app *app = tui_app_new(&o);
    tui_term_apply_theme(&term, tui_app_theme(app));
    tui_app_add_screen(app, &screen, NULL);
    tui_table_init(&table, cols, 6);
    struct tui_rowset rs;
    make_rows(&rs, rows);
    int64_t t0 = od_now_us();
    tui_table_set_rows(&table, &rs);
    printf("rows=%zu  first load (sort none, copy in) %.3f ms\n", rows,
           (od_now_us() - t0) / 1000.0);
    printf("worker (not in frames): build %.1f ms, %s %.1f ms\n", worker_build_us / 1000.0,
           prepare ? "tui_table_prepare" : "no prepare", worker_prepare_us / 1000.0);
    struct tui_grid g;
    tui_grid_init(&g, W, H);
    tui_app_render(app, &g);
    tui_term_flush(&term, &g);
    static const struct {
        const char *name;
        int key;
        int frames;
    } sc[] = {{"scroll", 'j', FRAMES}, {"page", TUI_KEY_PGDN, FRAMES},
              {"sort-new", 's', 6},    {"sort-again", 's', 24},
              {"filter", 0, 4},        {"replace", 0, 10}};
    for (size_t i = 0; i < sizeof sc / sizeof sc[0]; i++) {
        struct sample s = {.n = 0};
        const char *typed = "acme";
        for (int f = 0; f < sc[i].frames; f++) {
            struct tui_rowset fresh;
            bool replace = !strcmp(sc[i].name, "replace");
            if (replace) make_rows(&fresh, rows); /* built by a worker in real life: not timed */
            long before = ftell(out);
            int64_t start = od_now_us();
            CALLGRIND_TOGGLE_COLLECT;
            if (replace)
                tui_table_set_rows(&table, &fresh);
            else if (sc[i].key)
                tui_app_feed_key(app, sc[i].key);
            else {
                if (f == 0) tui_app_feed_key(app, '/');
                tui_app_feed_key(app, typed[f]);
            }
            tui_app_render(app, &g);
            tui_term_flush(&term, &g);
            fflush(out);
            CALLGRIND_TOGGLE_COLLECT;
            s.us[s.n] = od_now_us() - start;
            s.bytes[s.n++] = ftell(out) - before;
            if (replace) tui_rowset_release(&fresh);
        }
        report(sc[i].name, &s);
        CALLGRIND_DUMP_STATS_AT(sc[i].name);
        if (!strcmp(sc[i].name, "filter")) {
            printf("         (filter \"acme\" leaves %zu of %zu rows)\n", tui_table_shown(&table),
                   tui_table_total(&table));
            tui_app_feed_key(app, TUI_KEY_ENTER);
        }
    }
    tui_rowset_release(&rs);
    tui_grid_release(&g);
    tui_table_release(&table);
    tui_term_close(&term);
    tui_app_free(app);
    fclose(out);
    fclose(in);
    return 0;
}
