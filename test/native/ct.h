/*
 * ct.h: the ctgrind technique. Secrets are marked undefined for Valgrind
 * memcheck; any branch or memory index that depends on them is then
 * reported ("Conditional jump or move depends on uninitialised value(s)",
 * "Use of uninitialised value of size 8"). Results that are public by
 * design are declassified with CT_PUBLIC before they are looked at.
 */
#ifndef WT_CT_H
#define WT_CT_H

#include <valgrind/memcheck.h>

#define CT_SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define CT_PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

#endif
