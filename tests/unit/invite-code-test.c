/* SPDX-License-Identifier: ISC */
/*
 * invite-code-test: the invite codes of doc/KEYSWAP-v2.md 4.1.
 *	invite-code-test LIST
 * LIST is share/wordlist-eff-short.txt: it must be the EFF short word
 * list 1 (1,296 words, "acid" to "zoom") and the compiled-in table that
 * list less "yo-yo".  Then making, writing and reading codes, what a
 * person may type and what is refused with which reason, and w.
 * Exits 0 when all hold, 1 otherwise, naming each failure.
 */
#include <stdio.h>
#include <string.h>

#include "../../tools/cli.h"
#include "core/common.h"
#include "keyswap/invite_code.h"

static int failed, checks;

static void
check(int ok, const char *what)
{
	checks++;
	if (!ok) {
		printf("FAIL: %s\n", what);
		failed = 1;
	}
}

/* The shipped list, word for word, against the table. */
static void
table_matches(const char *path)
{
	char line[64], last[64] = "";
	unsigned n = 0, t = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		die(EXIT_USAGE, "%s:", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (n++ == 0)
			check(strcmp(line, "acid") == 0, "the list begins acid");
		snprintf(last, sizeof(last), "%s", line);
		if (strcmp(line, "yo-yo") == 0)
			continue;
		if (invite_word(t) == NULL || strcmp(invite_word(t), line) != 0)
			check(0, "the table is the list less yo-yo, in order");
		t++;
	}
	fclose(f);
	check(n == 1296, "the list has 1,296 words");
	check(strcmp(last, "zoom") == 0, "the list ends zoom");
	check(t == invite_word_count() && t == 1295, "the table has 1,295");
	check(invite_word(t) == NULL, "no word past the table's end");
}

static void
table_shape(void)
{
	unsigned i;
	size_t j, len;
	int ok = 1;

	for (i = 0; i < invite_word_count(); i++) {
		len = strlen(invite_word(i));
		ok &= len >= 3 && len <= INVITE_WORD_MAX;
		for (j = 0; j < len; j++)
			ok &= invite_word(i)[j] >= 'a' && invite_word(i)[j] <= 'z';
		if (i > 0)
			ok &= strcmp(invite_word(i - 1), invite_word(i)) < 0;
	}
	check(ok, "the table is sorted, 3 to 5 lower-case letters a word");
}

/* typed must read as want ("N-word-word"). */
static void
reads_as(const char *typed, const char *want)
{
	struct invite_code c;
	struct rp_error err;
	char out[INVITE_CODE_MAX];
	char what[128];

	snprintf(what, sizeof(what), "'%s' reads as %s", typed, want);
	if (invite_code_parse(&c, typed, strlen(typed), &err) != 0) {
		printf("  (%s)\n", err.reason);
		check(0, what);
		return;
	}
	invite_code_format(&c, out);
	check(strcmp(out, want) == 0, what);
}

/* typed must be refused (RP_MALFORMED) with exactly reason. */
static void
refused(const char *typed, size_t len, const char *reason)
{
	struct invite_code c;
	struct rp_error err;
	char what[160];
	int r = invite_code_parse(&c, typed, len, &err);

	snprintf(what, sizeof(what), "'%.*s' is refused: %s", (int)len, typed,
	    reason);
	check(r == RP_MALFORMED && strcmp(err.reason, reason) == 0, what);
	if (r == RP_MALFORMED && strcmp(err.reason, reason) != 0)
		printf("  (got: %s)\n", err.reason);
}

static void
typing(void)
{
	static const char shape[] = "an invite code is a number from 1 to 999 "
	    "and two words, like 7-otter-quilt";

	reads_as("7-otter-quilt", "7-otter-quilt");
	reads_as("  7 OTTER Quilt\n", "7-otter-quilt");
	reads_as("\t999 acid-zoom  ", "999-acid-zoom");
	reads_as("1-yo-yo-acid", "1-yoyo-acid");
	reads_as("1 acid yo yo", "1-acid-yoyo");
	reads_as("1-yoyo-acid", "1-yoyo-acid");
	refused("7-orbt-quilt", 12, "'orbt' is not a word of the code list");
	refused("7-otter-Quilts", 14, "'Quilts' is not a word of the code list");
	refused("7-otter-qu1lt", 13, "a word of the code is not in the code list");
	refused("7-otter-\x1b[2Jx", 12,
	    "a word of the code is not in the code list");
	refused("7-otter-abcdefghijklmnopq", 25,
	    "a word of the code is not in the code list");
	refused("0-otter-quilt", 13, shape);
	refused("1000-otter-quilt", 16, shape);
	refused("7-otter", 7, shape);
	refused("otter-quilt-7", 13, shape);
	refused("7-otter-quilt-acid", 18, shape);
	refused("7-a-b-c-d", 9, shape);
	refused("", 0, shape);
	refused("7-otter-quilt\0", 14, "a word of the code is not in the code list");
}

static void
making(void)
{
	struct invite_code c, back;
	char out[INVITE_CODE_MAX];
	unsigned i, low = 0;
	int ok = 1;

	for (i = 0; i < 2000; i++) {
		if (invite_code_new(&c, 0, NULL) != 0)
			die(EXIT_AUTH, "invite_code_new");
		ok &= c.number >= 1 && c.number <= 999;
		ok &= c.word[0] < 1295 && c.word[1] < 1295;
		low += c.word[0] < 1295 / 2;
		invite_code_format(&c, out);
		ok &= invite_code_parse(&back, out, strlen(out), NULL) == 0 &&
		    memcmp(&back, &c, sizeof(c)) == 0;
	}
	check(ok, "2,000 new codes: in range, and read back as made");
	/* Not a statistical test: a gross bias toward one half. */
	check(low > 800 && low < 1200, "new words fall in both halves");
	check(invite_code_new(&c, 42, NULL) == 0 && c.number == 42,
	    "a code takes the number given");
	check(invite_code_new(&c, 1000, NULL) == RP_USAGE,
	    "a number over 999 is refused");
}

static void
password(void)
{
	static const unsigned char want[32] = {
		0xaa, 0x9c, 0xc2, 0x2e, 0x7f, 0xa3, 0x19, 0xe1,
		0x93, 0x50, 0xae, 0xe0, 0x00, 0xaf, 0x74, 0x65,
		0x69, 0x2a, 0xde, 0x51, 0x33, 0x1b, 0xa6, 0x14,
		0xff, 0x13, 0xc5, 0xa5, 0xed, 0x3f, 0x0b, 0xfc,
	};
	struct invite_code c;
	char words[INVITE_WORDS_MAX];
	unsigned char *w = secure_alloc(32);

	/* w of "otter-quilt" under number 7, by Python's hashlib.scrypt. */
	if (invite_code_parse(&c, "7 Otter Quilt", 13, NULL) != 0 ||
	    invite_code_w(&c, w, NULL) != 0)
		check(0, "invite_code_w");
	else
		check(memcmp(w, want, 32) == 0, "w of 7-otter-quilt");
	invite_code_words(&c, words);
	check(strcmp(words, "otter-quilt") == 0, "the words, joined by -");
	secure_free(w);
}

int
main(int argc, char **argv)
{
	rsapipe_init(argv[0]);
	if (argc != 2)
		die(EXIT_USAGE, "usage: invite-code-test share/wordlist-eff-short.txt");
	table_matches(argv[1]);
	table_shape();
	typing();
	making();
	password();
	if (failed)
		return EXIT_AUTH;
	printf("invite codes: %d checks ok\n", checks);
	return EXIT_OK;
}
