/*
 * memlimit.c: a user-set ceiling on the module's linear memory.
 *
 * The module is linked with the wasm32 maximum (-sMAXIMUM_MEMORY=4GB in
 * build.sh: 65,536 pages of 64 KiB). A host that wants less (a Worker
 * sharing its isolate, a server that must refuse connections before the
 * process runs out) sets a limit here; it is enforced where memory grows:
 * emmalloc takes every new region with sbrk() (emmalloc.c,
 * claim_more_memory), and sbrk() grows linear memory through
 * emscripten_resize_heap() when the break passes its end (sbrk.c). The
 * link wraps sbrk (-Wl,--wrap=sbrk), so a growth past the limit fails as
 * sbrk fails when memory.grow does: malloc returns NULL, which the engine
 * and the TypeScript side report as out of memory. Nothing already
 * allocated moves or shrinks.
 */
#include <stdint.h>

#include "exports.h"

void *__real_sbrk(intptr_t increment);

/* Bytes; 0 is no limit beyond the module's own maximum. A multiple of the
 * page size, so the memory (grown in whole pages) never exceeds it. */
static uintptr_t limit;

void *__wrap_sbrk(intptr_t increment);
void *__wrap_sbrk(intptr_t increment)
{
	if (limit != 0 && increment > 0) {
		uintptr_t brk = (uintptr_t)__real_sbrk(0);
		/* sbrk rounds the increment up to 4 bytes; so does this. */
		uintptr_t inc = ((uintptr_t)increment + 3) & ~(uintptr_t)3;
		if (inc > limit || brk > limit - inc)
			return (void *)-1;
	}
	return __real_sbrk(increment);
}

/* Set the ceiling to `bytes` rounded down to a 64 KiB page (0: none).
 * Returns 0, or -1 when the memory is already larger (it cannot shrink:
 * the caller must pick a limit at least the current size). */
WT_EXPORT int wt_x_set_memory_limit(uint32_t bytes)
{
	uintptr_t l = (uintptr_t)bytes & ~(uintptr_t)0xffff;
	/* 64-bit: 65,536 pages times 65,536 overflows 32 bits. */
	if (bytes != 0 && (uint64_t)l < (uint64_t)__builtin_wasm_memory_size(0) * 65536u)
		return -1;
	limit = bytes == 0 ? 0 : l;
	return 0;
}

/* The ceiling in bytes (0: the module's maximum, 4 GiB). */
WT_EXPORT uint32_t wt_x_memory_limit(void)
{
	return (uint32_t)limit;
}
