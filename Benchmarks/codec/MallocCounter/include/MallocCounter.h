// Counts heap allocations of this process: the benchmark executable defines
// malloc and friends, which the dynamic linker then binds for every library
// too (Swift runtime, Foundation, libprotobuf-c), forwarding to glibc's
// __libc_* entry points.
#ifndef MALLOC_COUNTER_H
#define MALLOC_COUNTER_H
#include <stdint.h>

/// Allocations (malloc, calloc, realloc, memalign, posix_memalign, aligned_alloc) so far.
uint64_t malloc_counter_allocations(void);

#endif
