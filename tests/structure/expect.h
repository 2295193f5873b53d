/* The structure suite's check macro: counts failures, prints the first 20 with file and line;
   each test program returns failures ? 1 : 0. */
#pragma once
#include <stdio.h>

static int failures = 0;

#define EXPECT(cond, ...) \
  do { \
    if (!(cond)) { \
      if (++failures <= 20) { \
        fprintf(stderr, "%s:%d: FAILED %s: ", __FILE__, __LINE__, #cond); \
        fprintf(stderr, __VA_ARGS__); \
        fprintf(stderr, "\n"); \
      } \
    } \
  } while (0)
