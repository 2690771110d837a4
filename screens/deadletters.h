/* deadletters — the dead letters view of the Sync screen (see deadletters.c). */
#ifndef SCR_DEADLETTERS_H
#define SCR_DEADLETTERS_H
#include "tui/app.h"

struct scr_ctx;
struct dl_screen;
extern const struct tui_screen_class dl_screen_class;
struct dl_screen *dl_screen_new(struct scr_ctx *c);
void dl_screen_free(struct dl_screen *s);

#endif
