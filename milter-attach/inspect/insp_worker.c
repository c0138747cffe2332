/*
 * insp_worker.c - the inspector process's sandbox and request loop (see
 * insp_worker.h)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>

#include "anomaly.h"
#include "insp_list.h"
#include "insp_proto.h"
#include "insp_worker.h"

void
insp_sandbox_default(struct insp_sandbox *sb)
{
	sb->memory = 256ULL << 20;
	sb->file_bytes = 100ULL << 20;
	sb->max_files = 32;
	sb->seccomp = 1;
}

static int
limit(int res, unsigned long long v, const char *what, struct mg_error *err)
{
	struct rlimit rl = { (rlim_t)v, (rlim_t)v };

	if (setrlimit(res, &rl) == 0)
		return 0;
	mg_error_set(err, MG_ERR_SYS, "setrlimit %s: %s", what, strerror(errno));
	return -1;
}

/* what libarchive, the listers and this loop call, nothing more: reading
 * by offset, memory, memfds for nested containers, the socket */
static const int allowed[] = {
	SCMP_SYS(read), SCMP_SYS(pread64), SCMP_SYS(write), SCMP_SYS(pwrite64),
	SCMP_SYS(lseek), SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(statx),
	SCMP_SYS(close), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(brk), SCMP_SYS(madvise), SCMP_SYS(mprotect),
	SCMP_SYS(memfd_create), SCMP_SYS(ftruncate), SCMP_SYS(fcntl),
	SCMP_SYS(recvmsg), SCMP_SYS(sendmsg), SCMP_SYS(sendto), SCMP_SYS(recvfrom),
	SCMP_SYS(futex), SCMP_SYS(getrandom), SCMP_SYS(clock_gettime),
	SCMP_SYS(gettimeofday), SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
};

/* refused with EACCES rather than killed: what glibc may try on its own
 * (locale and conversion files) fails closed, the request goes on */
static const int refused[] = { SCMP_SYS(open), SCMP_SYS(openat) };

static int
load_seccomp(struct mg_error *err)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_KILL_PROCESS);
	size_t i;
	int rc = 0;

	if (f == NULL) {
		mg_error_set(err, MG_ERR_SYS, "seccomp_init failed");
		return -1;
	}
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]) && rc == 0; i++)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, allowed[i], 0);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]) && rc == 0; i++)
		rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EACCES), refused[i], 0);
	if (rc == 0)
		rc = seccomp_load(f);
	seccomp_release(f);
	if (rc != 0) {
		mg_error_set(err, MG_ERR_SYS, "seccomp: %s", strerror(-rc));
		return -1;
	}
	return 0;
}

/* warm_up - load now what glibc would open later: the UTF-8 locale
 * insp_list() switches to, and the time zone */
static void
warm_up(void)
{
	locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);

	if (l != (locale_t)0)
		freelocale(l);
	setlocale(LC_CTYPE, "C.UTF-8");
	tzset();
}

int
insp_worker_sandbox(const struct insp_sandbox *sb, struct mg_error *err)
{
	warm_up();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		mg_error_set(err, MG_ERR_SYS, "no_new_privs: %s", strerror(errno));
		return -1;
	}
	if (limit(RLIMIT_CORE, 0, "core", err) != 0 ||
#ifndef __SANITIZE_ADDRESS__   /* ASan's shadow memory is terabytes */
	    limit(RLIMIT_AS, sb->memory, "as", err) != 0 ||
#endif
	    limit(RLIMIT_FSIZE, sb->file_bytes, "fsize", err) != 0 ||
	    limit(RLIMIT_NOFILE, sb->max_files, "nofile", err) != 0 ||
	    limit(RLIMIT_NPROC, 0, "nproc", err) != 0)
		return -1;
	return sb->seccomp ? load_seccomp(err) : 0;
}

/* recv_request - one request and its descriptor; 1, 0 at the end, -1
 * for what is not a request */
static int
recv_request(int sock, struct insp_request *q, int *fd)
{
	unsigned char buf[INSP_MSG_MAX];
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} c;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh;
	struct cmsghdr *ch;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = c.space;
	mh.msg_controllen = sizeof(c.space);
	*fd = -1;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	ch = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	if (ch != NULL && ch->cmsg_level == SOL_SOCKET && ch->cmsg_type == SCM_RIGHTS &&
	    ch->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(ch), sizeof(int));
	if (n < 0 || *fd < 0 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    insp_request_decode(buf, (size_t)n, q) != 0) {
		if (*fd >= 0)
			close(*fd);
		return -1;
	}
	return 1;
}

struct reply_ctx {
	int sock;
	int broken;                   /* a send failed: the milter is gone */
};

static void
send_reply(struct reply_ctx *r, const struct insp_reply *a)
{
	unsigned char buf[INSP_MSG_MAX];
	size_t n = insp_reply_encode(a, buf, sizeof(buf));
	ssize_t w;

	if (r->broken || n == 0)
		return;
	do
		w = send(r->sock, buf, n, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)n)
		r->broken = 1;
}

/* member - one member found: a MEMBER reply (a long name keeps its end) */
static void
member(void *ctx, const struct insp_member *m)
{
	static struct insp_reply a;
	size_t len = strlen(m->name);

	memset(&a, 0, sizeof(a));
	a.kind = INSP_REPLY_MEMBER;
	if (len >= sizeof(a.name))
		memcpy(a.name, m->name + len - sizeof(a.name), sizeof(a.name));
	else
		memcpy(a.name, m->name, len + 1);
	snprintf(a.format, sizeof(a.format), "%s", m->format ? m->format : "");
	a.size = m->size;
	a.encrypted = m->encrypted;
	a.depth = m->depth;
	send_reply(ctx, &a);
}

int
insp_worker_serve(int sock)
{
	static struct insp_request q;
	struct insp_reply end;
	struct insp_limits lim;
	int fd, rc;

	while ((rc = recv_request(sock, &q, &fd)) == 1) {
		struct reply_ctx r = { sock, 0 };

		insp_limits_default(&lim);
		lim.max_depth = q.max_depth;
		lim.max_entries = q.max_entries;
		lim.max_bytes = q.max_bytes;
		memset(&end, 0, sizeof(end));
		end.kind = INSP_REPLY_END;
		end.anomalies = insp_list(fd, q.size, q.name, &lim, member, &r);
		close(fd);
		send_reply(&r, &end);
		if (r.broken)
			return -1;
	}
	return rc;
}
