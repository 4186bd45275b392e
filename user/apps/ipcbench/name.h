/* ipcbench's name_lookup figure (name.c). */
#ifndef IPCBENCH_NAME_H
#define IPCBENCH_NAME_H

#include <ferry/ferry.h>

/*
 * Registers ipcbench's server (process proc) and measures looking it
 * up; 0, or nonzero after saying why.
 */
int bench_name_lookup(cap_t proc);

#endif
