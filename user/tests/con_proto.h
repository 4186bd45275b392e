/*
 * What tests/console_fwd asks its console server (helpers/con_srv) over
 * its own connection, beside the console ops of proto/console.h: the
 * same struct console_req, with these ops.
 */
#ifndef TESTS_CON_PROTO_H
#define TESTS_CON_PROTO_H

#define CON_OP_TOTAL 100    /* bytes written so far */
#define CON_OP_CHUNKS 101   /* write requests so far */
#define CON_OP_PID 102	    /* the pid of the last write */
#define CON_OP_SEEN 103	    /* len bytes written from offset `pid` */
#define CON_OP_TAKE_MAX 104 /* writes take at most len bytes from now */
#define CON_OP_DIE_NEXT 105 /* the next write kills the server */
#define CON_OP_RESET 106
#define CON_OP_SLOW 107 /* each write spins `len` ticks first */

#define CON_SEEN 8192

#endif
