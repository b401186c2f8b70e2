/* Freestanding <stdint.h>: the runtime's only view of fixed-width types. */
#ifndef UK_LIBC_STDINT_H
#define UK_LIBC_STDINT_H

typedef __INT8_TYPE__ int8_t;
typedef __INT16_TYPE__ int16_t;
typedef __INT32_TYPE__ int32_t;
typedef __INT64_TYPE__ int64_t;
typedef __UINT8_TYPE__ uint8_t;
typedef __UINT16_TYPE__ uint16_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __UINT64_TYPE__ uint64_t;
typedef __INTPTR_TYPE__ intptr_t;
typedef __UINTPTR_TYPE__ uintptr_t;
typedef __INTMAX_TYPE__ intmax_t;
typedef __UINTMAX_TYPE__ uintmax_t;

#define INT8_MIN (-__INT8_MAX__ - 1)
#define INT16_MIN (-__INT16_MAX__ - 1)
#define INT32_MIN (-__INT32_MAX__ - 1)
#define INT64_MIN (-__INT64_MAX__ - 1)
#define INT8_MAX __INT8_MAX__
#define INT16_MAX __INT16_MAX__
#define INT32_MAX __INT32_MAX__
#define INT64_MAX __INT64_MAX__
#define UINT8_MAX __UINT8_MAX__
#define UINT16_MAX __UINT16_MAX__
#define UINT32_MAX __UINT32_MAX__
#define UINT64_MAX __UINT64_MAX__
#define INTPTR_MAX __INTPTR_MAX__
#define UINTPTR_MAX __UINTPTR_MAX__
#define SIZE_MAX __SIZE_MAX__
#define INTMAX_MAX __INTMAX_MAX__
#define UINTMAX_MAX __UINTMAX_MAX__

/* GCC predefines __INT8_C(c)...; clang predefines the suffixes instead. */
#ifdef __UINT64_C_SUFFIX__
#define UK_INT_C_(c, suffix) c##suffix
#define UK_INT_C(c, suffix) UK_INT_C_(c, suffix)
#define INT8_C(c) UK_INT_C(c, __INT8_C_SUFFIX__)
#define INT16_C(c) UK_INT_C(c, __INT16_C_SUFFIX__)
#define INT32_C(c) UK_INT_C(c, __INT32_C_SUFFIX__)
#define INT64_C(c) UK_INT_C(c, __INT64_C_SUFFIX__)
#define UINT8_C(c) UK_INT_C(c, __UINT8_C_SUFFIX__)
#define UINT16_C(c) UK_INT_C(c, __UINT16_C_SUFFIX__)
#define UINT32_C(c) UK_INT_C(c, __UINT32_C_SUFFIX__)
#define UINT64_C(c) UK_INT_C(c, __UINT64_C_SUFFIX__)
#else
#define INT8_C(c) __INT8_C(c)
#define INT16_C(c) __INT16_C(c)
#define INT32_C(c) __INT32_C(c)
#define INT64_C(c) __INT64_C(c)
#define UINT8_C(c) __UINT8_C(c)
#define UINT16_C(c) __UINT16_C(c)
#define UINT32_C(c) __UINT32_C(c)
#define UINT64_C(c) __UINT64_C(c)
#endif

#endif
