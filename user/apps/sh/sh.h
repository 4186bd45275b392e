/* The Ferry shell: a line reader, a word splitter and a few builtins. */
#ifndef SH_SH_H
#define SH_SH_H

#define SH_MAX_WORDS 64

/*
 * Splits line in place into at most max-1 words and NULL-terminates
 * words[]. Blanks separate words; "double quotes" keep blanks inside a
 * word. Returns the word count, or -1 for an unclosed quote or too many
 * words.
 */
int sh_split(char *line, char **words, int max);

/*
 * Runs words[0] if it is a builtin and returns 1 (setting *quit for
 * `exit`); returns 0 if it is not one.
 */
int sh_builtin(char **words, int n, int *quit);

#endif
