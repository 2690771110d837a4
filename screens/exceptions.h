/* exceptions — screen 2, live exceptions with ack/resolve (see exceptions.c). */
#ifndef SCR_EXCEPTIONS_H
#define SCR_EXCEPTIONS_H
#include "tui/app.h"

struct scr_ctx;
struct exc_screen;
extern const struct tui_screen_class exc_screen_class;
/* Registers its result route and `:kind` command on c->app. */
struct exc_screen *exc_screen_new(struct scr_ctx *c);
void exc_screen_free(struct exc_screen *s);

#endif
