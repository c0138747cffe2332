/*
 * mg_file.c - a file replaced whole: PATH.tmp, then rename (see mg_file.h)
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_file.h"

/* dir_missing - the directory part of path does not exist (or is not a
 * directory); its name in dir */
static int
dir_missing(const char *path, char *dir, size_t dirsz)
{
	const char *slash = strrchr(path, '/');
	struct stat st;
	size_t n;

	if (slash == NULL) {
		snprintf(dir, dirsz, ".");
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= dirsz)
			return 0;
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	return stat(dir, &st) < 0 || !S_ISDIR(st.st_mode);
}

int
mg_file_out_open(struct mg_file_out *f, const char *what, const char *path,
		 unsigned mode, struct mg_error *err)
{
	char dir[MG_FILE_PATH_MAX];
	int fd, n;

	memset(f, 0, sizeof(*f));
	snprintf(f->what, sizeof(f->what), "%s", what);
	n = snprintf(f->path, sizeof(f->path), "%s", path);
	if (n <= 0 || (size_t)n >= sizeof(f->path))
		return mg_error_set(err, MG_ERR_LIMIT, "%s: %s", f->what,
				    n <= 0 ? "empty path" : "path too long");
	snprintf(f->tmp, sizeof(f->tmp), "%s.tmp", path);
	fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  (mode_t)mode);
	if (fd < 0) {
		if ((errno == ENOENT || errno == ENOTDIR) &&
		    dir_missing(path, dir, sizeof(dir)))
			return mg_error_set(err, MG_ERR_SYS,
			    "%s: cannot write %.300s: directory %.300s does not exist",
			    f->what, path, dir);
		return mg_error_sys(err, "%s: cannot write %.300s", f->what, f->tmp);
	}
	/* the umask does not decide who may read it (node_exporter must) */
	if (fchmod(fd, (mode_t)mode) < 0 || (f->fp = fdopen(fd, "w")) == NULL) {
		mg_error_sys(err, "%s: %.300s", f->what, f->tmp);
		close(fd);
		(void)unlink(f->tmp);
		return -1;
	}
	return 0;
}

int
mg_file_out_commit(struct mg_file_out *f, struct mg_error *err)
{
	int bad;

	if (f->fp == NULL)
		return mg_error_set(err, MG_ERR_INTERNAL, "%s: not open", f->what);
	bad = ferror(f->fp) != 0;
	bad |= fflush(f->fp) != 0;
	bad |= fclose(f->fp) != 0;
	f->fp = NULL;
	if (bad || rename(f->tmp, f->path) < 0) {
		mg_error_sys(err, "%s: %s %.300s", f->what, bad ? "write" : "rename",
			     f->tmp);
		(void)unlink(f->tmp);
		return -1;
	}
	return 0;
}

void
mg_file_out_abort(struct mg_file_out *f)
{
	if (f->fp == NULL)
		return;
	fclose(f->fp);
	f->fp = NULL;
	(void)unlink(f->tmp);
}
