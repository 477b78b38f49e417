/* SPDX-License-Identifier: ISC */
/*
 * recordrate: in-process rates for `make bench` (doc/PERFORMANCE.md, T2).
 *
 *	recordrate PRIVATE-KEY [RECORDS [RSA-MESSAGES]]
 *
 * Compares, in one process, the rsapipe record layer (one AES-256-GCM
 * record sealed and opened per message, lib/stream.c) with the approach
 * it replaced: every message RSA-OAEP encrypted to, and decrypted with,
 * the given RSA key.  Messages are 100 bytes.  Prints one line per
 * measure, "name value", for bench/run.sh to read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tools/cli.h"
#include "core/common.h"
#include "keys/keys.h"
#include "stream/stream.h"

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

#define MESSAGE_LEN 100

static double
now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		die(EXIT_USAGE, "clock_gettime:");
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long
count_arg(const char *s)
{
	char *end;
	unsigned long n;

	n = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || n == 0)
		die(EXIT_USAGE, "bad count: %s", s);
	return n;
}

/* Seal and open n records of MESSAGE_LEN bytes; returns records/s. */
static double
record_rate(unsigned long n)
{
	unsigned char salt[STREAM_SALT_LEN];
	unsigned char buf[MESSAGE_LEN + STREAM_RECORD_OVERHEAD];
	unsigned char msg[MESSAGE_LEN];
	struct stream_keys *keys;
	struct cipher_state enc, dec;
	struct rp_error err;
	double t0, t;
	unsigned long i;

	keys = stream_keys_new();
	gcry_randomize(keys->file_key, sizeof(keys->file_key),
	    GCRY_STRONG_RANDOM);
	gcry_create_nonce(salt, sizeof(salt));
	stream_keys_derive(keys, salt);
	stream_cipher_open(&enc, keys);
	stream_cipher_open(&dec, keys);
	stream_keys_free(keys);
	memset(msg, 'x', sizeof(msg));

	t0 = now();
	for (i = 0; i < n; i++) {
		memcpy(buf + STREAM_RECORD_HEADER_LEN, msg, MESSAGE_LEN);
		stream_record_seal(&enc, buf, MESSAGE_LEN, 0);
		if (stream_record_open(&dec, buf, MESSAGE_LEN, 0, &err) != 0)
			die(EXIT_AUTH, "record %lu: %s", i, err.reason);
		if (memcmp(buf + STREAM_RECORD_HEADER_LEN, msg,
		    MESSAGE_LEN) != 0)
			die(EXIT_AUTH, "record %lu: round trip differs", i);
	}
	t = now() - t0;
	stream_cipher_close(&enc);
	stream_cipher_close(&dec);
	return n / t;
}

/* RSA-OAEP(SHA-256) encrypt then decrypt n messages; returns messages/s. */
static double
rsa_rate(const struct rsa_key *key, unsigned long n)
{
	unsigned char msg[MESSAGE_LEN];
	gcry_sexp_t data, ciph, plain, tok;
	gcry_error_t err;
	const char *value;
	double t0, t;
	unsigned long i;
	size_t len;

	memset(msg, 'x', sizeof(msg));
	t0 = now();
	for (i = 0; i < n; i++) {
		err = gcry_sexp_build(&data, NULL,
		    "(data (flags oaep) (hash-algo sha256) (value %b))",
		    MESSAGE_LEN, msg);
		if (err)
			die_gcry(EXIT_USAGE, err, "RSA-OAEP data");
		err = gcry_pk_encrypt(&ciph, data, key->pub);
		gcry_sexp_release(data);
		if (err)
			die_gcry(EXIT_USAGE, err, "RSA-OAEP encrypt");
		/* The ciphertext is (enc-val (rsa (a ...))); decrypting it
		 * needs the same flags back in front. */
		tok = gcry_sexp_find_token(ciph, "a", 0);
		value = tok != NULL ? gcry_sexp_nth_data(tok, 1, &len) : NULL;
		if (value == NULL)
			die(EXIT_USAGE, "RSA-OAEP: no ciphertext");
		err = gcry_sexp_build(&data, NULL,
		    "(enc-val (flags oaep) (hash-algo sha256) (rsa (a %b)))",
		    (int)len, value);
		gcry_sexp_release(tok);
		gcry_sexp_release(ciph);
		if (err)
			die_gcry(EXIT_USAGE, err, "RSA-OAEP enc-val");
		err = gcry_pk_decrypt(&plain, data, key->priv);
		gcry_sexp_release(data);
		if (err)
			die_gcry(EXIT_AUTH, err, "RSA-OAEP decrypt");
		tok = gcry_sexp_find_token(plain, "value", 0);
		value = tok != NULL ? gcry_sexp_nth_data(tok, 1, &len) : NULL;
		if (value == NULL || len != MESSAGE_LEN ||
		    memcmp(value, msg, MESSAGE_LEN) != 0)
			die(EXIT_AUTH, "RSA-OAEP: round trip differs");
		gcry_sexp_release(tok);
		gcry_sexp_release(plain);
	}
	t = now() - t0;
	return n / t;
}

int
main(int argc, char *argv[])
{
	struct rsa_key key;
	unsigned long records = 2000000, messages = 200;
	double rec, rsa;

	rsapipe_init(argv[0]);
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: recordrate PRIVATE-KEY [RECORDS"
		    " [RSA-MESSAGES]]\n");
		return EXIT_USAGE;
	}
	if (argc > 2)
		records = count_arg(argv[2]);
	if (argc > 3)
		messages = count_arg(argv[3]);
	load_key(&key, argv[1], NULL, 1);

	rec = record_rate(records);
	rsa = rsa_rate(&key, messages);
	printf("record_bytes %d\n", MESSAGE_LEN);
	printf("records %lu\n", records);
	printf("records_per_s %.0f\n", rec);
	printf("rsa_bits %u\n", key.nbits);
	printf("rsa_messages %lu\n", messages);
	printf("rsa_per_s %.1f\n", rsa);
	printf("ratio %.0f\n", rec / rsa);
	key_free(&key);
	if (fflush(stdout) != 0 || ferror(stdout))
		die(EXIT_USAGE, "stdout:");
	return 0;
}
