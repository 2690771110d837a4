/* health — screen 4, every health check worst first (see health.c). */
#ifndef SCR_HEALTH_H
#define SCR_HEALTH_H
#include "tui/app.h"

struct scr_ctx;
struct health_screen;
extern const struct tui_screen_class health_screen_class;
/* Registers its result route on c->app. */
struct health_screen *health_screen_new(struct scr_ctx *c);
void health_screen_free(struct health_screen *s);

#endif
