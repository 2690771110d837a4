/* testqueue — the job queue as the queue tests and the claim benchmark drive it by hand.
 *
 *   PGconn *c = od_db_connect(&cfg, "test-claimer");
 *   int errors = 0;
 *   long n = testqueue_burn(c, "claimer/1", 5, got, &errors);   // until the queue is empty
 *   PQfinish(c); */
#ifndef OD_TESTQUEUE_H
#define OD_TESTQUEUE_H
#include <libpq-fe.h>
#include <stdint.h>

/* Claim up to batch runnable jobs at a time as holder and complete them, until a claim finds
 * none. Each claimed id goes to got (room for every job) unless it is NULL; *errors counts a
 * failed claim or completion (c NULL is one). Returns how many jobs were claimed. */
long testqueue_burn(PGconn *c, const char *holder, int batch, int64_t *got, int *errors);

#endif
