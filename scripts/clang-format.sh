#!/usr/bin/env bash
# The project's C through clang-format (.clang-format at the root).
#   scripts/clang-format.sh --check   fail (exit 1) on any file not formatted
#   scripts/clang-format.sh --write   rewrite them in place
# Every .c/.h of crypto-src/, wasm/ and test/native/ except
# crypto-src/ec/ec_tables.h, which ec_tables_gen.py writes (precomputed
# points, laid out by the generator).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || {
  echo "clang-format missing: run build.sh as root, or apt-get install clang-format" >&2
  exit 1
}
mapfile -t files < <(find crypto-src wasm test/native -name '*.[ch]' ! -path crypto-src/ec/ec_tables.h | sort)
case "${1:-}" in
  --check) clang-format --style=file --dry-run -Werror "${files[@]}" ;;
  --write) clang-format --style=file -i "${files[@]}" ;;
  *) echo "usage: $0 --check | --write" >&2; exit 2 ;;
esac
