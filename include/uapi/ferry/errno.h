/*
 * Ferry's one error vocabulary. Native and Linux-ABI syscalls return a
 * negative value from this list on failure. The numbers are Linux's, so a
 * musl program sees the errno it expects; Ferry adds three of its own above
 * Linux's range. When a libc's <errno.h> came first, its identical
 * definitions are kept.
 */
#ifndef FERRY_UAPI_ERRNO_H
#define FERRY_UAPI_ERRNO_H

#ifndef EPERM
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define ERANGE 34
#define EDEADLK 35
#define ENAMETOOLONG 36
#define ENOSYS 38
#define ENOTEMPTY 39
#define EIDRM 43
#define EOPNOTSUPP 95
#define ETIMEDOUT 110
#define ECONNREFUSED 111
#endif

/* Ferry's own. */
#define ECAPBILITY 200 /* bad capability: empty, wrong type or rights */
#define EIPCRETRY 201  /* connection or handler busy: try again */
#define EDEADSRV 202   /* the connection's server has died */

#endif
