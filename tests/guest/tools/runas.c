// SPDX-License-Identifier: GPL-2.0
/*
 * runas: run a command as another user, for the tests of non-root use
 * (busybox has no setpriv, and su needs a password database).
 *
 *   runas UID GID[,GID...] CMD [ARG...]
 *
 * The first GID is the primary group, all of them the supplementary
 * groups; the user has no capabilities. Exit 127 if CMD cannot be run,
 * 126 if the identity cannot be taken.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	gid_t gids[16];
	char *list, *tok;
	size_t n = 0;
	uid_t uid;

	if (argc < 4) {
		fprintf(stderr, "usage: runas UID GID[,GID...] CMD [ARG...]\n");
		return 2;
	}
	uid = strtoul(argv[1], NULL, 10);
	list = strdup(argv[2]);
	for (tok = strtok(list, ","); tok && n < 16; tok = strtok(NULL, ","))
		gids[n++] = strtoul(tok, NULL, 10);
	if (!n || setgroups(n, gids) || setgid(gids[0]) || setuid(uid)) {
		perror("runas");
		return 126;
	}
	if (!getuid() || !geteuid()) {
		fprintf(stderr, "runas: still root\n");
		return 126;
	}
	execvp(argv[3], argv + 3);
	perror(argv[3]);
	return 127;
}
