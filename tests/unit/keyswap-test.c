/* SPDX-License-Identifier: ISC */
/*
 * keyswap-test: the keyswap state machine (lib/keyswap/keyswap_run.c)
 * as keyswap(1) drives it, table-driven: each case is the frames a peer
 * sends, written to a pipe whose end is closed, and what each one must
 * come to when read by keyswap_receive() and taken by keyswap_take():
 * the rp_err code, a piece of the reason, and at the end the verdict.
 *
 * Our side is alice (identity and session alice.pem); the peer is bob,
 * a real keyswap_state of its own, so its hello and proof are the real
 * thing and each case changes one thing.  A case that fails is named on
 * stderr; the status is 1 if any failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tools/cli.h"
#include "core/common.h"
#include "core/error.h"
#include "core/io.h"
#include "keys/keys.h"
#include "keyswap/keyswap.h"
#include "keyswap/keyswap_run.h"

/* A key the program needs, or its end (status 2). */
static void
load_key(struct rsa_key *key, const char *path,
    const struct passphrase_source *pass, int private)
{
	struct rp_error err;

	if ((private ? key_read_private(key, path, pass, &err) :
	    key_read_public(key, path, pass, &err)) != 0)
		die_error(&err, EXIT_USAGE);
}

/* What a step sends. */
enum frame {
	HELLO,          /* bob's hello for this session */
	OWN_HELLO,      /* our own hello, reflected */
	ECHO_HELLO,     /* bob's hello carrying our nonce */
	OLD_HELLO,      /* bob's hello of an earlier session */
	BAD_ID_HELLO,   /* bob's hello with a broken identity SPKI */
	PROOF,          /* bob's proof for this session */
	OLD_PROOF,      /* bob's proof of the earlier session */
	CAROL_PROOF,    /* a proof of this session by carol, not bob */
	ACCEPT,         /* verdicts */
	REFUSE,
	NOT_ALLOWED,
	VERDICT_7,      /* a value this version does not know */
	VERDICT_2BYTES, /* a verdict with a body of 2 bytes */
	SPENT,          /* verdict 04: the invite is spent or expired */
	MISMATCH,       /* verdict 05: the invite code did not match */
	HELLO_S2,       /* bob's hello naming SSHSIG rsa-sha2-256 */
	PROOF_S2,       /* ... and his SSHSIG proof with rsa-sha2-256 */
	HELLO_S3,       /* the same with rsa-sha2-512 */
	PROOF_S3,
	PROOF_S3_AS_S2, /* an rsa-sha2-512 proof after a hello naming 256 */
	INVITE_HELLO    /* bob's hello with an invite (he typed a code) */
};

/* How a step's frame is damaged on its way. */
enum damage {
	NONE,
	CUT,            /* the stream ends 5 bytes before the frame does */
	CUT_HEADER,     /* the stream ends inside the header */
	OVERSIZE,       /* the header claims KEYSWAP_BODY_MAX + 1 bytes */
	VERSION_1,      /* version byte 1 */
	VERSION_3,      /* version byte 3 */
	SCHEME_4,       /* the hello's scheme byte 4 */
	VERSION_0,      /* version byte 0 */
	MAGIC,          /* "RPKX" */
	TYPE_4,         /* a type no version knows */
	FLIP_SIG,       /* one bit of the proof's signature flipped */
	TRAILING        /* one byte after the body, counted in the length */
};

struct step {
	int frame, damage;
	int want;               /* the code for this frame */
	const char *reason;     /* a piece of the reason, when want != 0 */
};

#define STEPS_MAX 4

struct keyswap_case {
	const char *name;
	struct step steps[STEPS_MAX]; /* up to the first failure */
	int nsteps;
	int verdict;                  /* at the end, if all steps are 0 */
};

static const struct keyswap_case cases[] = {
	{ "good exchange", { { HELLO, NONE, 0, NULL },
	    { PROOF, NONE, 0, NULL }, { ACCEPT, NONE, 0, NULL } }, 3,
	    KEYSWAP_ACCEPT },
	{ "verdict refusal", { { HELLO, NONE, 0, NULL },
	    { PROOF, NONE, 0, NULL }, { REFUSE, NONE, 0, NULL } }, 3,
	    KEYSWAP_REFUSE },
	{ "verdict: not on the allow list", { { HELLO, NONE, 0, NULL },
	    { PROOF, NONE, 0, NULL }, { NOT_ALLOWED, NONE, 0, NULL } }, 3,
	    KEYSWAP_REFUSE_NOT_ALLOWED },
	{ "verdict of an unknown value is kept as sent",
	    { { HELLO, NONE, 0, NULL }, { PROOF, NONE, 0, NULL },
	    { VERDICT_7, NONE, 0, NULL } }, 3, 7 },
	{ "verdict of two bytes", { { HELLO, NONE, 0, NULL },
	    { PROOF, NONE, 0, NULL },
	    { VERDICT_2BYTES, NONE, RP_MALFORMED, "malformed verdict" } }, 3,
	    0 },
	{ "no verdict: the peer hangs up", { { HELLO, NONE, 0, NULL },
	    { PROOF, NONE, 0, NULL },
	    { ACCEPT, CUT_HEADER, RP_MORE, "peer closed the connection" } },
	    3, 0 },
	{ "truncated hello", { { HELLO, CUT, RP_MORE,
	    "peer closed the connection" } }, 1, 0 },
	{ "truncated header", { { HELLO, CUT_HEADER, RP_MORE,
	    "peer closed the connection" } }, 1, 0 },
	{ "oversize length", { { HELLO, OVERSIZE, RP_MALFORMED,
	    "oversized message" } }, 1, 0 },
	{ "a version-1 peer is told it needs a newer rsapipe",
	    { { HELLO, VERSION_1, RP_REFUSED, "peer speaks keyswap version "
	    "1; this is version 2: the peer needs a newer rsapipe" } }, 1, 0 },
	{ "a later version is refused by number", { { HELLO, VERSION_3,
	    RP_REFUSED, "peer speaks keyswap version 3; this is version 2" } },
	    1, 0 },
	{ "version 0 is another version", { { HELLO, VERSION_0, RP_REFUSED,
	    "peer speaks keyswap version 0; this is version 2" } }, 1, 0 },
	{ "an unknown proof scheme in the hello is refused",
	    { { HELLO, SCHEME_4, RP_MALFORMED,
	    "peer uses an unknown proof scheme 4" } }, 1, 0 },
	{ "an SSHSIG rsa-sha2-256 proof verifies", { { HELLO_S2, NONE, 0,
	    NULL }, { PROOF_S2, NONE, 0, NULL }, { ACCEPT, NONE, 0, NULL } },
	    3, KEYSWAP_ACCEPT },
	{ "an SSHSIG rsa-sha2-512 proof verifies", { { HELLO_S3, NONE, 0,
	    NULL }, { PROOF_S3, NONE, 0, NULL }, { ACCEPT, NONE, 0, NULL } },
	    3, KEYSWAP_ACCEPT },
	{ "an SSHSIG proof with one bit flipped does not verify",
	    { { HELLO_S3, NONE, 0, NULL }, { PROOF_S3, FLIP_SIG, RP_AUTH,
	    "peer's proof does not verify" } }, 2, 0 },
	{ "a proof of another scheme than the hello named does not verify",
	    { { HELLO_S2, NONE, 0, NULL }, { PROOF_S3_AS_S2, NONE, RP_AUTH,
	    "peer's proof does not verify" } }, 2, 0 },
	{ "a PSS proof after a hello naming SSHSIG does not verify",
	    { { HELLO_S2, NONE, 0, NULL }, { PROOF, NONE, RP_AUTH,
	    "peer's proof does not verify" } }, 2, 0 },
	{ "an early verdict 04 says the invite is spent",
	    { { HELLO, NONE, 0, NULL }, { SPENT, NONE, RP_REFUSED,
	    "the invite code is spent or expired; ask for a new one" } }, 2,
	    0 },
	{ "an early verdict 05 says the code did not match",
	    { { HELLO, NONE, 0, NULL }, { MISMATCH, NONE, RP_REFUSED,
	    "the invite code did not match" } }, 2, 0 },
	{ "a hello with an invite when this side has none is refused",
	    { { INVITE_HELLO, NONE, RP_REFUSED,
	    "peer expected an invite code" } }, 1, 0 },
	{ "bad magic", { { HELLO, MAGIC, RP_MALFORMED,
	    "peer is not speaking keyswap (bad magic)" } }, 1, 0 },
	{ "unknown frame type", { { HELLO, TYPE_4, RP_MALFORMED,
	    "unknown message type" } }, 1, 0 },
	{ "hello with a trailing byte", { { HELLO, TRAILING, RP_MALFORMED,
	    "malformed hello (scheme or invite length)" } }, 1, 0 },
	{ "proof before the hello", { { PROOF, NONE, RP_MALFORMED,
	    "expected a hello from the peer, got a proof" } }, 1, 0 },
	{ "an accepting verdict before the proof", { { HELLO, NONE, 0, NULL },
	    { ACCEPT, NONE, RP_MALFORMED,
	    "peer accepted before sending its proof" } }, 2, 0 },
	{ "reflected hello", { { OWN_HELLO, NONE, RP_AUTH,
	    "peer sent our own hello back (reflection)" } }, 1, 0 },
	{ "hello echoing our nonce", { { ECHO_HELLO, NONE, RP_AUTH,
	    "peer echoed our nonce (reflection)" } }, 1, 0 },
	{ "hello with a bad identity key", { { BAD_ID_HELLO, NONE,
	    RP_REFUSED, "peer sent a bad identity key: " } }, 1, 0 },
	{ "bad proof signature", { { HELLO, NONE, 0, NULL },
	    { PROOF, FLIP_SIG, RP_AUTH, "peer's proof does not verify" } }, 2,
	    0 },
	{ "proof by another identity than the hello's",
	    { { HELLO, NONE, 0, NULL }, { CAROL_PROOF, NONE, RP_AUTH,
	    "peer's proof does not verify" } }, 2, 0 },
	{ "replayed hello and proof from another session",
	    { { OLD_HELLO, NONE, 0, NULL }, { OLD_PROOF, NONE, RP_AUTH,
	    "peer's proof does not verify" } }, 2, 0 },
	{ "truncated proof", { { HELLO, NONE, 0, NULL },
	    { PROOF, CUT, RP_MORE, "peer closed the connection" } }, 2, 0 },
};

static const unsigned char our_nonce[KEYSWAP_NONCE_LEN] =
    "alice's nonce for this session.";
static const unsigned char bob_nonce[KEYSWAP_NONCE_LEN] =
    "bob's nonce for this session...";
static const unsigned char old_nonce[KEYSWAP_NONCE_LEN] =
    "alice's nonce, earlier session";
static const unsigned char old_bob_nonce[KEYSWAP_NONCE_LEN] =
    "bob's nonce, an earlier session";

static struct rsa_key alice, bob, carol;

struct bytes {
	unsigned char b[KEYSWAP_FRAME_MAX + 1];
	size_t len;
};

/* Bob's side of a session in which we sent own: his hello and the
 * proof signer's proof (bob, or carol posing as bob). */
static void
peer_side(const struct keyswap_state *own, const unsigned char *nonce,
    const struct rsa_key *key, int scheme, int sign_scheme,
    struct bytes *hello, struct bytes *proof)
{
	struct keyswap_state b;
	struct keyswap_signer signer;
	struct rp_error err;

	keyswap_signer_file(&signer, key, sign_scheme);
	if (keyswap_begin(&b, &bob, &bob, nonce, scheme, NULL, &err) != 0 ||
	    keyswap_take(&b, own->own_hello, own->own_len, &err) != 0)
		die(EXIT_USAGE, "bob's side: %s", err.reason);
	memcpy(hello->b, b.own_hello, b.own_len);
	hello->len = b.own_len;
	b.own_scheme = sign_scheme; /* a proof of another scheme, on purpose */
	if (keyswap_make_proof(&b, &signer, proof->b, &proof->len, &err) != 0)
		die(EXIT_USAGE, "bob's proof: %s", err.reason);
	keyswap_state_free(&b);
}

/* Bob's hello carrying an invite in which he typed the code. */
static void
invite_hello(struct bytes *f)
{
	static const unsigned char w[SPAKE2_SCALAR_LEN] = { 1 };
	struct keyswap_invite inv = { KEYSWAP_CALLER, 7, w, 0 };
	struct keyswap_state b;
	struct rp_error err;

	if (keyswap_begin(&b, &bob, &bob, bob_nonce, KEYSWAP_SCHEME_PSS, &inv,
	    &err) != 0)
		die(EXIT_USAGE, "bob's invite: %s", err.reason);
	memcpy(f->b, b.own_hello, b.own_len);
	f->len = b.own_len;
	keyswap_state_free(&b);
}

/* The scheme a frame's hello names and its proof is signed with. */
static int
frame_scheme(int frame, int *sign_scheme)
{
	int scheme = KEYSWAP_SCHEME_PSS;

	if (frame == HELLO_S2 || frame == PROOF_S2 || frame == PROOF_S3_AS_S2)
		scheme = KEYSWAP_SCHEME_SSHSIG_256;
	if (frame == HELLO_S3 || frame == PROOF_S3)
		scheme = KEYSWAP_SCHEME_SSHSIG_512;
	*sign_scheme = frame == PROOF_S3_AS_S2 ? KEYSWAP_SCHEME_SSHSIG_512 :
	    scheme;
	return scheme;
}

static void
verdict_frame(struct bytes *f, int value, int body_len)
{
	f->len = keyswap_encode_verdict(f->b, KEYSWAP_ACCEPT);
	f->b[KEYSWAP_HEADER_LEN] = (unsigned char)value;
	if (body_len == 2) {
		f->b[KEYSWAP_HEADER_LEN - 1] = 2;
		f->b[f->len++] = 0;
	}
}

/* The frame a step sends, for our state s (an earlier session's own
 * state is old). */
static void
make_frame(struct bytes *f, int frame, const struct keyswap_state *s,
    const struct keyswap_state *old)
{
	struct bytes hello, proof;
	int scheme, sign_scheme;

	scheme = frame_scheme(frame, &sign_scheme);
	switch (frame) {
	case HELLO_S2:
	case PROOF_S2:
	case HELLO_S3:
	case PROOF_S3:
	case PROOF_S3_AS_S2:
		peer_side(s, bob_nonce, &bob, scheme, sign_scheme, &hello,
		    &proof);
		*f = frame == HELLO_S2 || frame == HELLO_S3 ? hello : proof;
		break;
	case INVITE_HELLO:
		invite_hello(f);
		break;
	case HELLO:
	case PROOF:
	case BAD_ID_HELLO:
		peer_side(s, bob_nonce, &bob, scheme, scheme, &hello, &proof);
		*f = frame == PROOF ? proof : hello;
		/* The identity SPKI's first byte: no DER SEQUENCE. */
		if (frame == BAD_ID_HELLO)
			f->b[KEYSWAP_HEADER_LEN + 2] ^= 0xff;
		break;
	case OLD_HELLO:
	case OLD_PROOF:
		peer_side(old, old_bob_nonce, &bob, scheme, scheme, &hello,
		    &proof);
		*f = frame == OLD_PROOF ? proof : hello;
		break;
	case CAROL_PROOF:
		peer_side(s, bob_nonce, &carol, scheme, scheme, &hello, f);
		break;
	case OWN_HELLO:
		memcpy(f->b, s->own_hello, s->own_len);
		f->len = s->own_len;
		break;
	case ECHO_HELLO:
		f->len = keyswap_encode_hello(f->b, bob.spki, bob.spki_len,
		    bob.spki, bob.spki_len, our_nonce, KEYSWAP_SCHEME_PSS, NULL);
		break;
	default:
		verdict_frame(f, frame == ACCEPT ? KEYSWAP_ACCEPT :
		    frame == REFUSE ? KEYSWAP_REFUSE : frame == NOT_ALLOWED ?
		    KEYSWAP_REFUSE_NOT_ALLOWED : frame == SPENT ? 4 :
		    frame == MISMATCH ? 5 : 7, frame == VERDICT_2BYTES ? 2 : 1);
	}
}

/* Damage f as the step says; returns how many bytes of it to send. */
static size_t
damage(struct bytes *f, int how)
{
	size_t body;

	switch (how) {
	case CUT:
		return f->len - 5;
	case CUT_HEADER:
		return KEYSWAP_HEADER_LEN - 3;
	case OVERSIZE:
		put_be16(f->b + 6, KEYSWAP_BODY_MAX + 1);
		break;
	case VERSION_1:
	case VERSION_3:
	case VERSION_0:
		f->b[4] = how == VERSION_1 ? 1 : how == VERSION_3 ? 3 : 0;
		break;
	case SCHEME_4:
		/* The scheme byte: before the invite's 2-byte length. */
		f->b[f->len - 3] = 4;
		break;
	case MAGIC:
		f->b[3] = 'X';
		break;
	case TYPE_4:
		f->b[5] = 4;
		break;
	case FLIP_SIG:
		f->b[f->len - 1] ^= 0x01;
		break;
	case TRAILING:
		body = f->len - KEYSWAP_HEADER_LEN + 1;
		put_be16(f->b + 6, (unsigned)body);
		f->b[f->len++] = 0;
		break;
	}
	return f->len;
}

/* What our side makes of the frame on the wire: read as keyswap_run
 * reads it, then taken. */
static int
receive_take(struct keyswap_state *s, struct keyswap_conn *conn,
    struct rp_error *err)
{
	unsigned char frame[KEYSWAP_FRAME_MAX];
	size_t len;
	int rc;

	if ((rc = keyswap_receive(conn, keyswap_expected(s), frame, &len,
	    err)) != 0)
		return rc;
	return keyswap_take(s, frame, len, err);
}

/* Check one step's outcome; 1 if as wanted, else 0 with a notice. */
static int
check_step(const struct keyswap_case *c, int i, int rc,
    const struct rp_error *err)
{
	const struct step *st = &c->steps[i];

	if (rc != st->want) {
		notice("%s: frame %d: code %d, want %d (%s)", c->name, i + 1,
		    rc, st->want, rc != 0 ? err->reason : "accepted");
		return 0;
	}
	if (rc != 0 && (err->code != rc ||
	    strstr(err->reason, st->reason) == NULL)) {
		notice("%s: frame %d: reason \"%s\", want \"%s\"", c->name,
		    i + 1, err->reason, st->reason);
		return 0;
	}
	return 1;
}

/* Run one case: 1 if it came out as the table says. */
static int
run_case(const struct keyswap_case *c, const struct keyswap_state *old)
{
	struct keyswap_state s;
	struct keyswap_conn conn;
	struct rp_error err;
	struct bytes f;
	int fds[2], i, rc = 0, ok = 1;

	if (keyswap_begin(&s, &alice, &alice, our_nonce, KEYSWAP_SCHEME_PSS,
	    NULL, &err) != 0 || pipe(fds) != 0)
		die(EXIT_USAGE, "%s: set-up failed", c->name);
	for (i = 0; i < c->nsteps; i++) {
		make_frame(&f, c->steps[i].frame, &s, old);
		if (io_write(fds[1], f.b, damage(&f, c->steps[i].damage),
		    "pipe", &err) != 0)
			die_error(&err, EXIT_USAGE);
	}
	close(fds[1]);
	keyswap_conn_init(&conn, fds[0], -1, 10);
	for (i = 0; i < c->nsteps && ok; i++) {
		rp_clear(&err);
		rc = receive_take(&s, &conn, &err);
		ok = check_step(c, i, rc, &err);
		if (rc != 0)
			break;
	}
	if (ok && rc == 0 && (s.stage != KEYSWAP_DONE ||
	    s.verdict != c->verdict)) {
		notice("%s: stage %d verdict %d, want the end and verdict %d",
		    c->name, s.stage, s.verdict, c->verdict);
		ok = 0;
	}
	close(fds[0]);
	keyswap_state_free(&s);
	return ok;
}

int
main(int argc, char **argv)
{
	struct keyswap_state old;
	struct rp_error err;
	char path[4096];
	size_t i, passed = 0, n = sizeof(cases) / sizeof(cases[0]);

	rsapipe_init(argv[0]);
	if (argc != 2)
		die(EXIT_USAGE, "usage: keyswap-test FIXTURES");
	snprintf(path, sizeof(path), "%s/alice.pem", argv[1]);
	load_key(&alice, path, NULL, 1);
	snprintf(path, sizeof(path), "%s/bob.pem", argv[1]);
	load_key(&bob, path, NULL, 1);
	snprintf(path, sizeof(path), "%s/carol.pem", argv[1]);
	load_key(&carol, path, NULL, 1);
	/* The earlier session: alice's hello with another nonce. */
	if (keyswap_begin(&old, &alice, &alice, old_nonce, KEYSWAP_SCHEME_PSS,
	    NULL, &err) != 0)
		die(EXIT_USAGE, "set-up failed");
	for (i = 0; i < n; i++)
		passed += (size_t)run_case(&cases[i], &old);
	keyswap_state_free(&old);
	key_free(&alice);
	key_free(&bob);
	key_free(&carol);
	printf("keyswap state machine: %zu of %zu cases as the table says\n",
	    passed, n);
	return passed == n ? EXIT_OK : EXIT_AUTH;
}
