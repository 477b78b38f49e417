/* SPDX-License-Identifier: ISC */
/*
 * age-stanza-test: lib/age/age_stanza.c, age_keys.c and the libgcrypt primitives under
 * it.  RFC 7748 sections 5.2 and 6.1 (X25519 byte order, clamping,
 * masking of the top bit), RFC 7914 section 12 (scrypt with r = 8), age
 * keys and identity files, wrap/unwrap round trips, and every refusal
 * the stanza rules name.  With age's own output it checks both ways:
 *
 *   age-stanza-test FIXTURES KEYFILE RECIPIENT AGE_X25519 AGE_SSH \
 *       OUT_X25519 OUT_SSH
 *
 * KEYFILE is from age-keygen and RECIPIENT its `age-keygen -y`;
 * AGE_X25519 and AGE_SSH are files `age` encrypted to RECIPIENT and to
 * FIXTURES/keys/ssh-rsa.pub; their stanzas must unwrap here to a file
 * key under which their header MAC verifies.  OUT_X25519 and OUT_SSH
 * are written here (stanzas from age_*_wrap, the header and payload
 * built by hand) for `age -d` to read back as "rsapipe age-stanza-test".
 * Exits 0 when every check passes, 1 otherwise, naming each failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/cli.h"
#include "age/age_keys.h"
#include "age/age_stanza.h"
#include "codec/base64.h"
#include "codec/bech32.h"
#include "codec/pem.h"
#include "core/common.h"
#include "core/error.h"
#include "crypto/hkdf.h"
#include "crypto/rsa.h"
#include "keys/identity.h"
#include "keys/keys.h"

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

#define PLAINTEXT "rsapipe age-stanza-test\n"
#define BAD RP_MALFORMED

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

static void
unhex(unsigned char *out, const char *hex)
{
	unsigned v;

	for (; hex[0] != '\0' && hex[1] != '\0'; hex += 2) {
		if (sscanf(hex, "%2x", &v) != 1)
			die(EXIT_USAGE, "bad hex in a test vector");
		*out++ = (unsigned char)v;
	}
}

static int
equal_hex(const unsigned char *got, const char *hex, size_t n)
{
	unsigned char want[128];

	unhex(want, hex);
	return memcmp(got, want, n) == 0;
}

static void
mul(unsigned char *out, const unsigned char *k, const unsigned char *u)
{
	gcry_error_t err;

	if ((err = gcry_ecc_mul_point(GCRY_ECC_CURVE25519, out, k, u)) != 0)
		die_gcry(EXIT_AUTH, err, "gcry_ecc_mul_point");
}

/* RFC 7748 5.2: the two vectors (unclamped scalars, the second u with
 * its top bit set) and the iteration to 1 and 1000. */
static void
test_rfc7748_52(void)
{
	unsigned char k[32], u[32], r[32];
	int i;

	unhex(k, "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
	unhex(u, "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
	mul(r, k, u);
	check(equal_hex(r, "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552", 32),
	    "RFC 7748 5.2 vector 1");
	unhex(k, "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d");
	unhex(u, "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493");
	mul(r, k, u);
	check(equal_hex(r, "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957", 32),
	    "RFC 7748 5.2 vector 2 (u's top bit masked)");
	memset(k, 0, 32);
	k[0] = 9;
	memcpy(u, k, 32);
	for (i = 1; i <= 1000; i++) {
		mul(r, k, u);
		memcpy(u, k, 32);
		memcpy(k, r, 32);
		if (i == 1)
			check(equal_hex(k, "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079", 32),
			    "RFC 7748 5.2 after one iteration");
	}
	check(equal_hex(k, "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51", 32),
	    "RFC 7748 5.2 after 1000 iterations");
}

/* RFC 7748 6.1, by libgcrypt and through age identities. */
static void
test_rfc7748_61(void)
{
	static const char *alice = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
	static const char *alice_pub = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
	static const char *bob = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
	static const char *bob_pub = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
	static const char *shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
	unsigned char a[32], b[32], pa[32], pb[32], r[32], nine[32] = { 9 };
	struct age_x25519_identity id = { NULL, { 0 } };
	struct rp_error err = { RP_OK, "" };
	char s[128];

	unhex(a, alice);
	unhex(b, bob);
	mul(pa, a, nine);
	mul(pb, b, nine);
	check(equal_hex(pa, alice_pub, 32), "RFC 7748 6.1 Alice's public key");
	check(equal_hex(pb, bob_pub, 32), "RFC 7748 6.1 Bob's public key");
	mul(r, a, pb);
	check(equal_hex(r, shared, 32), "RFC 7748 6.1 K from Alice");
	mul(r, b, pa);
	check(equal_hex(r, shared, 32), "RFC 7748 6.1 K from Bob");
	bech32_encode(s, sizeof(s), "age-secret-key-", a, 32, 1);
	check(age_x25519_identity_parse(&id, s, strlen(s), &err) == 0 &&
	    equal_hex(id.public, alice_pub, 32) &&
	    memcmp(id.secret, a, 32) == 0,
	    "identity of Alice's key gives her public key");
	age_x25519_identity_free(&id);
}

/* RFC 7914 section 12, the vectors with libgcrypt's fixed r = 8. */
static void
test_rfc7914(void)
{
	unsigned char out[64];
	gcry_error_t err;

	err = gcry_kdf_derive("password", 8, GCRY_KDF_SCRYPT, 1024, "NaCl", 4,
	    16, 64, out);
	check(err == 0 && equal_hex(out,
	    "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
	    "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
	    64), "RFC 7914 scrypt N=1024 r=8 p=16");
	err = gcry_kdf_derive("pleaseletmein", 13, GCRY_KDF_SCRYPT, 16384,
	    "SodiumChloride", 14, 1, 64, out);
	check(err == 0 && equal_hex(out,
	    "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
	    "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887",
	    64), "RFC 7914 scrypt N=16384 r=8 p=1");
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	unsigned char *buf;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		die(EXIT_USAGE, "%s:", path);
	buf = malloc(AGE_HEADER_MAX + 1);
	if (buf == NULL)
		die(EXIT_USAGE, "out of memory");
	*len = fread(buf, 1, AGE_HEADER_MAX, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* Case, HRP and length rules of keys; s is id's identity string. */
static void
test_key_rules(char *s, size_t cap, const char *recipient,
    const struct age_x25519_identity *id)
{
	struct age_x25519_identity other;
	unsigned char pub[32];
	struct rp_error err = { RP_OK, "" };
	size_t n;

	for (n = 16; s[n] < 'A' || s[n] > 'Z'; n++)
		continue;       /* a letter of the data part */
	s[n] = (char)(s[n] + 32);
	check(age_x25519_identity_parse(&other, s, strlen(s), &err) ==
	    RP_MALFORMED, "identity with a lowercase character");
	for (n = 0; s[n] != '\0'; n++)
		if (s[n] >= 'A' && s[n] <= 'Z')
			s[n] = (char)(s[n] + 32);
	check(age_x25519_identity_parse(&other, s, strlen(s), &err) ==
	    RP_MALFORMED, "lowercase identity");
	check(age_x25519_identity_parse(&other, recipient, strlen(recipient),
	    &err) == RP_MALFORMED, "recipient given as identity");
	for (n = 0; n < strlen(recipient) && n < cap - 1; n++)
		s[n] = (char)(recipient[n] >= 'a' && recipient[n] <= 'z' ?
		    recipient[n] - 32 : recipient[n]);
	s[n] = '\0';
	check(age_x25519_recipient_parse(pub, s, n, &err) == RP_MALFORMED,
	    "uppercase recipient");
	check(age_x25519_recipient_parse(pub, recipient, strlen(recipient) - 1,
	    &err) == RP_MALFORMED, "truncated recipient");
	bech32_encode(s, cap, "age", id->public, 31, 0);
	check(age_x25519_recipient_parse(pub, s, strlen(s), &err) ==
	    RP_MALFORMED, "31-byte recipient");
	bech32_encode(s, cap, "age", (const unsigned char[33]){ 0 }, 33, 0);
	check(age_x25519_recipient_parse(pub, s, strlen(s), &err) ==
	    RP_MALFORMED && strstr(err.reason, "not an age") != NULL,
	    "33-byte recipient, named as not a recipient");
	bech32_encode(s, cap, "agf", id->public, 32, 0);
	check(age_x25519_recipient_parse(pub, s, strlen(s), &err) ==
	    RP_MALFORMED, "recipient under another HRP");
}

/* age-keygen's key file and its recipient, and what must be refused. */
static void
test_keys(const char *keyfile, const char *recipient,
    struct age_x25519_identity *id)
{
	static const char crlf[] = "# comment\r\n\r\n%s\r\n# end\r\n";
	unsigned char *buf, pub[32];
	char s[256], text[1024];
	struct rp_error err = { RP_OK, "" };
	size_t len, n, line;
	struct age_x25519_identity two[2];

	buf = slurp(keyfile, &len);
	check(age_identity_file_detect(buf, len), "age-keygen file detected");
	check(age_identity_file_parse(id, 1, &n, buf, len, &line, &err) == 0
	    && n == 1, "age-keygen file parses");
	if (n != 1) {
		free(buf);
		return;
	}
	bech32_encode(s, sizeof(s), "age", id->public, 32, 0);
	check(strcmp(s, recipient) == 0, "public key is age-keygen -y's");
	check(age_x25519_recipient_parse(pub, recipient, strlen(recipient),
	    &err) == 0 && memcmp(pub, id->public, 32) == 0,
	    "age-keygen -y's recipient parses to the same key");
	free(buf);

	bech32_encode(s, sizeof(s), "age-secret-key-", id->secret, 32, 1);
	snprintf(text, sizeof(text), crlf, s);
	check(age_identity_file_parse(two, 2, &n, (unsigned char *)text,
	    strlen(text), &line, &err) == 0 && n == 1 &&
	    memcmp(two[0].public, id->public, 32) == 0,
	    "CRLF, comments and blank lines");
	if (n == 1)
		age_x25519_identity_free(&two[0]);
	snprintf(text, sizeof(text), "%s\n\n%s\n", s, s);
	check(age_identity_file_parse(two, 1, &n, (unsigned char *)text,
	    strlen(text), &line, &err) == RP_MALFORMED && n == 0 &&
	    line == 3, "more identities than room: refused at line 3");
	snprintf(text, sizeof(text), "%s\n# x\n%s \n", s, s);
	check(age_identity_file_parse(two, 2, &n, (unsigned char *)text,
	    strlen(text), &line, &err) == RP_MALFORMED && n == 0 &&
	    line == 3, "trailing blank on line 3 refused");
	check(age_identity_file_parse(two, 2, &n, (unsigned char *)"# x\n", 4,
	    &line, &err) == RP_MALFORMED, "file without identities refused");
	check(!age_identity_file_detect((unsigned char *)"# x\n\nage1x\n", 11),
	    "a recipient line is not an identity file");
	check(age_identity_file_detect((unsigned char *)"\r\n#\r\nAGE-SECRET-KEY-1",
	    20), "detected after CRLF blank and comment lines");
	check(!age_identity_file_detect((unsigned char *)"-----BEGIN", 10),
	    "PEM is not an identity file");
	test_key_rules(s, sizeof(s), recipient, id);
}

/* A stanza's bytes, for a test to change (a wrapped stanza owns them). */
#define BODY(s) ((unsigned char *)(s).body)
#define ARG(s, i) ((const char *)(s)->args[i])

/* A stanza made by hand (freed with stanza_free). */
static void
stanza(struct stanza *s, const char *type, const char *a0,
    const char *a1, const unsigned char *body, size_t body_len)
{
	const unsigned char *args[2];
	size_t len[2], n = 0;

	if (a0 != NULL) {
		args[n] = (const unsigned char *)a0;
		len[n++] = strlen(a0);
	}
	if (a1 != NULL) {
		args[n] = (const unsigned char *)a1;
		len[n++] = strlen(a1);
	}
	memcpy(stanza_new(s, type, n, args, len, body_len), body, body_len);
}

/* good with its type, argument or body length changed must unwrap to
 * want, and pass the key-free checks with want_check. */
static void
x25519_variant(const struct stanza *good, const char *type,
    const char *arg, size_t body_len, const struct age_x25519_identity *id,
    int want, int want_check, const char *what)
{
	unsigned char fk[AGE_FILE_KEY_LEN], body[64] = { 0 };
	struct stanza s;
	struct rp_error err = { RP_OK, "" };
	int rc;

	memcpy(body, good->body, good->body_len);
	stanza(&s, type, arg != NULL ? arg : ARG(good, 0), NULL, body,
	    body_len);
	rc = age_x25519_unwrap(&s, id, fk, &err);
	check(rc == want && (rc != RP_MALFORMED || err.reason[0] != '\0'), what);
	check(age_stanzas_check(&s, 1, &err) == want_check, what);
	stanza_free(&s);
}

/* Argument counts: none, or one too many. */
static void
x25519_stanza_args(const struct stanza *good,
    const struct age_x25519_identity *id)
{
	unsigned char fk[AGE_FILE_KEY_LEN];
	struct stanza s;
	struct rp_error err = { RP_OK, "" };

	stanza(&s, "X25519", NULL, NULL, good->body, good->body_len);
	check(age_x25519_unwrap(&s, id, fk, &err) == RP_MALFORMED &&
	    age_stanzas_check(&s, 1, &err) == RP_MALFORMED,
	    "X25519 stanza without an argument");
	stanza_free(&s);
	stanza(&s, "X25519", ARG(good, 0), "extra", good->body,
	    good->body_len);
	check(age_x25519_unwrap(&s, id, fk, &err) == RP_MALFORMED &&
	    age_stanzas_check(&s, 1, &err) == RP_MALFORMED,
	    "X25519 stanza with an extra argument");
	stanza_free(&s);
}

/* good (a sound X25519 stanza for id) with its share, type or body
 * length changed. */
static void
x25519_share_variants(const struct stanza *good,
    const struct age_x25519_identity *id)
{
	/* A point of order 8 (and 0, the identity): no shared secret. */
	static const char *low = "4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA";
	static const char *zero = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	char share[64];

	strcpy(share, ARG(good, 0));
	share[0] = share[0] == 'A' ? 'B' : 'A';
	x25519_variant(good, "X25519", share, 32, id, RP_DECRYPT, 0,
	    "another share: RP_DECRYPT");
	x25519_variant(good, "x25519", NULL, 32, id, RP_NOKEY, 0,
	    "type x25519 is another type");
	x25519_variant(good, "X25519", NULL, 33, id, BAD, BAD,
	    "33-byte X25519 body");
	x25519_variant(good, "X25519", NULL, 48, id, BAD, BAD,
	    "a longer file key in an X25519 body");
	x25519_variant(good, "X25519", NULL, 31, id, BAD, BAD,
	    "31-byte X25519 body");
	strcpy(share, ARG(good, 0));
	share[42] = '\0';
	x25519_variant(good, "X25519", share, 32, id, BAD, BAD,
	    "short share");
	strcpy(share, ARG(good, 0));
	strcat(share, "AA");
	x25519_variant(good, "X25519", share, 32, id, BAD, BAD,
	    "long share");
	strcpy(share, ARG(good, 0));
	strcat(share, "=");
	x25519_variant(good, "X25519", share, 32, id, BAD, BAD,
	    "padded share");
	strcpy(share, low);
	share[42] = 'B';        /* the same bytes, a non-zero unused bit */
	x25519_variant(good, "X25519", share, 32, id, BAD, BAD,
	    "non-canonical share");
	x25519_variant(good, "X25519", low, 32, id, BAD, 0,
	    "low-order share");
	x25519_variant(good, "X25519", zero, 32, id, BAD, 0,
	    "zero share");
}

static void
test_x25519_stanzas(const struct age_x25519_identity *id)
{
	unsigned char fk[AGE_FILE_KEY_LEN], got[AGE_FILE_KEY_LEN];
	struct age_x25519_identity other;
	struct stanza s;
	struct rp_error err = { RP_OK, "" };

	gcry_randomize(fk, sizeof(fk), GCRY_STRONG_RANDOM);
	check(age_x25519_wrap(&s, id->public, fk, &err) == 0, "X25519 wrap");
	check(strcmp(s.type, "X25519") == 0 && s.nargs == 1 &&
	    s.arg_len[0] == 43 && s.body_len == 32, "X25519 stanza shape");
	check(age_stanzas_check(&s, 1, &err) == 0, "X25519 stanza checks");
	check(age_x25519_unwrap(&s, id, got, &err) == 0 &&
	    memcmp(got, fk, sizeof(fk)) == 0, "X25519 round trip");
	other.secret = secure_alloc(32);
	gcry_randomize(other.secret, 32, GCRY_STRONG_RANDOM);
	mul(other.public, other.secret, (const unsigned char[32]){ 9 });
	check(age_x25519_unwrap(&s, &other, got, &err) == RP_DECRYPT,
	    "X25519 stanza for another identity: RP_DECRYPT");
	age_x25519_identity_free(&other);
	BODY(s)[5] ^= 0x40;
	check(age_x25519_unwrap(&s, id, got, &err) == RP_DECRYPT,
	    "tampered X25519 body: RP_DECRYPT");
	BODY(s)[5] ^= 0x40;
	BODY(s)[31] ^= 1;
	check(age_x25519_unwrap(&s, id, got, &err) == RP_DECRYPT,
	    "tampered X25519 tag: RP_DECRYPT");
	BODY(s)[31] ^= 1;
	x25519_share_variants(&s, id);
	x25519_stanza_args(&s, id);
	stanza_free(&s);
}

/* The tag is the first 4 bytes of the hash under the fingerprint. */
static void
rsa_tag_matches_fingerprint(const struct rsa_key *key, const char *tag)
{
	char fp[KEY_FINGERPRINT_LEN], want[16];
	unsigned char hash[40];
	size_t n;

	key_fingerprint(key, fp);
	check(b64_decode(fp + 7, strlen(fp + 7), B64_UNPADDED, hash,
	    sizeof(hash), &n, NULL) == 0 && n == 32, "fingerprint decodes");
	base64_encode_unpadded(hash, 4, want);
	check(strcmp(tag, want) == 0, "ssh-rsa tag is the fingerprint's");
}

static void
test_rsa_stanzas(const char *fixtures)
{
	struct passphrase_source pass = PASSPHRASE_SOURCE_INIT;
	unsigned char fk[AGE_FILE_KEY_LEN], got[AGE_FILE_KEY_LEN];
	struct rsa_key alice, bob, alice_pub;
	struct stanza s, t;
	struct rp_error err = { RP_OK, "" };
	char path[4096];

	snprintf(path, sizeof(path), "%s/alice.pem", fixtures);
	load_key(&alice, path, &pass, 1);
	snprintf(path, sizeof(path), "%s/alice.pub", fixtures);
	load_key(&alice_pub, path, &pass, 0);
	snprintf(path, sizeof(path), "%s/bob.pem", fixtures);
	load_key(&bob, path, &pass, 1);

	gcry_randomize(fk, sizeof(fk), GCRY_STRONG_RANDOM);
	age_rsa_wrap(&s, &alice_pub, fk);
	check(strcmp(s.type, "ssh-rsa") == 0 && s.nargs == 1 &&
	    s.arg_len[0] == 6 && s.body_len == rsa_modulus_bytes(&alice),
	    "ssh-rsa stanza shape");
	rsa_tag_matches_fingerprint(&alice, ARG(&s, 0));
	check(age_stanzas_check(&s, 1, &err) == 0, "ssh-rsa stanza checks");
	check(age_rsa_unwrap(&s, &alice, got, &err) == 0 &&
	    memcmp(got, fk, sizeof(fk)) == 0, "ssh-rsa round trip");
	check(age_rsa_unwrap(&s, &bob, got, &err) == RP_NOKEY,
	    "ssh-rsa stanza for another key: RP_NOKEY");
	check(age_rsa_unwrap(&s, &alice_pub, got, &err) == RP_NOKEY,
	    "public key only: RP_NOKEY");
	BODY(s)[s.body_len / 2] ^= 1;
	check(age_rsa_unwrap(&s, &alice, got, &err) == RP_DECRYPT,
	    "tampered ssh-rsa body: RP_DECRYPT");
	BODY(s)[s.body_len / 2] ^= 1;
	stanza(&t, "ssh-rsa", ARG(&s, 0), NULL, s.body, s.body_len - 1);
	check(age_rsa_unwrap(&t, &alice, got, &err) == RP_DECRYPT,
	    "short ssh-rsa body: RP_DECRYPT");
	stanza_free(&t);
	stanza(&t, "ssh-rsa", "AAAAAAA", NULL, s.body, s.body_len);
	check(age_rsa_unwrap(&t, &alice, got, &err) == RP_MALFORMED &&
	    age_stanzas_check(&t, 1, &err) == RP_MALFORMED, "5-byte tag");
	stanza_free(&t);
	stanza(&t, "ssh-rsa", ARG(&s, 0), "x", s.body, s.body_len);
	check(age_rsa_unwrap(&t, &alice, got, &err) == RP_MALFORMED &&
	    age_stanzas_check(&t, 1, &err) == RP_MALFORMED,
	    "ssh-rsa stanza with an extra argument");
	stanza_free(&t);
	stanza(&t, "ssh-ed25519", ARG(&s, 0), NULL, s.body, s.body_len);
	check(age_rsa_unwrap(&t, &alice, got, &err) == RP_NOKEY &&
	    age_stanzas_check(&t, 1, &err) == 0, "another type: RP_NOKEY");
	stanza_free(&t);
	stanza_free(&s);
	key_free(&alice);
	key_free(&alice_pub);
	key_free(&bob);
}

/* A scrypt stanza made from its definition: ChaCha20-Poly1305, nonce
 * 0, under scrypt(pass, "age-encryption.org/v1/scrypt" || salt, 2^log2n,
 * 8, 1). */
static void
scrypt_stanza(struct stanza *s, const char *pass, const char *log2n,
    const unsigned char fk[AGE_FILE_KEY_LEN])
{
	unsigned char salt[28 + 16], key[32], body[32], nonce[12] = { 0 };
	char salt64[32];
	gcry_cipher_hd_t h;
	gcry_error_t err;

	memcpy(salt, "age-encryption.org/v1/scrypt", 28);
	gcry_randomize(salt + 28, 16, GCRY_WEAK_RANDOM);
	base64_encode_unpadded(salt + 28, 16, salt64);
	err = gcry_kdf_derive(pass, strlen(pass), GCRY_KDF_SCRYPT,
	    1 << atoi(log2n), salt, sizeof(salt), 1, 32, key);
	if (!err)
		err = gcry_cipher_open(&h, GCRY_CIPHER_CHACHA20,
		    GCRY_CIPHER_MODE_POLY1305, 0);
	if (!err && !(err = gcry_cipher_setkey(h, key, 32)) &&
	    !(err = gcry_cipher_setiv(h, nonce, 12)) &&
	    !(err = gcry_cipher_encrypt(h, body, 16, fk, 16)))
		err = gcry_cipher_gettag(h, body + 16, 16);
	if (err)
		die_gcry(EXIT_AUTH, err, "scrypt stanza");
	gcry_cipher_close(h);
	stanza(s, "scrypt", salt64, log2n, body, 32);
}

static int
scrypt_args(const struct stanza *good, const char *salt,
    const char *log2n)
{
	unsigned char fk[AGE_FILE_KEY_LEN];
	struct stanza s;
	struct rp_error err = { RP_OK, "" };
	int rc;

	stanza(&s, "scrypt", salt, log2n, good->body, good->body_len);
	rc = age_scrypt_unwrap(&s, "pass", 22, fk, &err);
	/* The cap is the unwrapper's: the key-free check passes it. */
	if (age_stanzas_check(&s, 1, &err) != (rc == RP_MALFORMED ?
	    RP_MALFORMED : 0))
		rc = 1;
	stanza_free(&s);
	return rc;
}

static void
test_scrypt_stanzas(void)
{
	unsigned char fk[AGE_FILE_KEY_LEN], got[AGE_FILE_KEY_LEN];
	struct stanza s[2];
	struct rp_error err = { RP_OK, "" };
	char salt[32];
	unsigned log2n = 0;

	gcry_randomize(fk, sizeof(fk), GCRY_STRONG_RANDOM);
	scrypt_stanza(&s[0], "correct horse", "10", fk);
	check(age_stanzas_check(s, 1, &err) == 0, "scrypt stanza checks");
	check(age_scrypt_unwrap(&s[0], "correct horse", 22, got, &err) == 0 &&
	    memcmp(got, fk, sizeof(fk)) == 0, "scrypt round trip");
	check(age_scrypt_unwrap(&s[0], "wrong horse", 22, got, &err) ==
	    RP_DECRYPT, "wrong passphrase: RP_DECRYPT");
	check(age_scrypt_unwrap(&s[0], "correct horse", 9, got, &err) ==
	    RP_REFUSED && strcmp(err.reason, "scrypt work factor above the cap") ==
	    0, "work factor above the cap: RP_REFUSED");
	check(age_scrypt_work_factor(&s[0], &log2n) == 0 && log2n == 10,
	    "the work factor, read before any passphrase");
	strcpy(salt, ARG(&s[0], 0));
	check(scrypt_args(&s[0], salt, "23") == RP_REFUSED,
	    "work factor 23 above age's 22");
	check(scrypt_args(&s[0], salt, "99999999999999999999") == RP_REFUSED,
	    "huge work factor refused");
	check(scrypt_args(&s[0], salt, "010") == RP_MALFORMED,
	    "work factor with a leading zero");
	check(scrypt_args(&s[0], salt, "0") == RP_MALFORMED, "work factor 0");
	check(scrypt_args(&s[0], salt, "+10") == RP_MALFORMED,
	    "work factor with a sign");
	check(scrypt_args(&s[0], salt, "1a") == RP_MALFORMED,
	    "work factor with a letter");
	salt[21] = '\0';
	check(scrypt_args(&s[0], salt, "10") == RP_MALFORMED, "15-byte salt");
	strcpy(salt, ARG(&s[0], 0));
	strcat(salt, "AA");
	check(scrypt_args(&s[0], salt, "10") == RP_MALFORMED, "17-byte salt");
	check(scrypt_args(&s[0], ARG(&s[0], 0), NULL) == RP_MALFORMED,
	    "scrypt stanza without a work factor");
	stanza(&s[1], "other", "x", NULL, fk, 16);
	check(age_stanzas_check(s, 2, &err) == RP_MALFORMED,
	    "scrypt stanza not alone");
	check(age_stanzas_check(&s[1], 1, &err) == 0, "unknown types pass");
	stanza_free(&s[1]);
	s[0].body_len = 31;
	check(age_scrypt_unwrap(&s[0], "correct horse", 22, got, &err) ==
	    RP_MALFORMED, "31-byte scrypt body");
	stanza_free(&s[0]);
}

/*
 * The one stanza of an age file (as `age` writes it: "-> TYPE ARG",
 * body lines of 64 columns ending in a short one, "--- MAC"), and the
 * MAC; *mac_len is the length the MAC covers.  0 or -1.
 */
static int
read_one_stanza(const char *buf, struct stanza *s, size_t *mac_len,
    unsigned char mac[32])
{
	char type[32], arg[128], body64[4096];
	const char *p;
	size_t n, bl = 0;
	unsigned char body[4096];

	if (strncmp(buf, "age-encryption.org/v1\n-> ", 25) != 0 ||
	    sscanf(buf + 25, "%31s %127[^\n]", type, arg) != 2 ||
	    (p = strchr(buf + 25, '\n')) == NULL)
		return -1;
	for (p++; ; p += n + 1) {
		n = strcspn(p, "\n");
		if (p[n] != '\n' || bl + n >= sizeof(body64))
			return -1;
		memcpy(body64 + bl, p, n);
		bl += n;
		if (n < 64)
			break;
	}
	p += n + 1;
	if (strncmp(p, "--- ", 4) != 0 ||
	    b64_decode(p + 4, 43, B64_UNPADDED, mac, 32, &n, NULL) != 0 ||
	    b64_decode(body64, bl, B64_UNPADDED, body, sizeof(body), &n,
	    NULL) != 0)
		return -1;
	*mac_len = (size_t)(p + 3 - buf);
	stanza(s, type, arg, NULL, body, n);
	return 0;
}

static int
mac_ok(const char *hdr, size_t len, const unsigned char mac[32],
    const unsigned char fk[AGE_FILE_KEY_LEN])
{
	unsigned char key[32], got[32];

	hkdf_sha256(key, 32, fk, AGE_FILE_KEY_LEN, NULL, 0,
	    (const unsigned char *)"header", 6);
	hmac_sha256(got, key, 32, (const unsigned char *)hdr, len);
	return memcmp(got, mac, 32) == 0;
}

/* Unwrap the stanza of an age file with id or key; the MAC must hold. */
static void
test_from_age(const char *path, const struct age_x25519_identity *id,
    const struct rsa_key *key)
{
	unsigned char fk[AGE_FILE_KEY_LEN], mac[32], *buf;
	struct stanza s;
	struct rp_error err = { RP_OK, "" };
	size_t len, mac_len;
	int rc;

	buf = slurp(path, &len);
	if (read_one_stanza((char *)buf, &s, &mac_len, mac) != 0) {
		check(0, "age's file has one stanza");
		free(buf);
		return;
	}
	check(age_stanzas_check(&s, 1, &err) == 0, "age's stanza checks");
	if (id != NULL)
		rc = age_x25519_unwrap(&s, id, fk, &err);
	else
		rc = age_rsa_unwrap(&s, key, fk, &err);
	check(rc == 0, id ? "age's X25519 stanza unwraps" :
	    "age's ssh-rsa stanza unwraps");
	check(rc == 0 && mac_ok((char *)buf, mac_len, mac, fk),
	    "age's header MAC holds under the unwrapped file key");
	stanza_free(&s);
	free(buf);
}

/* The payload: one final STREAM chunk of PLAINTEXT after the nonce. */
static size_t
payload(unsigned char *out, const unsigned char fk[AGE_FILE_KEY_LEN])
{
	unsigned char key[32], nonce[12] = { 0 };
	size_t n = strlen(PLAINTEXT);
	gcry_cipher_hd_t h;
	gcry_error_t err;

	gcry_randomize(out, 16, GCRY_WEAK_RANDOM);
	nonce[11] = 1;  /* the last chunk */
	hkdf_sha256(key, 32, fk, AGE_FILE_KEY_LEN, out, 16,
	    (const unsigned char *)"payload", 7);
	err = gcry_cipher_open(&h, GCRY_CIPHER_CHACHA20,
		    GCRY_CIPHER_MODE_POLY1305, 0);
	if (!err && !(err = gcry_cipher_setkey(h, key, 32)) &&
	    !(err = gcry_cipher_setiv(h, nonce, 12)) &&
	    !(err = gcry_cipher_encrypt(h, out + 16, n, PLAINTEXT, n)))
		err = gcry_cipher_gettag(h, out + 16 + n, 16);
	if (err)
		die_gcry(EXIT_AUTH, err, "payload");
	gcry_cipher_close(h);
	return 16 + n + 16;
}

/* An age file to path with the stanza s, for `age -d` to read. */
static void
write_for_age(const char *path, const struct stanza *s,
    const unsigned char fk[AGE_FILE_KEY_LEN])
{
	char hdr[4096], body64[2048], mac64[64];
	unsigned char key[32], mac[32], pl[128];
	size_t n, i, len;
	FILE *f;

	base64_encode_unpadded(s->body, s->body_len, body64);
	n = (size_t)snprintf(hdr, sizeof(hdr), "age-encryption.org/v1\n-> %s "
	    "%s\n", s->type, ARG(s, 0));
	len = strlen(body64);
	for (i = 0; i <= len; i += 64)  /* a short line last, maybe empty */
		n += (size_t)snprintf(hdr + n, sizeof(hdr) - n, "%.64s\n",
		    body64 + i);
	n += (size_t)snprintf(hdr + n, sizeof(hdr) - n, "---");
	hkdf_sha256(key, 32, fk, AGE_FILE_KEY_LEN, NULL, 0,
	    (const unsigned char *)"header", 6);
	hmac_sha256(mac, key, 32, (unsigned char *)hdr, n);
	base64_encode_unpadded(mac, 32, mac64);
	n += (size_t)snprintf(hdr + n, sizeof(hdr) - n, " %s\n", mac64);
	len = payload(pl, fk);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(hdr, 1, n, f) != n || fwrite(pl, 1, len, f) != len ||
	    fclose(f) != 0)
		die(EXIT_USAGE, "%s:", path);
}

static void
test_for_age(const char *out_x25519, const char *out_ssh,
    const unsigned char recipient[32], const struct rsa_key *key)
{
	unsigned char fk[AGE_FILE_KEY_LEN];
	struct stanza s;

	gcry_randomize(fk, sizeof(fk), GCRY_STRONG_RANDOM);
	if (age_x25519_wrap(&s, recipient, fk, NULL) != 0)
		die(EXIT_AUTH, "X25519 wrap");
	write_for_age(out_x25519, &s, fk);
	stanza_free(&s);
	gcry_randomize(fk, sizeof(fk), GCRY_STRONG_RANDOM);
	age_rsa_wrap(&s, key, fk);
	write_for_age(out_ssh, &s, fk);
	stanza_free(&s);
}

int
main(int argc, char **argv)
{
	struct passphrase_source pass = PASSPHRASE_SOURCE_INIT;
	struct age_x25519_identity id = { NULL, { 0 } };
	struct rsa_key ssh;
	char path[4096];

	rsapipe_init(argv[0]);
	if (argc != 8)
		die(EXIT_USAGE, "usage: age-stanza-test FIXTURES KEYFILE "
		    "RECIPIENT AGE_X25519 AGE_SSH OUT_X25519 OUT_SSH");
	test_rfc7748_52();
	test_rfc7748_61();
	test_rfc7914();
	test_keys(argv[2], argv[3], &id);
	if (id.secret == NULL)
		die(EXIT_AUTH, "no identity from %s: nothing more to test",
		    argv[2]);
	test_x25519_stanzas(&id);
	test_rsa_stanzas(argv[1]);
	test_scrypt_stanzas();
	snprintf(path, sizeof(path), "%s/keys/ssh-rsa", argv[1]);
	load_key(&ssh, path, &pass, 1);
	test_from_age(argv[4], &id, NULL);
	test_from_age(argv[5], NULL, &ssh);
	test_for_age(argv[6], argv[7], id.public, &ssh);
	age_x25519_identity_free(&id);
	key_free(&ssh);
	if (!failed)
		printf("age stanzas: %u checks ok\n", checks);
	return failed ? EXIT_AUTH : EXIT_OK;
}
