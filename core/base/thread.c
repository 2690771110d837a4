/* thread — see thread.h. */
#include "core/base/thread.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

/* What a new thread inherits from the one starting it, for its log lines: the job they belong
 * to and the thread name (until it names itself). */
struct start {
    void *(*fn)(void *);
    void *arg;
    int64_t job;
    char name[32];
};

static void *trampoline(void *p)
{
    struct start st = *(struct start *)p;
    free(p);
    od_log_set_job(st.job);
    if (st.name[0]) od_log_set_thread(st.name);
    return st.fn(st.arg);
}

void od_thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
    struct start *st = od_xmalloc(sizeof *st);
    *st = (struct start){fn, arg, od_log_job(), ""};
    if (strcmp(od_log_thread(), "main")) snprintf(st->name, sizeof st->name, "%s", od_log_thread());
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(t, NULL, trampoline, st);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) od_die("cannot start a thread: %s", strerror(rc));
}

void od_cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &ca);
    pthread_condattr_destroy(&ca);
}

void od_deadline_ms(struct timespec *ts, int64_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += (time_t)(ms / 1000);
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}
