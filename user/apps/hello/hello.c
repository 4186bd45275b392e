/* The smallest Linux-ABI program: proves a static musl binary runs. */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("Hello from Ferry!\n");
	for (int i = 0; i < argc; i++)
		printf("argv[%d] = %s\n", i, argv[i]);
	return 0;
}
