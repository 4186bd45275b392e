/* ipcbench's notify_wake figure (notify.c). */
#ifndef IPCBENCH_NOTIFY_H
#define IPCBENCH_NOTIFY_H

/* "ipcbench notify-peer": echoes notifications until bit 63. */
int notify_peer(void);
/* Measures and reports notify_wake; 0, or nonzero after saying why. */
int bench_notify(void);

#endif
