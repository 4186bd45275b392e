/* The one id space of processes and threads (see task_id.h). */
#include <lib/id_alloc.h>
#include <object/task_id.h>

static u64 task_id_bits[TASK_ID_MAX / 64] = {1}; /* id 0 is "none" */
static struct id_space task_ids = {
	.lock = SPINLOCK_INIT,
	.max = TASK_ID_MAX,
	.next = 1,
	.bits = task_id_bits,
};

u32 task_id_alloc(void)
{
	return id_alloc(&task_ids);
}

void task_id_free(u32 id)
{
	id_free(&task_ids, id);
}

u32 task_ids_used(void)
{
	return task_ids.used;
}
