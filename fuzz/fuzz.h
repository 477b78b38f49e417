/* SPDX-License-Identifier: ISC */
/*
 * fuzz.h: what every rsapipe fuzz target shares: one-time process setup
 * and the fixed keys the targets decrypt and verify with.
 */
#ifndef RSAPIPE_FUZZ_H
#define RSAPIPE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"
#include "keys/passphrase.h"

/* The passphrase of the encrypted keys in the seed corpora. */
#define FUZZ_PASSPHRASE "rsapipe fuzz passphrase"

/* The --session context of the session-bound seed streams (32 bytes). */
#define FUZZ_SESSION "rsapipe fuzz session context 32B"

/* libgcrypt initialised once, as the tools do (rsapipe_init). */
void fuzz_init(const char *name);

/* A passphrase source that always yields FUZZ_PASSPHRASE (a file
 * written once at start-up and removed at exit). */
const struct passphrase_source *fuzz_passphrase(void);

/* tests/fixtures/<name>.pem, loaded once; dies if it is missing. */
const struct rsa_key *fuzz_key(const char *name);

/* Fixed stream keys (file key 00 01 .. 1f, salt "rsapipe fuzzsalt")
 * for the record corpus; never freed. */
struct stream_keys *fuzz_record_keys(void);

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
