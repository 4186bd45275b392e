/*
 * Decoding SYS_proc_wait statuses (the Linux wait-status encoding, see
 * <uapi/ferry/proc.h>): the low 7 bits hold the signal that killed the
 * process, or 0 for a normal exit whose code sits in bits 8..15.
 */
#ifndef FERRY_STATUS_H
#define FERRY_STATUS_H

static inline int fy_status_exited(long status)
{
	return (status & 0x7f) == 0;
}

static inline int fy_status_code(long status)
{
	return (int)((status >> 8) & 0xff);
}

static inline int fy_status_killed(long status)
{
	return (status & 0x7f) != 0;
}

static inline int fy_status_signal(long status)
{
	return (int)(status & 0x7f);
}

#endif
