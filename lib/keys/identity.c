/* SPDX-License-Identifier: ISC */
/* identity.c: stanzas, the key sets and the file-key search (identity.h). */
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "core/error.h"
#include "keys/identity.h"

unsigned char *
stanza_new(struct stanza *s, const char *type, size_t nargs,
    const unsigned char *const *args, const size_t *arg_len,
    size_t body_len)
{
	size_t i, total, tlen = strlen(type);
	unsigned char *p;

	if (nargs > STANZA_MAX_ARGS)
		rp_fatal("stanza with %zu arguments", nargs);
	total = tlen + 1 + body_len;
	for (i = 0; i < nargs; i++)
		total += arg_len[i] + 1;
	memset(s, 0, sizeof(*s));
	p = s->mem = rp_alloc(total);
	memcpy(p, type, tlen + 1);
	s->type = (const char *)p;
	p += tlen + 1;
	for (i = 0; i < nargs; i++) {
		memcpy(p, args[i], arg_len[i]);
		p[arg_len[i]] = '\0';
		s->args[i] = p;
		s->arg_len[i] = arg_len[i];
		p += arg_len[i] + 1;
	}
	s->nargs = nargs;
	s->body = p;
	s->body_len = body_len;
	return p;
}

void
stanza_free(struct stanza *s)
{
	free(s->mem);
	memset(s, 0, sizeof(*s));
}

int
stanza_is(const struct stanza *s, const char *type)
{
	return s->type != NULL && strcmp(s->type, type) == 0;
}

/* 1 if a and b name the same key of the same kind. */
static int
same_key(const void *ops_a, const unsigned char *ha, size_t la,
    const void *ops_b, const unsigned char *hb, size_t lb)
{
	return ops_a == ops_b && la == lb && memcmp(ha, hb, la) == 0;
}

static size_t
room(size_t max)
{
	return max == 0 || max > KEY_SET_MAX ? KEY_SET_MAX : max;
}

int
recipient_set_add(struct recipient_set *set, struct recipient *r,
    struct rp_error *err)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (same_key(set->r[i]->ops, set->r[i]->handle,
		    set->r[i]->handle_len, r->ops, r->handle, r->handle_len)) {
			r->ops->free(r);
			return 0;
		}
	if (set->n == room(set->max)) {
		r->ops->free(r);
		return rp_fail(err, RP_USAGE, "too many recipients");
	}
	set->r[set->n++] = r;
	return 1;
}

void
recipient_set_free(struct recipient_set *set)
{
	while (set->n > 0) {
		set->n--;
		set->r[set->n]->ops->free(set->r[set->n]);
		set->r[set->n] = NULL;
	}
}

int
identity_set_add(struct identity_set *set, struct identity *id,
    struct rp_error *err)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (same_key(set->id[i]->ops, set->id[i]->handle,
		    set->id[i]->handle_len, id->ops, id->handle,
		    id->handle_len)) {
			id->ops->free(id);
			return 0;
		}
	if (set->n == room(set->max)) {
		id->ops->free(id);
		return rp_fail(err, RP_USAGE, "too many identities");
	}
	set->id[set->n++] = id;
	return 1;
}

void
identity_set_free(struct identity_set *set)
{
	while (set->n > 0) {
		set->n--;
		set->id[set->n]->ops->free(set->id[set->n]);
		set->id[set->n] = NULL;
	}
}

size_t
identity_set_count(const struct identity_set *set, const char *kind)
{
	size_t i, n = 0;

	for (i = 0; i < set->n; i++)
		n += strcmp(set->id[i]->ops->kind, kind) == 0;
	return n;
}

size_t
recipient_set_count(const struct recipient_set *set, const char *kind)
{
	size_t i, n = 0;

	for (i = 0; i < set->n; i++)
		n += strcmp(set->r[i]->ops->kind, kind) == 0;
	return n;
}

/* The rank of a failure in the best-failure rule; -1 ends the search. */
static int
rank(int code)
{
	switch (code) {
	case RP_NOKEY:
		return 0;
	case RP_DECRYPT:
		return 1;
	case RP_PASSPHRASE:
		return 2;
	case RP_AUTH:
		return 3;
	default:
		return -1;
	}
}

/* Keep failure r (with its reason in *got) if it tells at least as much
 * as the one kept so far. */
static void
keep(struct rp_error *best, int r, const struct rp_error *got)
{
	if (rank(r) >= rank(best->code)) {
		*best = *got;
		best->code = r;
	}
}

int
identity_find_file_key(const struct identity_set *ids,
    const struct stanza *stanzas, size_t nstanzas, unsigned char *file_key,
    size_t len, int (*check)(void *ctx, const unsigned char *file_key,
    struct rp_error *err), void *ctx, struct rp_error *err)
{
	struct rp_error best, got;
	const struct identity *id;
	size_t i, j;
	int r;

	rp_fail(&best, RP_NOKEY, "no stanza for these keys");
	for (i = 0; i < ids->n; i++) {
		id = ids->id[i];
		for (j = 0; j < nstanzas; j++) {
			rp_fail(&got, RP_NOKEY, "not for this key");
			r = id->ops->unwrap(id, &stanzas[j], file_key, len,
			    &got);
			if (r == 0 && (r = check(ctx, file_key, &got)) == 0)
				return 0;
			wipe(file_key, len);
			if (rank(r) < 0) {
				got.code = r;
				if (err != NULL)
					*err = got;
				return r;
			}
			keep(&best, r, &got);
		}
	}
	if (err != NULL)
		*err = best;
	return best.code;
}
