/* sync — screen 1, the job queue live (see sync.c). */
#ifndef SCR_SYNC_H
#define SCR_SYNC_H
#include "tui/app.h"

struct scr_ctx;
struct sync_screen;
extern const struct tui_screen_class sync_screen_class;
/* Registers its result route and `:sync` command on c->app. */
struct sync_screen *sync_screen_new(struct scr_ctx *c);
void sync_screen_free(struct sync_screen *s);

#endif
