/* What testguest.c calls in the other files of the test guest. */
#ifndef TESTGUEST_H
#define TESTGUEST_H

/* Breaks the Xen rules on purpose, scenario after scenario (misbehave.c); 0 if all ran. */
int testguest_misbehave(void);

#endif
