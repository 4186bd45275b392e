/*
 * The IPC server the ipc_* system tests talk to: one handler, shared by
 * every connection, that does what the request asks (ipc_proto.h), a
 * destructor that counts its runs, and a record of every badge it was
 * called with, so the tests can see from outside what the server saw.
 */
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <ferry/ipc.h>

#include "../ipc_proto.h"

#define MAX_BADGES 64

static long dtor_runs, calls_done, spins_done, rereg_result = 1;

/* OP_LONGCALL: getrandom into n fresh bytes, then munmap them. */
static long long_call(size_t n)
{
	char *b = mmap(0, n, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long r;

	if (b == MAP_FAILED)
		return -ENOMEM;
	r = fy_syscall3(SYS_getrandom, (long)b, (long)n, 0);
	munmap(b, n);
	spins_done++;
	return r;
}
static uint64_t badges[MAX_BADGES];
static int nbadges;
/* PMOs we returned: our copies go at the start of the next call. */
static cap_t owed[IPC_MAX_CAPS];
static int nowed;
static struct ipc_conn next;
static cap_t next_cap = -1;
static _Alignas(16) char spare_stack[4096];

static void note_badge(uint64_t badge)
{
	for (int i = 0; i < nbadges; i++)
		if (badges[i] == badge)
			return;
	if (nbadges < MAX_BADGES)
		badges[nbadges++] = badge;
}

static void pay_debts(void)
{
	while (nowed > 0)
		fy_cap_delete(owed[--nowed]);
}

static long new_pmo(uint64_t value)
{
	long pmo = fy_pmo_create(4096, PMO_DATA);

	if (pmo >= 0)
		fy_pmo_write((cap_t)pmo, 0, &value, sizeof(value));
	return pmo;
}

static long map_caps(struct ipc_msg *m, struct srv_hdr *h)
{
	int64_t *out = (int64_t *)((char *)h + SRV_PAYLOAD);
	cap_t *caps = ipc_msg_caps(m);
	long n = h->a, mapped = 0;

	if (n > IPC_MAX_CAPS || n > m->cap_slots ||
	    m->data_len < SRV_PAYLOAD + 32 * sizeof(int64_t))
		return -EINVAL;
	for (long i = 0; i < n; i++) {
		long info = fy_cap_info(caps[i]), r;
		unsigned rights = FY_CAP_INFO_RIGHTS(info);
		unsigned perm = VM_READ;

		out[i] = out[16 + i] = info < 0 ? info : rights;
		if (info < 0)
			continue;
		if (rights & CAP_RIGHT_WRITE)
			perm |= VM_WRITE;
		if (FY_CAP_INFO_TYPE(info) != OBJ_TYPE_PMO)
			r = -ECAPBILITY;
		else
			r = fy_pmo_map(CAP_SELF_GROUP, caps[i], SRV_SCRATCH,
				       perm);
		if (r < 0) {
			out[i] = r;
		} else {
			volatile uint64_t *v = (volatile uint64_t *)SRV_SCRATCH;

			out[i] = (int64_t)v[0];
			if (perm & VM_WRITE)
				v[1] = ~v[0];
			fy_pmo_unmap(CAP_SELF_GROUP, SRV_SCRATCH);
			mapped++;
		}
		fy_cap_delete(caps[i]);
	}
	return mapped;
}

static long return_caps(struct ipc_msg *m, struct srv_hdr *h)
{
	cap_t *caps = ipc_msg_caps(m);
	long n = h->a, r;

	if (n > IPC_MAX_CAPS || n > m->cap_slots)
		return -EINVAL;
	for (long i = 0; i < n; i++) {
		long pmo = new_pmo(SRV_PMO_MAGIC + i);

		if (pmo < 0)
			return pmo;
		owed[nowed++] = caps[i] = (cap_t)pmo;
	}
	calls_done++;
	r = ipc_return_caps(m, SRV_RETCAPS_RET, (unsigned)n);
	calls_done--;
	h->b = r;
	return SRV_RETFAIL;
}

/* Each way must be refused; the call then ends with a plain return. */
static long return_bad(struct ipc_msg *m, struct srv_hdr *h)
{
	cap_t *caps = ipc_msg_caps(m);
	uint32_t saved_off = m->cap_offset;
	cap_t mine[4] = {-1, -1, -1, -1};
	unsigned n = 1;
	long r;

	if (m->cap_slots < 4)
		return -EINVAL;
	switch (h->a) {
	case RETBAD_NOT_OURS:
		caps[0] = 99999;
		break;
	case RETBAD_MINUS_ONE:
		caps[0] = -1;
		break;
	case RETBAD_NO_GRANT:
		mine[0] = (cap_t)new_pmo(1);
		mine[1] = (cap_t)fy_cap_copy(mine[0],
					     CAP_RIGHT_ALL & ~CAP_RIGHT_GRANT);
		caps[0] = mine[1];
		break;
	case RETBAD_17:
		n = 17;
		break;
	case RETBAD_PAST_SLOTS:
		caps[0] = mine[0] = (cap_t)new_pmo(1);
		n = m->cap_slots + 1;
		break;
	case RETBAD_BAD_HDR:
		caps[0] = mine[0] = (cap_t)new_pmo(1);
		m->cap_offset = 0xffffffffu;
		break;
	case RETBAD_PARTIAL:
		for (int i = 0; i < 3; i++)
			caps[i] = mine[i] = (cap_t)new_pmo(i);
		caps[3] = 99999;
		n = 4;
		break;
	default:
		return -EINVAL;
	}
	r = fy_ipc_return(0x99, n);
	m->cap_offset = saved_off;
	for (int i = 0; i < 4; i++)
		if (mine[i] >= 0)
			fy_cap_delete(mine[i]);
	h->b = r;
	return SRV_RETFAIL;
}

static long chain(struct ipc_msg *m, struct srv_hdr *h)
{
	struct ipc_msg *m2;
	struct srv_hdr *h2;
	unsigned char *p;
	long r;

	if (next_cap < 0)
		return -ENOENT;
	m2 = ipc_msg_init(&next, m->data_len, 0);
	if (!m2)
		return -E2BIG;
	h2 = ipc_msg_data(m2);
	memcpy(h2, h, m->data_len);
	h2->op = h->a;
	h2->a = h->b;
	r = ipc_call(&next, m2, 0);
	p = (unsigned char *)h + SRV_PAYLOAD;
	memcpy(p, (char *)h2 + SRV_PAYLOAD, m->data_len - SRV_PAYLOAD);
	if (h->a == OP_XFORM)
		for (uint32_t i = 0; i < m->data_len - SRV_PAYLOAD; i++)
			p[i]++;
	h->c = r;
	return SRV_CHAIN_RET;
}

static long serve(struct ipc_msg *m, struct srv_hdr *h, uint64_t badge)
{
	long end, r;

	switch (h->op) {
	case OP_NOP:
		return SRV_NOP_RET;
	case OP_BADGE:
		h->b = h->a;
		h->a = (int64_t)badge;
		return (long)badge;
	case OP_XFORM:
		return srv_xform(m);
	case OP_SPIN:
		end = srv_ticks() + h->a;
		while (srv_ticks() < end)
			;
		spins_done++;
		return h->a;
	case OP_SPINS:
		return spins_done;
	case OP_LONGCALL:
		return long_call((size_t)h->a << 20);
	case OP_FAULT:
		*(volatile int *)0 = 1;
		return -EFAULT; /* not reached */
	case OP_THREAD_EXIT:
		fy_thread_exit();
	case OP_STATS:
		h->a = dtor_runs;
		h->b = calls_done;
		h->c = nbadges;
		return dtor_runs;
	case OP_NCAPS:
		r = 0;
		for (int i = 0; i < SRV_CAP_SCAN; i++)
			r += fy_cap_info(i) >= 0;
		return r;
	case OP_MAPCAPS:
		return map_caps(m, h);
	case OP_RETCAPS:
		return return_caps(m, h);
	case OP_RETBAD:
		return return_bad(m, h);
	case OP_MISUSE:
		h->a = fy_ipc_exit_routine_return();
		h->b = fy_ipc_register_cb_return(CAP_SELF_MAIN_THREAD, NULL,
						 SRV_SCRATCH);
		h->c = fy_register_server((void *)serve, CAP_SELF_MAIN_THREAD,
					  NULL);
		return 0;
	case OP_REREG:
		return rereg_result;
	case OP_SETNEXT:
		if (h->a != 1 || m->cap_slots < 1 || next_cap >= 0)
			return -EINVAL;
		next_cap = ipc_msg_caps(m)[0];
		r = ipc_connect(next_cap, 4096, &next);
		if (r < 0)
			next_cap = -1;
		return r;
	case OP_CHAIN:
		return chain(m, h);
	}
	return -ENOSYS;
}

static long handler(struct ipc_msg *m, uint64_t badge)
{
	long r;

	note_badge(badge);
	pay_debts();
	if (!m || m->data_len < SRV_PAYLOAD)
		r = (long)badge;
	else
		r = serve(m, ipc_msg_data(m), badge);
	calls_done++;
	return r;
}

static void destructor(uint64_t badge)
{
	(void)badge;
	dtor_runs++;
}

int main(void)
{
	long spare;
	/*
	 * One handler for every connection: the tests that use this server
	 * examine the kernel's rules for a shared handler (busy, queued
	 * destructors, deadlines); helpers/ipc_multi has one per connection.
	 */
	struct ipc_serve_config cfg = {.handler = handler,
				       .destructor = destructor,
				       .flags = IPC_SERVE_SHARED};

	if (ipc_serve_with(&cfg) < 0)
		return 1;
	/* A second registration, with a cb that would do: must be refused. */
	spare = fy_thread_create(CAP_SELF_GROUP, (fy_thread_entry_t)handler,
				 spare_stack + sizeof(spare_stack), NULL,
				 THREAD_PASSIVE);
	rereg_result = spare < 0 ? spare
				 : fy_register_server((void *)handler,
						      (cap_t)spare, NULL);
	if (spare >= 0)
		fy_cap_delete((cap_t)spare);
	/* The passive threads serve from now on; this one is not needed. */
	fy_thread_exit();
}
