/*
 * NAME
 *	logsink - a syslog socket for tests
 * SYNOPSIS
 *	logsink socket_path output_file count
 * DESCRIPTION
 *	Binds a UNIX datagram socket at socket_path (where syslog(3)
 *	sends), then appends each message received, one a line, to
 *	output_file, until count messages came or 10 seconds passed with
 *	none. Prints "ready" on stdout once bound.
 */

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_un sun;
	struct timeval tv = {10, 0};
	char buf[2048];
	ssize_t n;
	FILE *out;
	int fd, count, i;

	if (argc != 4 || strlen(argv[1]) >= sizeof(sun.sun_path))
		return (2);
	count = atoi(argv[3]);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, argv[1]);
	unlink(argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) < 0
	    || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0
	    || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		perror(argv[1]);
		return (1);
	}
	if ((out = fopen(argv[2], "a")) == NULL)
		return (1);
	printf("ready\n");
	fflush(stdout);
	for (i = 0; i < count; i++) {
		if ((n = recv(fd, buf, sizeof(buf) - 1, 0)) <= 0)
			break;
		buf[n] = 0;
		fprintf(out, "%s\n", buf);
		fflush(out);
	}
	fclose(out);
	return (i == count ? 0 : 1);
}
