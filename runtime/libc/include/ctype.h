/* Freestanding <ctype.h> (the C locale only). */
#ifndef UK_LIBC_CTYPE_H
#define UK_LIBC_CTYPE_H

int isalnum(int c);
int isalpha(int c);
int isdigit(int c);
int isxdigit(int c);
int isspace(int c);
int isprint(int c);
int isupper(int c);
int islower(int c);
int toupper(int c);
int tolower(int c);

#endif
