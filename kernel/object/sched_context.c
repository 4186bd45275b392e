#include <object/sched_context.h>
#include <uapi/ferry/errno.h>

int sched_context_create(u32 prio, struct sched_context **out)
{
	struct sched_context *sc;

	if (prio > PRIO_MAX)
		return -EINVAL;
	sc = obj_alloc(OBJ_TYPE_SC, sizeof(*sc));
	if (!sc)
		return -ENOMEM;
	sc->prio = prio;
	sc->slice = sc->remaining = SC_SLICE_TICKS;
	*out = sc;
	return 0;
}

void sched_context_destroy(void *obj)
{
	(void)obj; /* holds nothing */
}
