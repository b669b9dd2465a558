/* exports.h: shared by the thin wrappers in wasm/exports*.c. */
#ifndef WT_EXPORTS_H
#define WT_EXPORTS_H

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#define WT_EXPORT EMSCRIPTEN_KEEPALIVE
#else
#define WT_EXPORT
#endif

#endif
