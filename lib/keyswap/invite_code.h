/* SPDX-License-Identifier: ISC */
/*
 * invite_code.h: the spoken code of keyswap's invites, "7-otter-quilt"
 * (doc/KEYSWAP-v2.md 4.1): an invite number, 1 to 999, which is not
 * secret, and two words drawn independently and uniformly from the EFF
 * short word list 1 (share/wordlist-eff-short.txt, CC BY 3.0 US,
 * compiled in as lib/keyswap/wordlist.h).
 *
 * Strength: the table holds 1,295 words (the list's 1,296 less "yo-yo",
 * spoken like its "yoyo" and holding the separator), so a code is one of
 * 1295^2 = 1,677,025 for its number: log2 = 20.68 bits.  SPAKE2 allows
 * no offline test of a guess and a guess spends the code, so an attacker
 * gets one online guess, right with odds of 1 in 1,677,025 (the issue
 * asks for at most 1 in 65,536).
 *
 * The words are the password: callers wipe() a struct invite_code and
 * any text of it once done.
 */
#ifndef RSAPIPE_INVITE_CODE_H
#define RSAPIPE_INVITE_CODE_H

#include <stddef.h>

#include "core/error.h"
#include "crypto/spake2.h"

#define INVITE_NUMBER_MAX 999
#define INVITE_WORD_MAX 5    /* letters in the longest word of the list */
/* "999-abcde-abcde" and a NUL; and "abcde-abcde" and a NUL. */
#define INVITE_CODE_MAX (3 + 2 * (1 + INVITE_WORD_MAX) + 1)
#define INVITE_WORDS_MAX (2 * INVITE_WORD_MAX + 1 + 1)

struct invite_code {
	unsigned number;   /* 1..INVITE_NUMBER_MAX */
	unsigned word[2];  /* indexes into the table, < invite_word_count() */
};

/*
 * A new code: two words from gcry_randomize (strong randomness,
 * rejection sampling, so every word is equally likely), and number, or
 * a random one from 1 to 999 when number is 0 (a caller that holds
 * several invites picks a free number itself).  RP_USAGE for a number
 * over 999.
 */
int invite_code_new(struct invite_code *c, unsigned number,
    struct rp_error *err);

/*
 * What a person typed (len bytes, not NUL-terminated), forgiving case,
 * blanks around the code and spaces for hyphens; "yo yo" and "yo-yo"
 * are read as "yoyo".  RP_MALFORMED for anything else, with a reason
 * for that person: "'orbt' is not a word of the code list" (the typed
 * word is shown when it is at most 16 letters: a word that is not in the
 * list is not the code), "an invite code is a number from 1 to 999 and
 * two words, like 7-otter-quilt".
 */
int invite_code_parse(struct invite_code *c, const char *typed, size_t len,
    struct rp_error *err);

/* "7-otter-quilt", NUL-terminated; returns its length. */
size_t invite_code_format(const struct invite_code *c,
    char out[INVITE_CODE_MAX]);

/* The two words joined by one "-", lower case, NUL-terminated: the
 * password of doc/KEYSWAP-v2.md 4.3.  Returns its length. */
size_t invite_code_words(const struct invite_code *c,
    char out[INVITE_WORDS_MAX]);

/* SPAKE2's w for c (spake2_password_to_w of its words and number), the
 * text of the words kept in secure memory meanwhile. */
int invite_code_w(const struct invite_code *c,
    unsigned char w[SPAKE2_SCALAR_LEN], struct rp_error *err);

/* The table: its size, and word i (NULL past the end). */
unsigned invite_word_count(void);
const char *invite_word(unsigned i);

#endif
