#include "inner.h"

/* see inner.h */
static void *(*const volatile wt_memset_v)(void *, int, size_t) = memset;

void wt_wipe(void *p, size_t len)
{
	wt_memset_v(p, 0, len);
}
