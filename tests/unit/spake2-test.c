/* SPDX-License-Identifier: ISC */
/*
 * spake2-test: SPAKE2-P256-SHA256-HKDF-HMAC against RFC 9382 appendix B
 * (all four sets, every value byte for byte), the constants M and N,
 * doc/KEYSWAP-v2.md 4.3's w, and the refusals: a wrong password, a
 * share off the curve, a tampered confirmation.  Exits 0 when all hold,
 * 1 otherwise, naming each failure.
 *	spake2-test            the checks
 *	spake2-test --bench N  N whole exchanges (both sides, scrypt of w
 *	                       included): the median in milliseconds
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../tools/cli.h"
#include "core/common.h"
#include "crypto/spake2.h"

struct vector {
	const char *id_a, *id_b;
	const char *w, *x, *pa, *y, *pb, *k, *tt, *ke, *ka, *kca, *kcb;
	const char *conf_a, *conf_b;
};

/* RFC 9382 appendix B (draft-irtf-cfrg-spake2-26 has the same), in its
 * order: w, x, pA, y, pB, K, TT, Ke, Ka, KcA, KcB, A conf, B conf. */
static const struct vector vectors[] = {
	{ "server", "client",
	    "2ee57912099d31560b3a44b1184b9b4866e904c49d12ac5042c97dca461b1a5f",
	    "43dd0fd7215bdcb482879fca3220c6a968e66d70b1356cac18bb26c84a78d729",
	    "04a56fa807caaa53a4d28dbb9853b9815c61a411118a6fe516a8798434751470"
	    "f9010153ac33d0d5f2047ffdb1a3e42c9b4e6be662766e1eeb4116988ede5f91"
	    "2c",
	    "dcb60106f276b02606d8ef0a328c02e4b629f84f89786af5befb0bc75b6e66be",
	    "0406557e482bd03097ad0cbaa5df82115460d951e3451962f1eaf4367a420676"
	    "d09857ccbc522686c83d1852abfa8ed6e4a1155cf8f1543ceca528afb591a1e0"
	    "b7",
	    "0412af7e89717850671913e6b469ace67bd90a4df8ce45c2af19010175e37eed"
	    "69f75897996d539356e2fa6a406d528501f907e04d97515fbe83db277b715d33"
	    "25",
	    "06000000000000007365727665720600000000000000636c69656e7441000000"
	    "0000000004a56fa807caaa53a4d28dbb9853b9815c61a411118a6fe516a87984"
	    "34751470f9010153ac33d0d5f2047ffdb1a3e42c9b4e6be662766e1eeb411698"
	    "8ede5f912c41000000000000000406557e482bd03097ad0cbaa5df82115460d9"
	    "51e3451962f1eaf4367a420676d09857ccbc522686c83d1852abfa8ed6e4a115"
	    "5cf8f1543ceca528afb591a1e0b741000000000000000412af7e897178506719"
	    "13e6b469ace67bd90a4df8ce45c2af19010175e37eed69f75897996d539356e2"
	    "fa6a406d528501f907e04d97515fbe83db277b715d332520000000000000002e"
	    "e57912099d31560b3a44b1184b9b4866e904c49d12ac5042c97dca461b1a5f",
	    "0e0672dc86f8e45565d338b0540abe69",
	    "15bdf72e2b35b5c9e5663168e960a91b",
	    "00c12546835755c86d8c0db7851ae86f",
	    "a9fa3406c3b781b93d804485430ca27a",
	    "58ad4aa88e0b60d5061eb6b5dd93e80d9c4f00d127c65b3b35b1b5281fee38f0",
	    "d3e2e547f1ae04f2dbdbf0fc4b79f8ecff2dff314b5d32fe9fcef2fb26dc459b" },
	{ "", "client",
	    "0548d8729f730589e579b0475a582c1608138ddf7054b73b5381c7e883e2efae",
	    "403abbe3b1b4b9ba17e3032849759d723939a27a27b9d921c500edde18ed654b",
	    "04a897b769e681c62ac1c2357319a3d363f610839c4477720d24cbe32f5fd85f"
	    "44fb92ba966578c1b712be6962498834078262caa5b441ecfa9d4a9485720e91"
	    "8a",
	    "903023b6598908936ea7c929bd761af6039577a9c3f9581064187c3049d87065",
	    "04e0f816fd1c35e22065d5556215c097e799390d16661c386e0ecc84593974a6"
	    "1b881a8c82327687d0501862970c64565560cb5671f696048050ca66ca5f8cc7"
	    "fc",
	    "048f83ec9f6e4f87cc6f9dc740bdc2769725f923364f01c84148c049a39a735e"
	    "bda82eac03e00112fd6a5710682767cff5361f7e819e53d8d3c3a2922e0d837a"
	    "a6",
	    "00000000000000000600000000000000636c69656e74410000000000000004a8"
	    "97b769e681c62ac1c2357319a3d363f610839c4477720d24cbe32f5fd85f44fb"
	    "92ba966578c1b712be6962498834078262caa5b441ecfa9d4a9485720e918a41"
	    "0000000000000004e0f816fd1c35e22065d5556215c097e799390d16661c386e"
	    "0ecc84593974a61b881a8c82327687d0501862970c64565560cb5671f6960480"
	    "50ca66ca5f8cc7fc4100000000000000048f83ec9f6e4f87cc6f9dc740bdc276"
	    "9725f923364f01c84148c049a39a735ebda82eac03e00112fd6a5710682767cf"
	    "f5361f7e819e53d8d3c3a2922e0d837aa620000000000000000548d8729f7305"
	    "89e579b0475a582c1608138ddf7054b73b5381c7e883e2efae",
	    "642f05c473c2cd79909f9a841e2f30a7",
	    "0bf89b18180af97353ba198789c2b963",
	    "c6be376fc7cd1301fd0a13adf3e7bffd",
	    "b7243f4ae60440a49b3f8cab3c1fba07",
	    "47d29e6666af1b7dd450d571233085d7a9866e4d49d2645e2df975489521232b",
	    "3313c5cefc361d27fb16847a91c2a73b766ffa90a4839122a9b70a2f6bd1d6df" },
	{ "server", "",
	    "626e0cdc7b14c9db3e52a0b1b3a768c98e37852d5db30febe0497b14eae8c254",
	    "07adb3db6bc623d3399726bfdbfd3d15a58ea776ab8a308b00392621291f9633",
	    "04f88fb71c99bfffaea370966b7eb99cd4be0ff1a7d335caac4211c4afd855e2"
	    "e15a873b298503ad8ba1d9cbb9a392d2ba309b48bfd7879aefd0f2cea6009763"
	    "b0",
	    "b6a4fc8dbb629d4ba51d6f91ed1532cf87adec98f25dd153a75accafafedec16",
	    "040c269d6be017dccb15182ac6bfcd9e2a14de019dd587eaf4bdfd353f031101"
	    "e7cca177f8eb362a6e83e7d5e729c0732e1b528879c086f39ba0f31a9661bd34"
	    "db",
	    "0445ee233b8ecb51ebd6e7da3f307e88a1616bae2166121221fdc0dadb986afa"
	    "f3ec8a988dc9c626fa3b99f58a7ca7c9b844bb3e8dd9554aafc5b53813504c1c"
	    "be",
	    "06000000000000007365727665720000000000000000410000000000000004f8"
	    "8fb71c99bfffaea370966b7eb99cd4be0ff1a7d335caac4211c4afd855e2e15a"
	    "873b298503ad8ba1d9cbb9a392d2ba309b48bfd7879aefd0f2cea6009763b041"
	    "00000000000000040c269d6be017dccb15182ac6bfcd9e2a14de019dd587eaf4"
	    "bdfd353f031101e7cca177f8eb362a6e83e7d5e729c0732e1b528879c086f39b"
	    "a0f31a9661bd34db41000000000000000445ee233b8ecb51ebd6e7da3f307e88"
	    "a1616bae2166121221fdc0dadb986afaf3ec8a988dc9c626fa3b99f58a7ca7c9"
	    "b844bb3e8dd9554aafc5b53813504c1cbe2000000000000000626e0cdc7b14c9"
	    "db3e52a0b1b3a768c98e37852d5db30febe0497b14eae8c254",
	    "005184ff460da2ce59062c87733c299c",
	    "3521297d736598fc0a1127600efa1afb",
	    "f3da53604f0aeecea5a33be7bddf6edf",
	    "9e3f86848736f159bd92b6e107ec6799",
	    "bc9f9bbe99f26d0b2260e6456e05a86196a3307ec6663a18bf6ac825736533b2",
	    "c2370e1bf813b086dff0d834e74425a06e6390f48f5411900276dcccc5a297ec" },
	{ "", "",
	    "7bf46c454b4c1b25799527d896508afd5fc62ef4ec59db1efb49113063d70cca",
	    "8cef65df64bb2d0f83540c53632de911b5b24b3eab6cc74a97609fd659e95473",
	    "04a65b367a3f613cf9f0654b1b28a1e3a8a40387956c8ba6063e8658563890f4"
	    "6ca1ef6a676598889fc28de2950ab8120b79a5ef1ea4c9f44bc98f585634b46d"
	    "66",
	    "d7a66f64074a84652d8d623a92e20c9675c61cb5b4f6a0063e4648a2fdc02d53",
	    "04589f13218822710d98d8b2123a079041052d9941b9cf88c6617ddb2fcc0494"
	    "662eea8ba6b64692dc318250030c6af045cb738bc81ba35b043c3dcb46adf6f5"
	    "8d",
	    "041a3c03d51b452537ca2a1fea6110353c6d5ed483c4f0f86f4492ca3f378d40"
	    "a994b4477f93c64d928edbbcd3e85a7c709b7ea73ee97986ce3d1438e1355437"
	    "72",
	    "00000000000000000000000000000000410000000000000004a65b367a3f613c"
	    "f9f0654b1b28a1e3a8a40387956c8ba6063e8658563890f46ca1ef6a67659888"
	    "9fc28de2950ab8120b79a5ef1ea4c9f44bc98f585634b46d6641000000000000"
	    "0004589f13218822710d98d8b2123a079041052d9941b9cf88c6617ddb2fcc04"
	    "94662eea8ba6b64692dc318250030c6af045cb738bc81ba35b043c3dcb46adf6"
	    "f58d4100000000000000041a3c03d51b452537ca2a1fea6110353c6d5ed483c4"
	    "f0f86f4492ca3f378d40a994b4477f93c64d928edbbcd3e85a7c709b7ea73ee9"
	    "7986ce3d1438e13554377220000000000000007bf46c454b4c1b25799527d896"
	    "508afd5fc62ef4ec59db1efb49113063d70cca",
	    "fc6374762ba5cf11f4b2caa08b2cd1b9",
	    "907ae0e26e8d6234318d91583cd74c86",
	    "5dbd2f477166b7fb6d61febbd77a5563",
	    "7689b4654407a5faeffdc8f18359d8a3",
	    "dfb4db8d48ae5a675963ea5e6c19d98d4ea028d8e898dad96ea19a80ade95dca",
	    "d0f0609d1613138d354f7e95f19fb556bf52d751947241e8c7118df5ef0ae175" },
};

/* M and N uncompressed, computed apart from libgcrypt (pyca/cryptography
 * from_encoded_point on the RFC's compressed constants). */
static const char m_uncompressed[] =
    "04886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f"
    "5ff355163e43ce224e0b0e65ff02ac8e5c7be09419c785e0ca547d55a12e2d20";
static const char n_uncompressed[] =
    "04d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b49"
    "07d60aa6bfade45008a636337f5168c64d9bd36034808cd564490b1e656edbe7";

/* doc/KEYSWAP-v2.md 4.3's w, computed apart from libgcrypt (Python's
 * hashlib.scrypt, i.e. OpenSSL, then mod n). */
static const struct { const char *words; unsigned number; const char *w; }
w_cases[] = {
	{ "orbit-quilt", 7,
	    "47929b5688e88713af17b49a326a21b5698fc63648c98fef97c502e5dd507a51" },
	{ "acid-zoom", 999,
	    "eb57b23cd4dbec82dfe39eb50ee20afe57ae4be72ba0a685cedbe59955c67903" },
	{ "yoyo-acid", 1,
	    "3f2f02f3cf563b0085a532555e4dbe1b3175297d3bca15cf6a68d6f83c181b19" },
};

static int failed, checks;

static size_t
unhex(unsigned char *out, size_t cap, const char *hex)
{
	size_t n = 0;
	unsigned v;

	while (hex[0] != '\0' && hex[1] != '\0' && n < cap) {
		if (sscanf(hex, "%2x", &v) != 1)
			break;
		out[n++] = (unsigned char)v;
		hex += 2;
	}
	return n;
}

/* got (len bytes) must be the hex want exactly. */
static void
expect(const char *what, size_t set, const unsigned char *got, size_t len,
    const char *want)
{
	unsigned char buf[1024];
	size_t n = unhex(buf, sizeof(buf), want);

	checks++;
	if (n != len || memcmp(buf, got, len) != 0) {
		printf("FAIL: RFC 9382 set %zu: %s differs\n", set, what);
		failed = 1;
	}
}

static void
check(int ok, const char *what)
{
	checks++;
	if (!ok) {
		printf("FAIL: %s\n", what);
		failed = 1;
	}
}

static void
expect_values(size_t i, const struct spake2 *s)
{
	const struct vector *v = &vectors[i];
	struct spake2_kat kat;

	if (spake2_kat_values(s, &kat) != 0) {
		check(0, "key schedule values after finish");
		return;
	}
	expect("K", i, kat.k, SPAKE2_SHARE_LEN, v->k);
	expect("TT", i, kat.tt, kat.tt_len, v->tt);
	expect("Ke", i, kat.ke, SPAKE2_KEY_LEN, v->ke);
	expect("Ka", i, kat.ka, SPAKE2_KEY_LEN, v->ka);
	expect("KcA", i, kat.kca, SPAKE2_KEY_LEN, v->kca);
	expect("KcB", i, kat.kcb, SPAKE2_KEY_LEN, v->kcb);
}

/* One appendix B set, both sides, with x and y injected. */
static void
rfc_set(size_t i)
{
	const struct vector *v = &vectors[i];
	unsigned char w[32], x[32], y[32], pa[65], pb[65], ca[32], cb[32];
	unsigned char ke[SPAKE2_KEY_LEN];
	struct spake2 a, b;
	struct rp_error err;

	unhex(w, 32, v->w);
	unhex(x, 32, v->x);
	unhex(y, 32, v->y);
	if (spake2_start_with_scalar(&a, SPAKE2_A, w, x, v->id_a,
	    strlen(v->id_a), v->id_b, strlen(v->id_b), pa, &err) != 0 ||
	    spake2_start_with_scalar(&b, SPAKE2_B, w, y, v->id_a,
	    strlen(v->id_a), v->id_b, strlen(v->id_b), pb, &err) != 0)
		die_error(&err, EXIT_AUTH);
	expect("pA", i, pa, 65, v->pa);
	expect("pB", i, pb, 65, v->pb);
	if (spake2_finish(&a, pb, 65, NULL, 0, ca, &err) != 0 ||
	    spake2_finish(&b, pa, 65, NULL, 0, cb, &err) != 0)
		die_error(&err, EXIT_AUTH);
	expect_values(i, &a);
	expect_values(i, &b);
	expect("A conf", i, ca, 32, v->conf_a);
	expect("B conf", i, cb, 32, v->conf_b);
	check(spake2_verify(&a, cb, 32, NULL) == 0, "A accepts B's conf");
	check(spake2_verify(&b, ca, 32, NULL) == 0, "B accepts A's conf");
	check(spake2_shared_key(&a, ke, NULL) == 0, "A has Ke");
	expect("Ke (A's output)", i, ke, SPAKE2_KEY_LEN, v->ke);
	spake2_free(&a);
	spake2_free(&b);
}

static void
constants(void)
{
	unsigned char m[65], n[65];

	if (spake2_constants(m, n, NULL) != 0) {
		check(0, "M and N decode");
		return;
	}
	expect("M (decompressed)", 0, m, 65, m_uncompressed);
	expect("N (decompressed)", 0, n, 65, n_uncompressed);
}

static void
password_to_w(void)
{
	unsigned char *w = secure_alloc(32);
	size_t i;

	for (i = 0; i < sizeof(w_cases) / sizeof(w_cases[0]); i++) {
		if (spake2_password_to_w(w, w_cases[i].words,
		    strlen(w_cases[i].words), w_cases[i].number, NULL) != 0)
			check(0, "spake2_password_to_w");
		else
			expect("w of doc/KEYSWAP-v2.md 4.3", i, w, 32,
			    w_cases[i].w);
	}
	secure_free(w);
}

/* What each side's spake2_verify() said. */
struct outcome {
	int a, b;
};

/* A run with random scalars, w and AAD given per side; tamper > 0
 * flips a bit of A's confirmation in flight. */
static struct outcome
exchange(const unsigned char wa[32], const unsigned char wb[32],
    const char *aad_a, const char *aad_b, int tamper)
{
	unsigned char pa[65], pb[65], ca[32], cb[32];
	struct spake2 a, b;
	struct outcome o;
	struct rp_error err;

	if (spake2_start(&a, SPAKE2_A, wa, "rsapipe inviter", 15,
	    "rsapipe caller", 14, pa, &err) != 0 ||
	    spake2_start(&b, SPAKE2_B, wb, "rsapipe inviter", 15,
	    "rsapipe caller", 14, pb, &err) != 0 ||
	    spake2_finish(&a, pb, 65, aad_a, strlen(aad_a), ca, &err) != 0 ||
	    spake2_finish(&b, pa, 65, aad_b, strlen(aad_b), cb, &err) != 0)
		die_error(&err, EXIT_AUTH);
	if (tamper)
		ca[tamper % 32] ^= 0x01;
	o.a = spake2_verify(&a, cb, 32, NULL);
	o.b = spake2_verify(&b, ca, 32, NULL);
	spake2_free(&a);
	spake2_free(&b);
	return o;
}

static void
runs(void)
{
	unsigned char w1[32], w2[32];
	struct outcome o;

	spake2_password_to_w(w1, "orbit-quilt", 11, 7, NULL);
	spake2_password_to_w(w2, "orbit-quill", 11, 7, NULL);
	o = exchange(w1, w1, "T", "T", 0);
	check(o.a == 0 && o.b == 0, "the right code: both sides accept");
	o = exchange(w1, w2, "T", "T", 0);
	check(o.a == RP_AUTH && o.b == RP_AUTH,
	    "a wrong code: both confirmations fail");
	spake2_password_to_w(w2, "orbit-quilt", 11, 8, NULL);
	o = exchange(w1, w2, "T", "T", 0);
	check(o.a == RP_AUTH && o.b == RP_AUTH,
	    "the same words under another number: both fail");
	o = exchange(w1, w1, "T", "U", 0);
	check(o.a == RP_AUTH && o.b == RP_AUTH,
	    "different AAD (transcripts): both fail");
	o = exchange(w1, w1, "T", "T", 5);
	check(o.a == 0 && o.b == RP_AUTH,
	    "a tampered confirmation is refused");
	wipe(w1, 32);
	wipe(w2, 32);
}

/* B's finish on share (len bytes) must be RP_MALFORMED (or code). */
static void
bad_share(const unsigned char *share, size_t len, int code, const char *what)
{
	unsigned char w[32] = { 1 }, pb[65], cb[32];
	struct spake2 b;

	if (spake2_start(&b, SPAKE2_B, w, "", 0, "", 0, pb, NULL) != 0)
		die(EXIT_AUTH, "spake2_start");
	check(spake2_finish(&b, share, len, NULL, 0, cb, NULL) == code, what);
	/* A refused share spends the run: no second try with another. */
	check(spake2_finish(&b, pb, 65, NULL, 0, cb, NULL) == RP_USAGE,
	    "a run takes one peer share");
	spake2_free(&b);
}

static void
refusals(void)
{
	unsigned char share[65], pa[65], w[32] = { 1 }, zero[32] = { 0 };
	unsigned char c[32];
	struct spake2 a, b;

	unhex(share, 65, vectors[0].pa);
	share[64] ^= 0x01;
	bad_share(share, 65, RP_MALFORMED, "a share off the curve is refused");
	unhex(share, 65, vectors[0].pa);
	share[0] = 0x02;
	bad_share(share, 65, RP_MALFORMED, "a share not 04 x y is refused");
	bad_share(share + 1, 33, RP_MALFORMED, "a compressed share is refused");
	bad_share(share, 64, RP_MALFORMED, "a short share is refused");
	memset(share, 0, sizeof(share));
	bad_share(share, 1, RP_MALFORMED, "the identity (00) is refused");
	bad_share(share, 65, RP_MALFORMED, "04 0..0 is refused");
	share[0] = 0x04;
	memset(share + 1, 0xff, 64);
	bad_share(share, 65, RP_MALFORMED, "coordinates above p are refused");
	/* A peer that sends w*N makes K the identity: no key, refused. */
	spake2_start_with_scalar(&b, SPAKE2_B, w, zero, "", 0, "", 0, share,
	    NULL);
	spake2_free(&b);
	if (spake2_start(&a, SPAKE2_A, w, "", 0, "", 0, pa, NULL) == 0) {
		check(spake2_verify(&a, c, 32, NULL) == RP_USAGE,
		    "verify before finish is refused");
		check(spake2_finish(&a, share, 65, NULL, 0, c, NULL) == RP_AUTH,
		    "a share that makes K the identity is refused");
		spake2_free(&a);
	}
}

/* A side gets one look at the peer's confirmation: no retry. */
static void
one_verify(void)
{
	unsigned char w[32] = { 2 }, pa[65], pb[65], ca[32], cb[32], bad[32];
	struct spake2 a, b;

	if (spake2_start(&a, SPAKE2_A, w, "", 0, "", 0, pa, NULL) != 0 ||
	    spake2_start(&b, SPAKE2_B, w, "", 0, "", 0, pb, NULL) != 0 ||
	    spake2_finish(&a, pb, 65, NULL, 0, ca, NULL) != 0 ||
	    spake2_finish(&b, pa, 65, NULL, 0, cb, NULL) != 0)
		die(EXIT_AUTH, "one_verify: setup");
	memcpy(bad, ca, 32);
	bad[0] ^= 0x80;
	check(spake2_verify(&b, bad, 32, NULL) == RP_AUTH,
	    "B refuses a wrong confirmation");
	check(spake2_verify(&b, ca, 32, NULL) == RP_USAGE,
	    "B does not take a second confirmation after a wrong one");
	check(spake2_verify(&a, cb, 31, NULL) == RP_AUTH,
	    "A refuses a short confirmation");
	spake2_free(&a);
	spake2_free(&b);
}

static double
ms_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *t, int n)
{
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	return t[n / 2];
}

/* Both sides of one invite exchange, each deriving w from the words:
 * the whole, and its parts (the two scrypts, the elliptic curve). */
static void
bench(int n)
{
	unsigned char *wa = secure_alloc(32), *wb = secure_alloc(32);
	unsigned char pa[65], pb[65], ca[32], cb[32];
	double *all = rp_calloc((size_t)n, sizeof(double));
	double *kdf = rp_calloc((size_t)n, sizeof(double));
	double *ec = rp_calloc((size_t)n, sizeof(double)), t0, t1;
	struct spake2 a, b;
	int i;

	for (i = 0; i < n; i++) {
		t0 = ms_now();
		if (spake2_password_to_w(wa, "orbit-quilt", 11, 7, NULL) ||
		    spake2_password_to_w(wb, "orbit-quilt", 11, 7, NULL))
			die(EXIT_AUTH, "bench: scrypt failed");
		t1 = ms_now();
		if (spake2_start(&a, SPAKE2_A, wa, "A", 1, "B", 1, pa, NULL) ||
		    spake2_start(&b, SPAKE2_B, wb, "A", 1, "B", 1, pb, NULL) ||
		    spake2_finish(&a, pb, 65, "T", 1, ca, NULL) ||
		    spake2_finish(&b, pa, 65, "T", 1, cb, NULL) ||
		    spake2_verify(&a, cb, 32, NULL) ||
		    spake2_verify(&b, ca, 32, NULL))
			die(EXIT_AUTH, "bench: an exchange failed");
		spake2_free(&a);
		spake2_free(&b);
		ec[i] = ms_now() - t1;
		kdf[i] = (t1 - t0) / 2;
		all[i] = ms_now() - t0;
	}
	printf("SPAKE2 exchange, both sides, %d runs, medians: whole %.1f ms;"
	    " one scrypt of w %.1f ms; curve and MACs of both sides %.1f ms\n",
	    n, median(all, n), median(kdf, n), median(ec, n));
	free(all);
	free(kdf);
	free(ec);
	secure_free(wa);
	secure_free(wb);
}

int
main(int argc, char **argv)
{
	size_t i, n = sizeof(vectors) / sizeof(vectors[0]);

	rsapipe_init(argv[0]);
	if (argc == 3 && strcmp(argv[1], "--bench") == 0) {
		bench(atoi(argv[2]) > 0 ? atoi(argv[2]) : 1);
		return EXIT_OK;
	}
	for (i = 0; i < n; i++)
		rfc_set(i);
	constants();
	password_to_w();
	runs();
	refusals();
	one_verify();
	if (failed)
		return EXIT_AUTH;
	printf("SPAKE2: RFC 9382 sets 1-%zu and %d checks ok\n", n, checks);
	return EXIT_OK;
}
