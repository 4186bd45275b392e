#include <ctype.h>

#include "sh.h"

int sh_split(char *line, char **words, int max)
{
	char *in = line, *out = line;
	int n = 0;

	for (;;) {
		int quoted = 0;

		while (*in && isspace((unsigned char)*in))
			in++;
		if (!*in)
			break;
		if (n == max - 1)
			return -1;
		/* Words are copied down over the quotes they lose. */
		words[n++] = out;
		while (*in && (quoted || !isspace((unsigned char)*in))) {
			if (*in == '"')
				quoted = !quoted;
			else
				*out++ = *in;
			in++;
		}
		if (quoted)
			return -1;
		if (*in)
			in++;
		*out++ = '\0';
	}
	words[n] = 0;
	return n;
}
