/* SPDX-License-Identifier: ISC */
/* age_worker.c: see age_worker.h. */
#include <errno.h>
#include <string.h>

#include "age/age_worker.h"
#include "core/error.h"

static void
sem_wait_all(sem_t *s)
{
	while (sem_wait(s) != 0)
		if (errno != EINTR)
			rp_fatal("semaphore: %s", strerror(errno));
}

static void *
worker_run(void *arg)
{
	struct age_worker *w = arg;

	for (;;) {
		sem_wait_all(&w->go);
		if (w->job == NULL)
			return NULL;
		w->job(w->arg);
		sem_post(&w->done);
	}
}

void
age_worker_start(struct age_worker *w)
{
	memset(w, 0, sizeof(*w));
	if (sem_init(&w->go, 0, 0) != 0 || sem_init(&w->done, 0, 0) != 0)
		rp_fatal("semaphore: %s", strerror(errno));
	w->running = pthread_create(&w->thread, NULL, worker_run, w) == 0;
}

void
age_worker_post(struct age_worker *w, void (*job)(void *), void *arg)
{
	if (w->posted || job == NULL)
		rp_fatal("age worker: job posted twice");
	w->job = job;
	w->arg = arg;
	w->posted = 1;
	if (w->running)
		sem_post(&w->go);
}

void
age_worker_wait(struct age_worker *w)
{
	if (!w->posted)
		return;
	if (w->running)
		sem_wait_all(&w->done);
	else
		w->job(w->arg);
	w->posted = 0;
}

void
age_worker_stop(struct age_worker *w)
{
	age_worker_wait(w);
	if (w->running) {
		w->job = NULL;
		sem_post(&w->go);
		pthread_join(w->thread, NULL);
		w->running = 0;
	}
	sem_destroy(&w->go);
	sem_destroy(&w->done);
}
