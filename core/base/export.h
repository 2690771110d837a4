/* export — files opsdeck writes for people (the console's `:export`, `opsdeck report --output`):
 * created mode 0600 and exclusively (O_CREAT|O_EXCL|O_NOFOLLOW): never over an existing file,
 * never through a symlink; an existing name is replaced only when asked (od_export_replace:
 * a new file renamed over the name, so a symlink there is replaced, never followed).
 *
 *   char *dir;
 *   int dfd = od_export_dir_open(&dir);           // $XDG_STATE_HOME/opsdeck/exports, made 0700
 *   if (od_export_name_check(typed) < 0) show(od_err());  // a NAME, never a path
 *   switch (od_export_create(dfd, name, data, n)) // 0 written, 1 exists (nothing written), -1
 *   ...
 *   close(dfd); free(dir);
 *
 * The export directory is refused when it is not owned by the user running opsdeck or when
 * group or others may write to it (someone else could plant names there). */
#ifndef OD_EXPORT_H
#define OD_EXPORT_H
#include <stddef.h>

enum { OD_EXPORT_NAME_MAX = 120 };

/* Open (creating it and its parents 0700 when missing) the export directory; *path gets its
 * path (caller frees). Returns a directory fd (caller closes) or -1 with od_seterr. */
int od_export_dir_open(char **path);

/* 0 when name is usable as an export file name: 1..OD_EXPORT_NAME_MAX bytes of letters,
 * digits, '.', '_', '-', '+', not starting with '.' or '-' (so no path, no "..", no hidden
 * file, no option look-alike); -1 with od_seterr saying the rule otherwise. */
int od_export_name_check(const char *name);

/* Create name (relative to dirfd; AT_FDCWD and a path for the CLI) with data. 0 when written,
 * 1 when the name exists (nothing written, nothing followed), -1 with od_seterr. A partly
 * written file is removed. */
int od_export_create(int dirfd, const char *name, const char *data, size_t n);

/* Create name, or name-2, name-3 ... (before the extension) when it exists; *used gets the
 * name written (caller frees). 0 or -1 with od_seterr. */
int od_export_create_unique(int dirfd, const char *name, const char *data, size_t n, char **used);

/* Replace name in dirfd with data: a new 0600 file beside it, renamed over it. Whatever name
 * was (a file, a symlink) is replaced; a symlink's target is never touched. 0 or -1. */
int od_export_replace(int dirfd, const char *name, const char *data, size_t n);

#endif
