#!/bin/bash
# AES-GCM profile (issue #16): AES-CTR alone, GHASH alone and the whole
# seal per 16 KiB record, the same C (bench/gcm-profile.c) in wasm (emcc
# -O3 as build.sh compiles it, run in Node with TurboFan from the start)
# and natively (clang-16 -O2 as build.sh's native variant). Needs emcc and
# clang-16 (bash build.sh installs both).
#   bash bench/gcm-profile.sh [key length in bytes: 16, 24 or 32]
# Extra wasm builds to set beside these: label=file.wasm arguments after
# the key length (built from another tree with the same emcc line).
set -euo pipefail
cd "$(dirname "$0")/.."
KL=${1:-16}
shift || true
d=build/gcm-profile
mkdir -p $d
SRC="bench/gcm-profile.c crypto-src/aead/aes_ct64.c crypto-src/aead/aes_ctv128.c \
  crypto-src/aead/ghash_ctmul64.c crypto-src/aead/gcm.c crypto-src/util.c"
INC="-Icrypto-src -Icrypto-src/inc"
WASM="-O3 -DNDEBUG -sSTANDALONE_WASM --no-entry -sEXPORTED_FUNCTIONS=_prof_init,_prof_run"
# shellcheck disable=SC2086
emcc $WASM -msimd128 $INC $SRC -o $d/simd.wasm
# shellcheck disable=SC2086
emcc $WASM $INC $SRC -o $d/scalar.wasm
# shellcheck disable=SC2086
clang-16 -O2 -D_DEFAULT_SOURCE $INC $SRC -o $d/native
# --no-liftoff: the timed calls run optimized code from the first (a long
# enough bench tiers up anyway; a short one would time the baseline tier).
node --no-liftoff bench/gcm-profile-run.mjs "$KL" "wasm-simd=$d/simd.wasm" "wasm-scalar=$d/scalar.wasm" "$@"
# Natively: the vector AES (SSE2 here) and the 64-bit bitslice (impl 1).
$d/native "$KL" "native clang-16 -O2 v128" 2
$d/native "$KL" "native clang-16 -O2 ct64" 1
