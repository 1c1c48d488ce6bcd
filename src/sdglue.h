/*	sdglue.h - systemd's socket activation and readiness, if present */
#ifndef GREYSPF_SDGLUE_H
#define GREYSPF_SDGLUE_H

int	sdglue_listen_fds(void);
void	sdglue_notify(const char *);

#endif
