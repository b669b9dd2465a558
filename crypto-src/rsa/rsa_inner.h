/* rsa_inner.h: helpers shared by crypto-src/rsa/ files only. */
#ifndef WT_RSA_INNER_H
#define WT_RSA_INNER_H

#include "inner.h"
#include "int/wt_i32.h"

/* The signing functions' result: len when the private operation returned
 * 0, else its error code, chosen under a mask: whether the fault check
 * passed is derived from secrets until the caller looks at it. */
static inline int wt_rsa_select_result(int r, uint32_t len)
{
	uint32_t ok = wt_i32_opaque(-WT_EQ((uint32_t)r, 0));
	return (int)((len & ok) | ((uint32_t)r & ~ok));
}

#endif
