/* sim_usage — opsdeck-sim's options as a table (core/base/cli.h): `opsdeck-sim --help` and the
 * opsdeck-sim(1) man page (`opsdeck-sim --man`, built by make into build/man/) are generated
 * from it, so they list the same options the simulator takes. */
#ifndef SIM_USAGE_H
#define SIM_USAGE_H
#include <stdio.h>

void sim_usage_help(FILE *out);
void sim_usage_man(FILE *out);

#endif
