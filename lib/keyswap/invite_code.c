/* SPDX-License-Identifier: ISC */
/* invite_code.c: making, reading and writing "7-otter-quilt". */
#include <stdio.h>
#include <string.h>

#include "core/common.h"
#include "keyswap/invite_code.h"
#include "keyswap/wordlist.h"

#define TOKENS_MAX 4  /* the number and up to three word pieces */
#define SHOWN_MAX 16  /* the longest unknown word named in a reason */

struct token {
	const char *p;
	size_t len;
};

static const char code_shape[] =
    "an invite code is a number from 1 to 999 and two words, "
    "like 7-otter-quilt";

unsigned
invite_word_count(void)
{
	return WORDLIST_COUNT;
}

const char *
invite_word(unsigned i)
{
	return i < WORDLIST_COUNT ? wordlist[i] : NULL;
}

/* Uniform in [0, range), range <= 65536: a 16-bit draw, redrawn while it
 * falls in the incomplete last block, so no value is favoured. */
static unsigned
uniform(unsigned range)
{
	unsigned limit = 65536u - 65536u % range, r;
	unsigned char b[2];

	do {
		gcry_randomize(b, sizeof(b), GCRY_STRONG_RANDOM);
		r = (unsigned)b[0] << 8 | b[1];
	} while (r >= limit);
	wipe(b, sizeof(b));
	return r % range;
}

int
invite_code_new(struct invite_code *c, unsigned number, struct rp_error *err)
{
	if (number > INVITE_NUMBER_MAX)
		return rp_fail(err, RP_USAGE, "invite number %u: 1 to %u",
		    number, INVITE_NUMBER_MAX);
	c->number = number != 0 ? number : 1 + uniform(INVITE_NUMBER_MAX);
	c->word[0] = uniform(WORDLIST_COUNT);
	c->word[1] = uniform(WORDLIST_COUNT);
	return 0;
}

/* The index of a (and b after it, if blen > 0) as one word of the table,
 * case ignored; -1 if it is none. */
static int
find_word(const struct token *a, const struct token *b)
{
	char buf[INVITE_WORD_MAX + 1];
	size_t i, n = a->len + (b != NULL ? b->len : 0);
	int lo = 0, hi = WORDLIST_COUNT - 1, mid, cmp, found = -1;

	if (n > INVITE_WORD_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		char ch = i < a->len ? a->p[i] : b->p[i - a->len];
		buf[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	buf[n] = '\0';
	while (lo <= hi && found < 0) {
		mid = lo + (hi - lo) / 2;
		cmp = strcmp(buf, wordlist[mid]);
		if (cmp == 0)
			found = mid;
		else if (cmp < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	wipe(buf, sizeof(buf));
	return found;
}

static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Split on runs of blanks and hyphens; -1 past TOKENS_MAX. */
static int
tokenize(const char *s, size_t len, struct token *t)
{
	size_t i = 0, start;
	int n = 0;

	while (i < len) {
		while (i < len && (is_blank(s[i]) || s[i] == '-'))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !is_blank(s[i]) && s[i] != '-')
			i++;
		if (n == TOKENS_MAX)
			return -1;
		t[n].p = s + start;
		t[n++].len = i - start;
	}
	return n;
}

/* 1 to 999 in at most three digits, or 0. */
static unsigned
parse_number(const struct token *t)
{
	unsigned v = 0;
	size_t i;

	if (t->len == 0 || t->len > 3)
		return 0;
	for (i = 0; i < t->len; i++) {
		if (t->p[i] < '0' || t->p[i] > '9')
			return 0;
		v = v * 10 + (unsigned)(t->p[i] - '0');
	}
	return v;
}

/* "'orbt' is not a word of the code list", naming it only when it is a
 * short run of letters (never a long paste, never control bytes). */
static int
unknown_word(const struct token *t, struct rp_error *err)
{
	size_t i;

	for (i = 0; i < t->len && t->len <= SHOWN_MAX; i++) {
		char ch = t->p[i] | 0x20;
		if (ch < 'a' || ch > 'z')
			break;
	}
	if (t->len > SHOWN_MAX || i < t->len)
		return rp_fail(err, RP_MALFORMED,
		    "a word of the code is not in the code list");
	return rp_fail(err, RP_MALFORMED,
	    "'%.*s' is not a word of the code list", (int)t->len, t->p);
}

/* Three pieces are two words when two neighbours make one ("yo yo"). */
static int
merge_three(const struct token *t, struct invite_code *c)
{
	int a = find_word(&t[0], &t[1]), b = find_word(&t[2], NULL);

	if (a < 0 || b < 0) {
		a = find_word(&t[0], NULL);
		b = find_word(&t[1], &t[2]);
	}
	if (a < 0 || b < 0)
		return -1;
	c->word[0] = (unsigned)a;
	c->word[1] = (unsigned)b;
	return 0;
}

int
invite_code_parse(struct invite_code *c, const char *typed, size_t len,
    struct rp_error *err)
{
	struct token t[TOKENS_MAX];
	int n = tokenize(typed, len, t), a, b;

	memset(c, 0, sizeof(*c));
	if (n < 3 || (c->number = parse_number(&t[0])) == 0 ||
	    c->number > INVITE_NUMBER_MAX)
		return rp_fail(err, RP_MALFORMED, "%s", code_shape);
	if (n == 4) {
		if (merge_three(&t[1], c) == 0)
			return 0;
		memset(c, 0, sizeof(*c));
		return rp_fail(err, RP_MALFORMED, "%s", code_shape);
	}
	a = find_word(&t[1], NULL);
	b = find_word(&t[2], NULL);
	if (a < 0 || b < 0) {
		memset(c, 0, sizeof(*c));
		return unknown_word(a < 0 ? &t[1] : &t[2], err);
	}
	c->word[0] = (unsigned)a;
	c->word[1] = (unsigned)b;
	return 0;
}

size_t
invite_code_format(const struct invite_code *c, char out[INVITE_CODE_MAX])
{
	char words[INVITE_WORDS_MAX];
	int n;

	if (c->number == 0 || c->number > INVITE_NUMBER_MAX)
		rp_fatal("invite_code_format: not a code");
	invite_code_words(c, words);
	n = snprintf(out, INVITE_CODE_MAX, "%u-%s", c->number, words);
	wipe(words, sizeof(words));
	if (n < 0 || n >= INVITE_CODE_MAX)
		rp_fatal("invite_code_format: not a code");
	return (size_t)n;
}

size_t
invite_code_words(const struct invite_code *c, char out[INVITE_WORDS_MAX])
{
	int n;

	if (c->word[0] >= WORDLIST_COUNT || c->word[1] >= WORDLIST_COUNT)
		rp_fatal("invite_code_words: not a code");
	n = snprintf(out, INVITE_WORDS_MAX, "%s-%s", wordlist[c->word[0]],
	    wordlist[c->word[1]]);
	if (n < 0 || n >= INVITE_WORDS_MAX)
		rp_fatal("invite_code_words: a word too long");
	return (size_t)n;
}

int
invite_code_w(const struct invite_code *c,
    unsigned char w[SPAKE2_SCALAR_LEN], struct rp_error *err)
{
	char *words = secure_alloc(INVITE_WORDS_MAX);
	size_t n = invite_code_words(c, words);
	int r = spake2_password_to_w(w, words, n, c->number, err);

	secure_free(words);
	return r;
}
