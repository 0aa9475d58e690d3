/*
 * libmalloccount.so: LD_PRELOAD'ed into a server to count its heap
 * allocations. The count lives in the exported `malloccount_total`; grpcload
 * (-A) reads it straight from /proc/PID/mem at the start and the end of its
 * measured window, so nothing in the server has to cooperate and nothing but
 * one atomic add per allocation is added to it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

__attribute__((visibility("default"))) volatile uint64_t malloccount_total;

static inline void count(void) { __atomic_fetch_add(&malloccount_total, 1, __ATOMIC_RELAXED); }

void *malloc(size_t size) { count(); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { count(); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { count(); return __libc_realloc(p, size); }
void *memalign(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }

int posix_memalign(void **out, size_t alignment, size_t size) {
  count();
  void *p = __libc_memalign(alignment, size);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
