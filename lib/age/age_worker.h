/* SPDX-License-Identifier: ISC */
/*
 * age_worker.h: the second core of the payload drivers (age_encrypt.c,
 * age_decrypt.c): one thread that runs a job at a time while the main
 * thread reads, writes and does its own share.  The job's data are the
 * caller's; post and wait are the only synchronisation (a semaphore
 * each way, so everything the job wrote is seen after the wait).
 *
 * Without a thread (pthread_create failed) the same calls still work:
 * age_worker_wait() runs the posted job on the caller, so a driver has
 * one code path and only loses the speed.  A fault of the semaphores is
 * rp_fatal().
 */
#ifndef RSAPIPE_AGE_WORKER_H
#define RSAPIPE_AGE_WORKER_H

#include <pthread.h>
#include <semaphore.h>

struct age_worker {
	pthread_t thread;
	sem_t go, done;
	void (*job)(void *);   /* NULL: the thread ends */
	void *arg;
	int running;           /* a thread exists */
	int posted;            /* a job is posted and not yet waited for */
};

void age_worker_start(struct age_worker *w);
/* Hand job(arg) to the worker; age_worker_wait() before the next post
 * and before touching what the job touches. */
void age_worker_post(struct age_worker *w, void (*job)(void *), void *arg);
/* The posted job is done (run here, if there is no thread); nothing
 * posted: returns at once. */
void age_worker_wait(struct age_worker *w);
/* Wait for a posted job, end the thread, free the semaphores. */
void age_worker_stop(struct age_worker *w);

#endif
