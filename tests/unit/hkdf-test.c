/* SPDX-License-Identifier: ISC */
/*
 * hkdf-test: HKDF-SHA256 against RFC 5869 appendix A, test cases 1-3.
 * Exits 0 when every case matches, 1 otherwise, naming the case.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../tools/cli.h"
#include "core/common.h"
#include "core/error.h"
#include "crypto/hkdf.h"

struct hkdf_case {
	const char *ikm, *salt, *info, *okm;
};

static const struct hkdf_case cases[] = {
	{ /* A.1: basic */
	    "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	    "000102030405060708090a0b0c",
	    "f0f1f2f3f4f5f6f7f8f9",
	    "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
	    "34007208d5b887185865" },
	{ /* A.2: longer inputs and outputs */
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	    "404142434445464748494a4b4c4d4e4f",
	    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	    "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
	    "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
	    "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
	    "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
	    "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
	    "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
	    "cc30c58179ec3e87c14c01d5c1f3434f1d87" },
	{ /* A.3: zero-length salt and info */
	    "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	    "",
	    "",
	    "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
	    "9d201395faa4b61a96c8" },
};

static size_t
unhex(unsigned char *out, const char *hex)
{
	size_t n = 0;
	unsigned v;

	while (hex[0] != '\0' && hex[1] != '\0') {
		if (sscanf(hex, "%2x", &v) != 1)
			break;
		out[n++] = (unsigned char)v;
		hex += 2;
	}
	return n;
}

/* More than 255 blocks is not HKDF: a caller's bug, which ends the
 * process (rp_fatal(), status 2) rather than derive anything.  In a
 * child, so this program goes on.  1 if it was so. */
static int
oversized_refused(void)
{
	unsigned char *got, ikm[1] = { 0 };
	int status;
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) < 0)
		die(EXIT_USAGE, "fork:");
	if (pid == 0) {
		/* No message on the test's stderr: only the status counts. */
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(3);
		got = rp_alloc(HKDF_SHA256_MAX_OUT + 1);
		hkdf_sha256(got, HKDF_SHA256_MAX_OUT + 1, ikm, 1, NULL, 0,
		    NULL, 0);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		die(EXIT_USAGE, "waitpid:");
	return WIFEXITED(status) && WEXITSTATUS(status) == EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	unsigned char ikm[128], salt[128], info[128], okm[128], got[128];
	size_t ikm_len, salt_len, info_len, okm_len, i;
	int failed = 0;

	(void)argc;
	rsapipe_init(argv[0]);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ikm_len = unhex(ikm, cases[i].ikm);
		salt_len = unhex(salt, cases[i].salt);
		info_len = unhex(info, cases[i].info);
		okm_len = unhex(okm, cases[i].okm);
		hkdf_sha256(got, okm_len, ikm, ikm_len, salt, salt_len, info,
		    info_len);
		if (memcmp(got, okm, okm_len) != 0) {
			notice("RFC 5869 test case %zu: wrong OKM", i + 1);
			failed = 1;
		}
	}
	/* More than 255 blocks is not HKDF: must be refused. */
	if (!oversized_refused()) {
		notice("oversized output was not refused");
		failed = 1;
	}
	if (!failed)
		printf("RFC 5869 test cases 1-3: ok\n");
	return failed ? EXIT_AUTH : EXIT_OK;
}
