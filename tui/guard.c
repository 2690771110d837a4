/* guard — signal handlers, stderr capture, die hook; see guard.h. */
#include "tui/guard.h"
#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/base/util.h"

static volatile sig_atomic_t curses_on, stop_requested, restoring;
static int wake = -1;
static int saved_stderr = -1, capture_fd = -1;

static const int stop_sigs[] = {SIGTERM, SIGINT, SIGHUP};
static const int crash_sigs[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE};

void tui_guard_set_curses(bool active)
{
    curses_on = active;
}

bool tui_guard_stop_requested(void)
{
    return stop_requested != 0;
}

int tui_guard_stop_signal(void)
{
    return stop_requested;
}

void tui_guard_release_stderr(void)
{
    if (saved_stderr < 0) return;
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    saved_stderr = -1;
    if (capture_fd >= 0) { /* read/write only: this also runs in signal handlers */
        char buf[4096];
        ssize_t n;
        lseek(capture_fd, 0, SEEK_SET);
        while ((n = read(capture_fd, buf, sizeof buf)) > 0)
            if (write(STDERR_FILENO, buf, (size_t)n) < 0) break;
        close(capture_fd);
        capture_fd = -1;
    }
}

int tui_guard_capture_stderr(void)
{
    char path[] = "/tmp/opsdeck-stderr-XXXXXX";
    const char *tmp = getenv("TMPDIR");
    char *p = tmp && *tmp ? od_xasprintf("%s/opsdeck-stderr-XXXXXX", tmp) : od_xstrdup(path);
    int fd = mkstemp(p);
    if (fd >= 0) unlink(p);
    free(p);
    if (fd < 0) return od_seterr("cannot create a temporary file for stderr: %s", strerror(errno));
    fflush(stderr);
    saved_stderr = dup(STDERR_FILENO);
    if (saved_stderr < 0 || dup2(fd, STDERR_FILENO) < 0) {
        close(fd);
        if (saved_stderr >= 0) close(saved_stderr);
        saved_stderr = -1;
        return od_seterr("cannot redirect stderr: %s", strerror(errno));
    }
    capture_fd = fd;
    return 0;
}

void tui_guard_restore(void)
{
    if (restoring) return;
    restoring = 1;
    if (curses_on) {
        curses_on = 0;
        endwin();
    }
    tui_guard_release_stderr();
    restoring = 0;
}

static void on_crash(int sig)
{
    tui_guard_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void on_stop(int sig)
{
    if (stop_requested) { /* asked twice: the user means it */
        tui_guard_restore();
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    stop_requested = sig;
    if (wake >= 0) {
        uint64_t one = 1;
        ssize_t r = write(wake, &one, sizeof one);
        (void)r;
    }
}

void tui_guard_install(int wake_fd)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    wake = wake_fd;
    stop_requested = 0;
    sa.sa_handler = on_stop;
    for (size_t i = 0; i < OD_ARRAY_LEN(stop_sigs); i++)
        sigaction(stop_sigs[i], &sa, NULL);
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_RESETHAND;
    for (size_t i = 0; i < OD_ARRAY_LEN(crash_sigs); i++)
        sigaction(crash_sigs[i], &sa, NULL);
    od_set_die_hook(tui_guard_restore);
}

void tui_guard_uninstall(void)
{
    for (size_t i = 0; i < OD_ARRAY_LEN(stop_sigs); i++)
        signal(stop_sigs[i], SIG_DFL);
    for (size_t i = 0; i < OD_ARRAY_LEN(crash_sigs); i++)
        signal(crash_sigs[i], SIG_DFL);
    od_set_die_hook(NULL);
    wake = -1;
}
