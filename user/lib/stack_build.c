/*
 * fy_stack_build: the initial stack of a new process (contract and layout
 * in ferry/stack_build.h). Everything is checked first (stack_check), so
 * the writing part cannot fail half way. The buffer need not be aligned:
 * words go in with memcpy.
 */
#include <elf.h>
#include <errno.h> /* before the uapi list, which then keeps libc's values */
#include <string.h>

#include <ferry/stack_build.h>
#include <uapi/ferry/errno.h>
#include <uapi/ferry/initcaps.h>
#include <uapi/ferry/proc.h>

#define RANDOM_BYTES 16
#define NAUXV 15 /* pairs, AT_NULL included */

struct stack_counts {
	int argc, envc;
	size_t strings; /* bytes of the argv and envp strings, NULs too */
	size_t execfn;	/* bytes of a separate execfn string, 0 if none */
	int naux;	/* auxv pairs written */
};

/*
 * Counts vector v into *n, after `before` entries of the other vector,
 * against the shared limits; never reads a string past them.
 */
static long count_vector(const char *const *v, int *n, int before,
			 size_t *strings)
{
	for (*n = 0; v && v[*n]; (*n)++) {
		size_t left = SPAWN_MAX_STRINGS - *strings;
		size_t len = strnlen(v[*n], left);

		if (before + *n >= SPAWN_MAX_ARGS || len == left)
			return -E2BIG;
		*strings += len + 1;
	}
	return 0;
}

static bool name_char_ok(char ch)
{
	return ch >= 0x21 && ch <= 0x7e;
}

static long check_caps(const struct fy_initcap_spec *caps, size_t n)
{
	if (n > INITCAPS_MAX)
		return -E2BIG;
	if (n && !caps)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		const char *name = caps[i].name;
		size_t len;

		if (!name || !name[0] || caps[i].cap < 0 ||
		    (caps[i].rights & ~CAP_RIGHT_ALL))
			return -EINVAL;
		len = strnlen(name, INITCAP_NAME_MAX);
		if (len == INITCAP_NAME_MAX)
			return -ENAMETOOLONG;
		for (size_t k = 0; k < len; k++)
			if (!name_char_ok(name[k]))
				return -EINVAL;
		for (size_t j = 0; j < i; j++)
			if (caps[j].name && !strcmp(caps[j].name, name))
				return -EEXIST;
	}
	return 0;
}

static long stack_check(const struct fy_stack_args *a, struct stack_counts *c)
{
	long ret;

	memset(c, 0, sizeof(*c));
	if (!a || !a->argv || !a->argv[0] || !a->elf || !a->random)
		return -EINVAL;
	ret = count_vector(a->argv, &c->argc, 0, &c->strings);
	if (!ret)
		ret = count_vector(a->envp, &c->envc, c->argc, &c->strings);
	if (!ret)
		ret = check_caps(a->caps, a->ncaps);
	if (ret)
		return ret;
	if (a->execfn) {
		c->execfn = strnlen(a->execfn, PATH_MAX_FERRY) + 1;
		if (c->execfn > PATH_MAX_FERRY)
			return -ENAMETOOLONG;
	}
	c->naux = a->ncaps ? NAUXV : NAUXV - 1;
	return 0;
}

/* Bytes between the top and the table: random bytes, strings, padding. */
static size_t strings_area(const struct stack_counts *c)
{
	return (RANDOM_BYTES + c->execfn + c->strings + 7) & ~(size_t)7;
}

static size_t table_bytes(size_t ncaps)
{
	return ncaps ? sizeof(struct initcap_table) +
			       ncaps * sizeof(struct initcap_entry)
		     : 0;
}

static size_t vector_bytes(const struct stack_counts *c)
{
	return (size_t)(1 + c->argc + 1 + c->envc + 1 + 2 * c->naux) * 8;
}

/* With a 16-byte aligned top, the stack pointer's distance from it. */
static size_t stack_bytes(const struct stack_counts *c, size_t ncaps)
{
	size_t n = strings_area(c) + table_bytes(ncaps) + vector_bytes(c);

	return (n + 15) & ~(size_t)15;
}

long fy_stack_size(const struct fy_stack_args *a)
{
	struct stack_counts c;
	long ret = stack_check(a, &c);

	return ret ? ret : (long)stack_bytes(&c, a->ncaps);
}

/* Copies string s below *at; returns its user address. */
static uint64_t put_string(char *buf, size_t *at, uint64_t base, const char *s)
{
	size_t len = strlen(s) + 1;

	*at -= len;
	memcpy(buf + *at, s, len);
	return base + *at;
}

static void put_word(char *buf, size_t *at, uint64_t word)
{
	memcpy(buf + *at, &word, sizeof(word));
	*at += sizeof(word);
}

static void put_table(char *buf, size_t at, const struct fy_initcap_spec *caps,
		      size_t n)
{
	struct initcap_table t = {.count = (uint32_t)n,
				  .entry_size = sizeof(struct initcap_entry)};

	memcpy(buf + at, &t, sizeof(t));
	at += sizeof(t);
	for (size_t i = 0; i < n; i++) {
		struct initcap_entry e = {.cap = caps[i].cap,
					  .rights = caps[i].rights};

		/* Checked shorter than the field: the rest stays NUL. */
		memcpy(e.name, caps[i].name, strlen(caps[i].name));
		memcpy(buf + at, &e, sizeof(e));
		at += sizeof(e);
	}
}

long fy_stack_build(void *buf, size_t size, uint64_t stack_top,
		    const struct fy_stack_args *a)
{
	uint64_t ptrs[SPAWN_MAX_ARGS], random_at, execfn_at = 0, table_at = 0;
	uint64_t base = stack_top - size; /* user address of buf[0] */
	const struct fy_elf_info *ei;
	struct stack_counts c;
	size_t at = size, sp_off;
	char *b = buf;
	long ret;

	ret = stack_check(a, &c);
	if (ret)
		return ret;
	if (!buf || stack_top % 16 || stack_top < size)
		return -EINVAL;
	if (size < stack_bytes(&c, a->ncaps))
		return -ERANGE;
	ei = a->elf;

	/* Strings and the random bytes, from the top down. */
	at -= RANDOM_BYTES;
	memcpy(b + at, a->random, RANDOM_BYTES);
	random_at = base + at;
	if (a->execfn)
		execfn_at = put_string(b, &at, base, a->execfn);
	for (int i = 0; i < c.argc; i++)
		ptrs[i] = put_string(b, &at, base, a->argv[i]);
	for (int i = 0; i < c.envc; i++)
		ptrs[c.argc + i] = put_string(b, &at, base, a->envp[i]);
	if (!a->execfn)
		execfn_at = ptrs[0];
	at = size - strings_area(&c);
	if (a->ncaps) {
		at -= table_bytes(a->ncaps);
		put_table(b, at, a->caps, a->ncaps);
		table_at = base + at;
	}

	/* The vector, from the 16-byte aligned stack pointer up. */
	sp_off = size - stack_bytes(&c, a->ncaps);
	at = sp_off;
	put_word(b, &at, (uint64_t)c.argc);
	for (int i = 0; i < c.argc; i++)
		put_word(b, &at, ptrs[i]);
	put_word(b, &at, 0);
	for (int i = 0; i < c.envc; i++)
		put_word(b, &at, ptrs[c.argc + i]);
	put_word(b, &at, 0);
	const uint64_t aux[2 * NAUXV] = {
		AT_PHDR,
		ei->phdr_vaddr,
		AT_PHENT,
		ei->phentsize,
		AT_PHNUM,
		ei->phnum,
		AT_PAGESZ,
		FY_ELF_PAGE,
		AT_ENTRY,
		ei->entry,
		AT_UID,
		0,
		AT_EUID,
		0,
		AT_GID,
		0,
		AT_EGID,
		0,
		AT_SECURE,
		0,
		AT_RANDOM,
		random_at,
		AT_HWCAP2,
		a->hwcap2,
		AT_EXECFN,
		execfn_at,
		/* Without caps, this pair is left out: AT_NULL comes here. */
		a->ncaps ? AT_FERRY_CAPS : AT_NULL,
		table_at,
		AT_NULL,
		0,
	};
	memcpy(b + at, aux, (size_t)c.naux * 16);
	return (long)(base + sp_off);
}
