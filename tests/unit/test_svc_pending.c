/*
 * libferry's pending-flag protocol for services (user/lib/svc_pending.h,
 * docs/services.md), hosted: raises coalesce into one take, a flag stays
 * raised while the client has no callback, a death is told once, and,
 * with two threads standing in for the two processes and an atomic word
 * for the receiver's notification object, no raise is ever lost however
 * the sender's and the receiver's steps interleave.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "svc_pending.h"

#define ROUNDS 200000
#define BIT (1ull << 37)

static void raises_coalesce(void **state)
{
	uint32_t flag = 0;

	(void)state;
	assert_false(svc_flag_take(&flag));
	for (int i = 0; i < 100; i++)
		svc_flag_raise(&flag);
	assert_true(svc_flag_take(&flag));
	assert_false(svc_flag_take(&flag));
}

static void no_callback_keeps_it(void **state)
{
	uint32_t flag = 0;
	int told = 0;

	(void)state;
	svc_flag_raise(&flag);
	assert_int_equal(svc_client_events(&flag, 0, 0, &told), 0);
	assert_true(svc_client_due(&flag, 0, told));
	assert_int_equal(svc_client_events(&flag, 1, 0, &told),
			 FY_SVC_NOTIFIED);
	assert_false(svc_client_due(&flag, 0, told));
	assert_int_equal(svc_client_events(&flag, 1, 0, &told), 0);
}

static void death_told_once(void **state)
{
	uint32_t flag = 0;
	int told = 0;

	(void)state;
	assert_int_equal(svc_client_events(&flag, 0, 1, &told), 0);
	assert_int_equal(told, 0);
	assert_true(svc_client_due(&flag, 1, told));
	svc_flag_raise(&flag);
	assert_int_equal(svc_client_events(&flag, 1, 1, &told),
			 FY_SVC_NOTIFIED | FY_SVC_DEAD);
	assert_int_equal(told, 1);
	assert_false(svc_client_due(&flag, 1, told));
	assert_int_equal(svc_client_events(&flag, 1, 1, &told), 0);
}

/*
 * Every interleaving of one notify (sender: raise, then notify) with one
 * round of the receiver's loop (take the bits, then the flag), the
 * receiver then looping while bits are pending: returns 1 if in every
 * one a callback ran after the raise. `notify_first` swaps the sender's
 * steps, the order the protocol forbids, to show the check can fail.
 */
static int every_interleaving_delivers(int notify_first)
{
	/* Positions of the sender's two steps among the receiver's two. */
	for (int a = 0; a <= 2; a++) {
		for (int b = a; b <= 2; b++) {
			uint32_t f = 0;
			uint64_t w = 0, bits = 0;
			int ran = 0;

			for (int r = 0; r <= 2; r++) {
				/* Sender steps placed before receiver step r.
				 */
				for (int k = 0; k < 2; k++) {
					int pos = k == 0 ? a : b;
					int raise =
						notify_first ? k == 1 : k == 0;

					if (pos != r)
						continue;
					if (raise)
						svc_flag_raise(&f);
					else
						w |= BIT;
				}
				if (r == 0) {
					bits = w;
					w = 0;
				} else if (r == 1) {
					if ((bits & BIT) && svc_flag_take(&f))
						ran = 1;
				}
			}
			/* Later rounds, while a wait would find bits. */
			while (w & BIT) {
				w = 0;
				if (svc_flag_take(&f))
					ran = 1;
			}
			if (!ran)
				return 0;
		}
	}
	return 1;
}

static void interleavings(void **state)
{
	(void)state;
	assert_true(every_interleaving_delivers(0));
	assert_false(every_interleaving_delivers(1));
}

/* The race: a sender raising and notifying, a receiver taking. */

static uint32_t flag;
static uint64_t word;	   /* the notification's pending bits */
static uint32_t last_sent; /* the sender's round, written before a raise */
static int sender_done;

static void *sender(void *arg)
{
	(void)arg;
	for (uint32_t i = 1; i <= ROUNDS; i++) {
		__atomic_store_n(&last_sent, i, __ATOMIC_SEQ_CST);
		svc_flag_raise(&flag);
		__atomic_fetch_or(&word, BIT, __ATOMIC_SEQ_CST); /* notify */
	}
	__atomic_store_n(&sender_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void no_raise_lost(void **state)
{
	pthread_t t;
	uint32_t seen = 0;
	long runs = 0;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, sender, NULL), 0);
	for (;;) {
		int done = __atomic_load_n(&sender_done, __ATOMIC_SEQ_CST);
		/* wait(): take every pending bit */
		uint64_t bits = __atomic_exchange_n(&word, 0, __ATOMIC_SEQ_CST);

		if ((bits & BIT) && svc_flag_take(&flag)) {
			/* The callback: it sees at least the round raised. */
			uint32_t r =
				__atomic_load_n(&last_sent, __ATOMIC_SEQ_CST);

			assert_true(r >= seen);
			seen = r;
			runs++;
		}
		/* A wait after the sender's end finds nothing left. */
		if (done && !(__atomic_load_n(&word, __ATOMIC_SEQ_CST) & BIT))
			break;
	}
	pthread_join(t, NULL);
	assert_int_equal(seen, ROUNDS); /* the last raise ran a callback */
	assert_true(runs >= 1 && runs <= ROUNDS);
	assert_false(svc_flag_take(&flag)); /* and nothing is pending */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(raises_coalesce),
		cmocka_unit_test(no_callback_keeps_it),
		cmocka_unit_test(death_told_once),
		cmocka_unit_test(interleavings),
		cmocka_unit_test(no_raise_lost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
