/*	fault.h - a memory fault inside the database costs an answer */
#ifndef GREYSPF_FAULT_H
#define GREYSPF_FAULT_H

void	fault_init(void (*)(int));
void	fault_arm(void);
void	fault_disarm(void);

#endif
