/* SPDX-License-Identifier: ISC */
/*
 * identity-test: lib/keys/identity.c with identities made up here:
 * stanza_new's copies, the sets' de-duplication and room, and the one
 * file-key search's rule: every identity against every stanza in
 * order, a refused candidate does not stop it, the best failure is
 * AUTH > PASSPHRASE > DECRYPT > NOKEY (of equal ones the last), any
 * other code ends it at once, and the file key is wiped unless found.
 * Exits 0 when every check passes, 1 otherwise, naming each failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/cli.h"
#include "core/common.h"
#include "core/error.h"
#include "keys/identity.h"

#define KEY_LEN 16

static int failed;
static unsigned checks;

static void
check(int ok, const char *what)
{
	checks++;
	if (!ok) {
		notice("FAIL: %s", what);
		failed = 1;
	}
}

/*
 * A made-up identity: for stanza j (its body's first byte) it answers
 * answer[j]; 0 fills the file key with name and j.  calls counts its
 * unwraps.
 */
struct fake {
	struct identity base;
	int answer[4];
	char name;
};

static unsigned calls;

static int
fake_unwrap(const struct identity *id, const struct stanza *s,
    unsigned char *file_key, size_t len, struct rp_error *err)
{
	const struct fake *f = (const struct fake *)id;
	int a = f->answer[s->body[0]];

	calls++;
	if (a != 0)
		return rp_fail(err, a, "%c on stanza %d", f->name, s->body[0]);
	memset(file_key, f->name, len);
	file_key[0] = s->body[0];
	return 0;
}

static void
fake_free(struct identity *id)
{
	free(id);
}

static const struct identity_ops fake_ops = {
	"fake", fake_unwrap, NULL, fake_free
};

static struct identity *
fake(char name, int a0, int a1, int a2)
{
	struct fake *f = rp_calloc(1, sizeof(*f));

	f->base.ops = &fake_ops;
	f->base.handle[0] = (unsigned char)name;
	f->base.handle_len = 1;
	f->name = name;
	f->answer[0] = a0;
	f->answer[1] = a1;
	f->answer[2] = a2;
	return &f->base;
}

/* The header check: accepts only the file key of identity 'b' on
 * stanza 2, refuses every other candidate (RP_AUTH, naming it). */
static int
check_key(void *ctx, const unsigned char *file_key, struct rp_error *err)
{
	(void)ctx;
	if (file_key[1] == 'b' && file_key[0] == 2)
		return 0;
	return rp_fail(err, RP_AUTH, "MAC fails under %c/%d", file_key[1],
	    file_key[0]);
}

/* Three stanzas (bodies 0, 1, 2) searched with the identities given. */
static int
search(struct identity_set *set, unsigned char *fk, struct rp_error *err)
{
	static const unsigned char bodies[3] = { 0, 1, 2 };
	struct stanza s[3];
	size_t i;

	memset(s, 0, sizeof(s));
	for (i = 0; i < 3; i++) {
		s[i].type = "fake";
		s[i].body = &bodies[i];
		s[i].body_len = 1;
	}
	calls = 0;
	rp_clear(err);
	return identity_find_file_key(set, s, 3, fk, KEY_LEN, check_key, NULL,
	    err);
}

static int
all_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

static void
test_search_rule(void)
{
	struct identity_set set;
	struct rp_error err;
	unsigned char fk[KEY_LEN];

	memset(&set, 0, sizeof(set));
	identity_set_add(&set, fake('a', RP_NOKEY, RP_NOKEY, RP_NOKEY), &err);
	check(search(&set, fk, &err) == RP_NOKEY && err.code == RP_NOKEY,
	    "nothing for us: RP_NOKEY");
	identity_set_add(&set, fake('c', RP_DECRYPT, RP_NOKEY, RP_NOKEY),
	    &err);
	identity_set_add(&set, fake('d', RP_NOKEY, RP_NOKEY, RP_NOKEY), &err);
	check(search(&set, fk, &err) == RP_DECRYPT &&
	    strcmp(err.reason, "c on stanza 0") == 0,
	    "DECRYPT outranks a later NOKEY, with its reason");
	identity_set_free(&set);
	identity_set_add(&set, fake('e', RP_PASSPHRASE, RP_DECRYPT, RP_NOKEY),
	    &err);
	check(search(&set, fk, &err) == RP_PASSPHRASE,
	    "PASSPHRASE outranks a later DECRYPT");
	identity_set_add(&set, fake('f', 0, RP_NOKEY, 0), &err);
	identity_set_add(&set, fake('g', RP_DECRYPT, RP_DECRYPT, RP_DECRYPT),
	    &err);
	memset(fk, 0xff, sizeof(fk));
	check(search(&set, fk, &err) == RP_AUTH &&
	    strcmp(err.reason, "MAC fails under f/2") == 0 && all_zero(fk,
	    sizeof(fk)), "AUTH outranks all; of two, the last; key wiped");
	identity_set_free(&set);
}

static void
test_search_order(void)
{
	struct identity_set set;
	struct rp_error err;
	unsigned char fk[KEY_LEN];

	memset(&set, 0, sizeof(set));
	identity_set_add(&set, fake('a', 0, RP_NOKEY, RP_DECRYPT), &err);
	identity_set_add(&set, fake('b', RP_NOKEY, 0, 0), &err);
	identity_set_add(&set, fake('z', 0, 0, 0), &err);
	check(search(&set, fk, &err) == 0 && fk[0] == 2 && fk[1] == 'b' &&
	    calls == 6, "refused candidates do not stop the search; the "
	    "first accepted ends it");
	identity_set_free(&set);
	identity_set_add(&set, fake('a', RP_AUTH, RP_NOKEY, RP_NOKEY), &err);
	identity_set_add(&set, fake('m', RP_NOKEY, RP_MALFORMED, 0), &err);
	identity_set_add(&set, fake('b', 0, 0, 0), &err);
	check(search(&set, fk, &err) == RP_MALFORMED && err.code ==
	    RP_MALFORMED && strcmp(err.reason, "m on stanza 1") == 0 &&
	    calls == 5, "a stanza refused by its rules ends the search");
	identity_set_free(&set);
	check(search(&set, fk, &err) == RP_NOKEY && calls == 0,
	    "an empty set: RP_NOKEY");
}

static void
test_sets(void)
{
	struct identity_set set;
	struct rp_error err;

	memset(&set, 0, sizeof(set));
	check(identity_set_add(&set, fake('a', 0, 0, 0), &err) == 1 &&
	    identity_set_add(&set, fake('a', 1, 1, 1), &err) == 0 &&
	    identity_set_add(&set, fake('b', 0, 0, 0), &err) == 1 &&
	    set.n == 2, "the same key twice is kept once");
	set.max = 2;
	check(identity_set_add(&set, fake('c', 0, 0, 0), &err) == RP_USAGE &&
	    set.n == 2, "a full set refuses more");
	check(identity_set_count(&set, "fake") == 2 &&
	    identity_set_count(&set, "other") == 0, "members by kind");
	identity_set_free(&set);
	check(set.n == 0, "freed");
}

static void
test_stanza(void)
{
	static const unsigned char id[3] = { 0, 'x', 0 };
	const unsigned char *args[2] = { id, (const unsigned char *)"arg" };
	size_t len[2] = { 3, 3 };
	struct stanza s;
	unsigned char *body;

	body = stanza_new(&s, "type", 2, args, len, 5);
	memset(body, 7, 5);
	check(stanza_is(&s, "type") && !stanza_is(&s, "typ") && s.nargs == 2
	    && s.arg_len[0] == 3 && memcmp(s.args[0], id, 3) == 0 &&
	    s.args[0][3] == '\0' && strcmp((const char *)s.args[1], "arg") ==
	    0 && s.body == body && s.body_len == 5 && s.body[4] == 7,
	    "stanza_new copies type, binary arguments and body room");
	stanza_free(&s);
	check(s.mem == NULL && s.type == NULL, "stanza_free clears it");
}

int
main(int argc, char **argv)
{
	(void)argc;
	rsapipe_init(argv[0]);
	test_stanza();
	test_sets();
	test_search_rule();
	test_search_order();
	if (!failed)
		printf("identity: %u checks ok\n", checks);
	return failed ? EXIT_AUTH : EXIT_OK;
}
