/* sim_overlay — edits on top of the generated world (POST /__sim/mutate and some faults).
 *
 * Time entries: a small hash map id -> current version (edited, added or deleted); an entry's
 * current version is overlay ?? world_entry_base(). Small collections are edited in place.
 * Every edit stamps updated_at with world_next_mutation_s() (> T0), so updated_since > T0
 * only has to look at the overlay. Callers hold sim_world.lock (read for lookups, write for
 * changes) unless a function says otherwise. */
#ifndef SIM_OVERLAY_H
#define SIM_OVERLAY_H
#include "tests/sim/sim.h"

struct ov_entry {
    struct sim_entry e;
    bool deleted;
};

void overlay_init(void);
void overlay_release(void);
/* Current version of generated entry i; false if deleted. */
bool entry_current(int64_t i, struct sim_entry *e);
/* Current version of any entry id (generated or added) into e; false if unknown/deleted. */
bool entry_by_id(int64_t id, struct sim_entry *e);
/* The overlay record for an id, or NULL. */
const struct ov_entry *overlay_find(int64_t id);
/* All overlay records (edited, added, deleted), in insertion order. */
const struct ov_entry *overlay_all(size_t *n);
/* Number of added entries and deleted generated entries. */
int64_t overlay_added(void);
/* Sorted generated indices of deleted entries; *n set. */
const int64_t *overlay_deleted_indices(size_t *n);

/* Write lock taken inside. */
int overlay_delete_entry(int64_t id);
/* Edit the first hours of a generated entry (change_between_pages); write lock taken inside. */
void overlay_bump_entry(int64_t id);
/* POST /__sim/mutate */
void mutate_handle(struct sim_req *r);

#endif
