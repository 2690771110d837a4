/* embedded — lookup in the generated table of compiled-in files. */
#include "core/base/embedded.h"
#include <string.h>

const struct od_embedded *od_embedded_find(const char *name)
{
    for (const struct od_embedded *e = od_embedded_files; e->name; e++)
        if (strcmp(e->name, name) == 0) return e;
    return NULL;
}
