#!/usr/bin/env bash
# ChaCha20 alone, Poly1305 alone, seal and open on 16 KiB and 1 KiB, the
# same C in wasm (Node, SIMD build flags of build.sh) and natively
# (clang-16 -O2, SSE2 vectors), then OpenSSL's own figure. Issue #16's
# profile of the ChaCha20-Poly1305 rows.
#   bash bench/chapol-kernels.sh [other-checkout ...]
# Each further checkout (say /work/main) is built the same way and its
# wasm runs interleaved beside this one's, for a before/after in one run.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/chapol-kernels
mkdir -p "$out"
build() { # root name
  local inc="-I$1/crypto-src -I$1/crypto-src/inc -I$1/crypto-src/aead"
  local src="$1/crypto-src/aead/chacha20_simd.c $1/crypto-src/aead/poly1305_ct.c $1/crypto-src/aead/chapol.c"
  # shellcheck disable=SC2086
  emcc -O3 -msimd128 -DNDEBUG -std=c11 --no-entry -sSTANDALONE_WASM -sEXPORTED_FUNCTIONS=_run \
    $inc $src "$1/crypto-src/util.c" bench/chapol-kernels.c -o "$out/$2.wasm"
  # shellcheck disable=SC2086
  clang-16 -O2 -msse2 -DNATIVE_MAIN -std=c11 -D_DEFAULT_SOURCE $inc $src "$1/crypto-src/util.c" bench/chapol-kernels.c \
    -o "$out/$2-native"
}
build . this
wasms=("$out/this.wasm")
i=0
for other in "$@"; do
  i=$((i + 1))
  build "$other" "other$i"
  wasms+=("$out/other$i.wasm")
done
echo "== native, clang-16 -O2 (SSE2), this checkout"
"$out/this-native"
echo "== wasm SIMD in Node $(node --version)"
node bench/chapol-kernels.mjs "${wasms[@]}"
echo "== openssl speed, 16 KiB (native, its own AVX2/AVX-512 assembly; Poly1305 = 1/(1/aead - 1/chacha20))"
openssl speed -evp chacha20 -seconds 1 -bytes 16384 2>/dev/null | tail -1
openssl speed -evp chacha20-poly1305 -seconds 1 -bytes 16384 2>/dev/null | tail -1
