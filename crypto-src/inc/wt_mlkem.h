/*
 * wt_mlkem.h: ML-KEM-768 (FIPS 203), the post-quantum half of the TLS
 * hybrid group X25519MLKEM768 (codepoint 0x11EC): the client sends ek,
 * the server answers with a ciphertext, both get a 32-byte shared secret.
 *
 * Keys and ciphertexts are the FIPS 203 byte strings: ek 1184 bytes, dk
 * 2400 bytes (the "expanded" form dk_PKE || ek || H(ek) || z), ciphertext
 * 1088 bytes. A key pair can also be regenerated from its 64-byte seed
 * d || z. Everything that touches secret data is constant-time; nothing
 * allocates (decapsulation, the deepest, uses about 17 KiB of stack).
 */
#ifndef WT_MLKEM_H
#define WT_MLKEM_H

#include <stddef.h>
#include <stdint.h>

#define WT_MLKEM768_EK_LEN 1184
#define WT_MLKEM768_DK_LEN 2400
#define WT_MLKEM768_CT_LEN 1088
#define WT_MLKEM_SEED_LEN 64 /* d || z */
#define WT_MLKEM_MSG_LEN 32  /* the encapsulated random m */
#define WT_MLKEM_SS_LEN 32

/* ML-KEM.KeyGen_internal(d, z) (FIPS 203 Algorithm 16) with
 * seed = d || z. */
void wt_mlkem768_keygen_seed(uint8_t ek[1184], uint8_t dk[2400], const uint8_t seed[64]);
/* ML-KEM.KeyGen (Algorithm 19): d and z from wt_random. */
void wt_mlkem768_keygen(uint8_t ek[1184], uint8_t dk[2400]);

/* Encapsulation key check (FIPS 203 7.2, modulus check): 0 when every
 * 12-bit value of ek's vector t is < q, else -1. (The length check is the
 * caller's: the array has a fixed size here.) Public input, so not
 * constant-time. */
int wt_mlkem768_check_ek(const uint8_t ek[1184]);
/* Decapsulation key check (FIPS 203 7.3, hash check):
 * 0 when H(dk[1152:2336]) = dk[2336:2368], else -1. */
int wt_mlkem768_check_dk(const uint8_t dk[2400]);

/* ML-KEM.Encaps (Algorithm 20): checks ek (7.2), draws m from wt_random,
 * writes ct and the shared secret ss. Returns 0, or -1 when ek fails the
 * check (ct and ss are then zeroed). */
int wt_mlkem768_encaps(uint8_t ct[1088], uint8_t ss[32], const uint8_t ek[1184]);
/* The same with m given (ML-KEM.Encaps_internal, Algorithm 17, after the
 * ek check): deterministic, for known-answer tests. m must be fresh
 * randomness for any real use. */
int wt_mlkem768_encaps_m(uint8_t ct[1088], uint8_t ss[32], const uint8_t ek[1184],
			 const uint8_t m[32]);

/* ML-KEM.Decaps (Algorithm 21) after the dk hash check (7.3). Returns 0
 * with the shared secret in ss, or -1 (ss zeroed) when dk fails the
 * check. A ciphertext that does not re-encrypt to itself is not an error:
 * ss is then the implicit-rejection key J(z || ct), chosen in constant
 * time. */
int wt_mlkem768_decaps(uint8_t ss[32], const uint8_t dk[2400], const uint8_t ct[1088]);
/* ML-KEM.Decaps_internal (Algorithm 18) without the check, for a dk this
 * process made itself with wt_mlkem768_keygen*, e.g. the TLS client's
 * ephemeral key. */
void wt_mlkem768_decaps_internal(uint8_t ss[32], const uint8_t dk[2400],
				 const uint8_t ct[1088]);

#endif
