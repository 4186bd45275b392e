/*
 * kernel/object/initrd_pmo.c: the initrd handed to init as a read-only
 * PMO in slot CAP_INIT_INITRD. Its rights, contents and frames, a slot
 * that is not the free one, an empty initrd, and memory running out at
 * every step (nothing left behind).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel_env.h"
#include "object_fixtures.h"
#include <mm/frame.h>
#include <object/cap_group.h>
#include <object/initrd_pmo.h>
#include <object/pmo.h>
#include <uapi/ferry/errno.h>

static char image[3 * PAGE_SIZE + 100];

/* A fresh process as the kernel makes init: slots 0-2 taken. */
static struct cap_group *new_init(void)
{
	struct cap_group *g = NULL;
	struct pmo *p = NULL;

	assert_int_equal(cap_group_create("init", &g), 0);
	assert_int_equal(pmo_create(PAGE_SIZE, PMO_ANONYMOUS, NULL, &p), 0);
	assert_int_equal(cap_alloc(g, p, CAP_RIGHT_ALL), CAP_SELF_MAIN_THREAD);
	obj_put(p);
	return g;
}

static void test_gives_read_only_copy(void **state)
{
	struct cap_group *g = new_init();
	struct pmo *p = NULL;
	char back[sizeof(image)], tail[PAGE_SIZE];

	(void)state;
	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (char)(i * 31 + 7);
	assert_int_equal(initrd_pmo_give(g, image, sizeof(image)), 0);
	/* Exactly READ|MAP|GRANT: WRITE, EXEC, CONTROL are refused. */
	assert_int_equal(cap_get(g, CAP_INIT_INITRD, OBJ_TYPE_PMO,
				 CAP_RIGHT_WRITE, (void **)&p),
			 -ECAPBILITY);
	assert_int_equal(cap_get(g, CAP_INIT_INITRD, OBJ_TYPE_PMO,
				 CAP_RIGHT_EXEC, (void **)&p),
			 -ECAPBILITY);
	assert_int_equal(cap_get(g, CAP_INIT_INITRD, OBJ_TYPE_PMO,
				 CAP_INIT_RIGHTS, (void **)&p),
			 0);
	assert_int_equal(p->size, 4 * PAGE_SIZE);
	/* Every page there now: reading or mapping takes no frame later. */
	assert_int_equal(pmo_resident_pages(p), 4);
	assert_int_equal(pmo_read(p, 0, back, sizeof(back)), 0);
	assert_memory_equal(back, image, sizeof(image));
	assert_int_equal(
		pmo_read(p, sizeof(image), tail, 4 * PAGE_SIZE - sizeof(image)),
		0);
	for (size_t i = 0; i < 4 * PAGE_SIZE - sizeof(image); i++)
		assert_int_equal(tail[i], 0);
	obj_put(p);
	fx_group_end(g);
}

static void test_slot_not_free(void **state)
{
	struct cap_group *g = NULL;
	struct pmo *p = NULL;

	(void)state;
	/* Slot 2 free: the copy would land there, not in 3. */
	assert_int_equal(cap_group_create("init", &g), 0);
	assert_int_equal(initrd_pmo_give(g, image, sizeof(image)), -EBUSY);
	assert_int_equal(cap_get(g, 2, OBJ_TYPE_NONE, 0, (void **)&p),
			 -ECAPBILITY);
	assert_int_equal(cap_get(g, 3, OBJ_TYPE_NONE, 0, (void **)&p),
			 -ECAPBILITY);
	fx_group_end(g);
}

static void test_empty(void **state)
{
	struct cap_group *g = new_init();

	(void)state;
	assert_int_equal(initrd_pmo_give(g, image, 0), -EINVAL);
	fx_group_end(g);
}

static void test_out_of_memory_at_every_step(void **state)
{
	int fails = 0, passes = 0;

	(void)state;
	for (size_t n = 0; n < 16; n++) {
		struct cap_group *g = new_init();
		size_t objs = obj_live_count(OBJ_TYPE_NONE);
		struct pmo *p = NULL;
		int ret;

		kenv_take_all_frames();
		kenv_give_frames(n);
		ret = initrd_pmo_give(g, image, sizeof(image));
		kenv_give_all_frames();
		if (ret == 0) {
			passes++;
			assert_int_equal(obj_live_count(OBJ_TYPE_NONE),
					 objs + 1);
		} else {
			fails++;
			assert_int_equal(ret, -ENOMEM);
			assert_int_equal(obj_live_count(OBJ_TYPE_NONE), objs);
			assert_int_equal(cap_get(g, CAP_INIT_INITRD,
						 OBJ_TYPE_NONE, 0, (void **)&p),
					 -ECAPBILITY);
		}
		fx_group_end(g);
	}
	/* Both ends reached: it failed part way, and it fitted. */
	assert_true(fails > 2);
	assert_true(passes > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kenv_test(test_gives_read_only_copy),
		kenv_test(test_slot_not_free),
		kenv_test(test_empty),
		kenv_test(test_out_of_memory_at_every_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
