/* SPDX-License-Identifier: ISC */
/*
 * agent_proto.h: the agent protocol's numbers (draft-miller-ssh-agent
 * section 5.1, OpenSSH's authfd.h), shared by agent.c and
 * agent_reply.c; not for other callers.
 */
#ifndef RSAPIPE_AGENT_PROTO_H
#define RSAPIPE_AGENT_PROTO_H

#include "keys/agent.h"

#define SSH_AGENT_FAILURE 5
#define SSH_AGENT_SUCCESS 6
#define SSH2_AGENTC_REQUEST_IDENTITIES 11
#define SSH2_AGENT_IDENTITIES_ANSWER 12
#define SSH2_AGENTC_SIGN_REQUEST 13
#define SSH2_AGENT_SIGN_RESPONSE 14
#define SSH2_AGENT_FAILURE 30
#define SSH_COM_AGENT2_FAILURE 102

#define SSH_AGENT_RSA_SHA2_256 0x02
#define SSH_AGENT_RSA_SHA2_512 0x04

/* agent_parse_sign_response(), noting whether a failure is the agent's
 * refusal, another algorithm, or a reply that does not parse. */
int agent_parse_sign_reply(const unsigned char *msg, size_t len,
    enum rsa_pkcs1_hash alg, size_t modlen, unsigned char *sig,
    enum agent_cause *cause, struct rp_error *err);

#endif
