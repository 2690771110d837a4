/* thread — the small pthread habits every core thread shares.
 *
 *   od_thread_start(&t, main_fn, arg);   // all signals blocked in the new thread, so SIGINT/
 *                                        // SIGTERM reach the thread that waits for them; it
 *                                        // inherits the starter's log job (od_log_set_job)
 *                                        // and log thread name
 *   od_cond_init_monotonic(&cond);       // timed waits immune to wall-clock jumps
 *   struct timespec ts; od_deadline_ms(&ts, 500);
 *   pthread_cond_timedwait(&cond, &lock, &ts);
 * Failing to create a thread is treated like running out of memory (od_die). */
#ifndef OD_THREAD_H
#define OD_THREAD_H
#include <pthread.h>
#include <stdint.h>
#include <time.h>

void od_thread_start(pthread_t *t, void *(*fn)(void *), void *arg);
void od_cond_init_monotonic(pthread_cond_t *cond);
/* CLOCK_MONOTONIC now + ms, for pthread_cond_timedwait on a monotonic condition. */
void od_deadline_ms(struct timespec *ts, int64_t ms);

#endif
