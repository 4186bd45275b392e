/*
 * What service_basic and its service, helpers/svc_peer, say through a
 * shared buffer (docs/services.md): the client writes a command, the
 * service's callback carries it out and writes back what it saw.
 */
#ifndef TESTS_SVC_TEST_H
#define TESTS_SVC_TEST_H

#include <stdint.h>

#define SVC_CMD_COUNT 'C' /* fill in calls, badge, addr, len, tail */
#define SVC_CMD_UPPER 'U' /* upper-case text[] in place, then as COUNT */
#define SVC_CMD_SPIN 'S'  /* result = 1 at once, spin arg ms, as COUNT */
#define SVC_CMD_PROBE 'P' /* result = the byte at address arg (may fault) */

struct svc_test_buf {
	char cmd;
	char pad[7];
	uint64_t arg;
	uint64_t calls;	 /* the service's callbacks so far, this one too */
	uint64_t badge;	 /* the client id the callback got */
	uint64_t addr;	 /* where the buffer is in the service */
	uint64_t len;	 /* the length the callback got */
	uint64_t result; /* SPIN: 1 once started; PROBE: the byte */
	uint64_t tail;	 /* 1 if every byte from len to the page end is 0 */
	char text[];
};

#endif
