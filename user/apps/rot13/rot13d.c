/*
 * rot13d: Tock's rot13 service on Ferry (docs/services.md), registered
 * with the name server as "rot13". Each time a client notifies it, it
 * turns the client's shared buffer into its rot13 in place and notifies
 * the client back. Runs until killed; exits 1 if the name is taken (a
 * rot13d runs already).
 */
#include <stdio.h>

#include <ferry/service.h>

static void rot13(uint64_t client, void *buf, size_t len, void *arg)
{
	char *c = buf;

	(void)arg;
	for (size_t i = 0; i < len; i++) {
		if ((c[i] >= 'a' && c[i] <= 'm') ||
		    (c[i] >= 'A' && c[i] <= 'M'))
			c[i] += 13;
		else if ((c[i] >= 'n' && c[i] <= 'z') ||
			 (c[i] >= 'N' && c[i] <= 'Z'))
			c[i] -= 13;
	}
	fy_notify_client(client);
}

int main(void)
{
	long r = fy_service_register("rot13", rot13, NULL);

	if (r < 0) {
		printf("rot13d: register \"rot13\": %ld\n", r);
		return 1;
	}
	for (;;)
		fy_svc_yield();
}
