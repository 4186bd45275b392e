#include <mm/budget.h>
#include <mm/kmalloc.h>
#include <object/sched_context.h>
#include <uapi/ferry/errno.h>

int sched_context_create(u32 prio, struct budget *b, struct sched_context **out)
{
	struct sched_context *sc;

	if (prio > PRIO_MAX)
		return -EINVAL;
	if (budget_charge(b, kmalloc_size(sizeof(*sc))))
		return -ENOMEM;
	sc = obj_alloc(OBJ_TYPE_SC, sizeof(*sc));
	if (!sc) {
		budget_uncharge(b, kmalloc_size(sizeof(*sc)));
		return -ENOMEM;
	}
	budget_get(b);
	sc->budget = b;
	sc->prio = prio;
	sc->slice = sc->remaining = SC_SLICE_TICKS;
	*out = sc;
	return 0;
}

void sched_context_destroy(void *obj)
{
	struct sched_context *sc = obj;

	budget_uncharge(sc->budget, kmalloc_size(sizeof(*sc)));
	budget_put(sc->budget);
}
