#!/usr/bin/env bash
# build.sh: the one entry point that installs what is missing and builds
# everything:
#   dist/wasmtls.wasm         crypto-src/ + wasm/ with emcc -O3 -msimd128 -mbulk-memory
#                             (memcpy/memset as memory.copy/memory.fill)
#   dist/wasmtls-scalar.wasm  the same sources without SIMD
#   build/native{,-asan,-ct}/ the same C natively with clang-16, and the
#                             C test binaries from test/native/
#   dist/*.js, dist/types/    ts/ bundled by esbuild, declarations by tsc
#   dist/demo-browser{.js,/}  the browser demo: server and page
# and prints the sizes. Run as root on Debian to install missing packages.
set -euo pipefail
cd "$(dirname "$0")"

# ---- 1. tools ---------------------------------------------------------
# command -> Debian package
declare -A PKG=([emcc]=emscripten [clang-16]=clang-16 [ld.lld-16]=lld-16
  [openssl]=openssl [gnutls-serv]=gnutls-bin [valgrind]=valgrind
  [chromium]=chromium [clang-format]=clang-format)
missing=()
for cmd in "${!PKG[@]}"; do
  command -v "$cmd" >/dev/null || missing+=("${PKG[$cmd]}")
done
# PostgreSQL (test/postgres.test.ts starts a throwaway cluster): its
# initdb and postgres live in a versioned folder, not on PATH.
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "build.sh: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "build.sh: missing Debian packages: ${missing[*]}" >&2
    echo "          run as root to install them, or: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
# Optional: tshark (Wireshark) is the oracle of test/keylog-wireshark.test.ts,
# which reports a skip without it. Installed when we can; never fatal.
if ! command -v tshark >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "build.sh: installing tshark (optional)"
    { [ ${#missing[@]} -gt 0 ] || apt-get update -qq; } &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tshark >/dev/null ||
      echo "build.sh: tshark could not be installed; the Wireshark key log test will be skipped" >&2
  else
    echo "build.sh: tshark missing (optional: apt-get install tshark); the Wireshark key log test will be skipped" >&2
  fi
fi
# npm packages from the committed lock file; reinstalled when its content
# changes (content, not mtime: a fresh checkout is newer than everything).
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
# A symlinked node_modules is a shared install (a git worktree): leave it.
if [ ! -L node_modules ] && [ "$(cat node_modules/.wasmtls-lock 2>/dev/null)" != "$lock_sum" ]; then
  npm ci --no-audit --no-fund
  echo "$lock_sum" > node_modules/.wasmtls-lock
fi

mkdir -p dist build
CSRC=$(find crypto-src -name '*.c' | sort)
WSRC=$(find wasm -name '*.c' | sort)
INC="-Icrypto-src -Icrypto-src/inc -Iwasm"

# ---- 2. wasm ------------------------------------------------------------
# Standalone module, no emscripten JS glue; the only imports are the ones
# ts/core/loader.ts implements (test/imports.test.ts enforces the list).
# Memory may grow to the wasm32 maximum, 4 GiB (65,536 pages; emcc 3.1.6
# accepts it and Node, Deno, workerd and Chromium instantiate it); a host
# sets a lower ceiling at load time (LoadOptions.maxMemory), which
# wasm/memlimit.c enforces by wrapping emmalloc's sbrk (--wrap=sbrk).
EMFLAGS="-O3 --no-entry -sSTANDALONE_WASM -DNDEBUG -sMALLOC=emmalloc \
  -sTOTAL_STACK=256KB -sINITIAL_MEMORY=2MB -sALLOW_MEMORY_GROWTH \
  -sMAXIMUM_MEMORY=4GB -Wl,--wrap=sbrk --js-library wasm/imports.js \
  -sEXPORTED_FUNCTIONS=_malloc,_free -std=c11 -Wall -Wextra -Werror"
# Each source is compiled on its own (in parallel, again only when it or a
# header changed) and the objects linked: the per-record and crypto code
# with -O3, the handshake, X.509 and export glue - run once per connection,
# most of the module's code - with -Oz, which keeps the module within its
# size budget with TLS 1.2 in (3.5 KB of gzip measured) at no cost to bulk
# throughput (record.c, write.c, engine.c, pump.c stay -O3).
wasm_opt() { # src -> the -O flag
  case $1 in
    crypto-src/tls/record.c|crypto-src/tls/write.c|crypto-src/tls/engine.c|crypto-src/tls/pump.c) echo -O3 ;;
    crypto-src/tls/*|crypto-src/x509/*|wasm/*) echo -Oz ;;
    *) echo -O3 ;;
  esac
}
newest_wh=$(find crypto-src wasm -name '*.h' -printf '%T@\n' | sort -n | tail -1)
wasm_compile() { # simd-flag src obj
  if [ ! -f "$3" ] || [ "$2" -nt "$3" ] || \
     awk -v a="$newest_wh" -v b="$(stat -c %Y "$3")" 'BEGIN{exit !(a>b)}'; then
    # shellcheck disable=SC2086
    emcc $(wasm_opt "$2") -DNDEBUG -std=c11 -Wall -Wextra -Werror $1 $INC -c "$2" -o "$3"
  fi
}
export -f wasm_opt wasm_compile; export newest_wh INC
wasm_flags() { [ "$1" = simd ] && echo -msimd128 -mbulk-memory; true; }
for v in simd scalar; do
  # Objects are rebuilt when their source or a header changed; when the
  # flags of a variant change, all of its objects are (build/wasm-$v/.flags).
  if [ "$(cat build/wasm-$v/.flags 2>/dev/null)" != "$(wasm_flags $v)" ]; then
    rm -rf build/wasm-$v
  fi
  mkdir -p build/wasm-$v
  wasm_flags $v > build/wasm-$v/.flags
  for s in $CSRC $WSRC; do
    echo "$v|$(wasm_flags $v)|$s|build/wasm-$v/$(echo "$s" | tr / _).o"
  done
done | xargs -P "$(nproc)" -I{} bash -c 'IFS="|" read -r v f s o <<< "{}"; wasm_compile "$f" "$s" "$o"'
wasm_objs() { for s in $CSRC $WSRC; do echo "build/wasm-$1/$(echo "$s" | tr / _).o"; done; }
# shellcheck disable=SC2086,SC2046
emcc $EMFLAGS $(wasm_flags simd) $(wasm_objs simd) -o dist/wasmtls.wasm
# shellcheck disable=SC2086,SC2046
emcc $EMFLAGS $(wasm_objs scalar) -o dist/wasmtls-scalar.wasm
# The JSR layout (jsr.json) publishes the TypeScript sources, where
# ts/core/loader.ts looks for the builds beside itself
# (new URL('./wasmtls.wasm', import.meta.url)): copies, not committed.
cp dist/wasmtls.wasm dist/wasmtls-scalar.wasm ts/core/

# ---- 3. native ------------------------------------------------------------
# Three variants of one set of sources: plain (-O2), ASan+UBSan, and the
# constant-time variant run under Valgrind (-gdwarf-4: valgrind 3.19 cannot
# read DWARF 5). An object is rebuilt when its source or any header is newer.
CC=clang-16
CWARN="-std=c11 -Wall -Wextra -Werror -D_DEFAULT_SOURCE"
declare -A VARIANT=(
  [native]="-O2 -g"
  [native-asan]="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
  [native-ct]="-O2 -gdwarf-4"
)
newest_h=$(find crypto-src wasm test/native -name '*.h' -printf '%T@\n' | sort -n | tail -1)
compile() { # variant flags src obj
  local obj=$4
  if [ ! -f "$obj" ] || [ "$3" -nt "$obj" ] || \
     awk -v a="$newest_h" -v b="$(stat -c %Y "$obj")" 'BEGIN{exit !(a>b)}'; then
    # shellcheck disable=SC2086
    $CC $CWARN $2 $INC -c "$3" -o "$obj"
  fi
}
export -f compile; export CC CWARN INC newest_h
for v in "${!VARIANT[@]}"; do
  d=build/$v; mkdir -p "$d/obj"
  for s in $CSRC test/native/host_native.c; do
    echo "$v|${VARIANT[$v]}|$s|$d/obj/$(echo "$s" | tr / _).o"
  done
done | xargs -P "$(nproc)" -I{} bash -c 'IFS="|" read -r v f s o <<< "{}"; compile "$v" "$f" "$s" "$o"'
for v in "${!VARIANT[@]}"; do
  d=build/$v
  # Link the objects of today's sources only (a deleted source's stale
  # object would otherwise still be linked).
  objs=$(for s in $CSRC test/native/host_native.c; do echo "$d/obj/$(echo "$s" | tr / _).o"; done)
  # Tests: test_*.c everywhere; ct_*.c and ctleak_*.c only for Valgrind.
  case $v in native-ct) tests=$(ls test/native/ct_*.c test/native/ctleak_*.c 2>/dev/null || true) ;;
             *) tests=$(ls test/native/test_*.c 2>/dev/null || true) ;; esac
  for t in $tests; do
    # shellcheck disable=SC2086
    $CC $CWARN ${VARIANT[$v]} $INC "$t" $objs -o "$d/$(basename "$t" .c)" -lm
  done
done

# ---- 4. TypeScript -----------------------------------------------------------
# Every entry lands at the top of dist/ so new URL('./wasmtls.wasm',
# import.meta.url) resolves from any of them.
rm -rf dist/*.js dist/*.js.map dist/adapters dist/demo-browser
# shellcheck disable=SC2046
# The internal files of ts/core (no package.json "exports" entry) are
# bundled into the entries that use them, not given entries of their own.
# ts/http/fetch.ts (wasmtls/fetch) is split with them: it must share the
# loader's instance that init() sets; so is ts/dns/doh.ts (wasmtls/doh),
# whose lookups go through that fetch.
node_modules/.bin/esbuild ts/index.ts $(ls ts/core/*.ts | grep -v -e bytes.ts -e handle.ts -e codepoints.ts \
  -e configure.ts -e context.ts -e eof.ts -e network.ts -e options.ts -e pem.ts -e session.ts -e verdict.ts -e write-source.ts) ts/api/*.ts ts/http/fetch.ts \
  ts/http/websocket.ts ts/dns/doh.ts \
  --bundle --splitting --format=esm --target=es2022 --platform=neutral --external:'node:*' \
  --entry-names='[name]' --outdir=dist --log-level=warning
# Transports, one module each (node-socket keeps its node: imports).
node_modules/.bin/esbuild ts/adapters/{websocket,wisp,node-socket,deno,cloudflare,streams}.ts \
  --bundle --format=esm --target=es2022 --platform=neutral --external:'node:*' \
  --outdir=dist/adapters --log-level=warning
# wasmtls/bare-transport: one standalone ES module (no chunks to find),
# the file bare-mux's setTransport(url) imports in its SharedWorker, as
# epoxy-transport ships; it loads wasmtls.wasm from beside itself (dist/).
node_modules/.bin/esbuild ts/http/bare-transport.ts --bundle --format=esm --target=es2022 --platform=browser \
  --outfile=dist/bare-transport.js --log-level=warning
node_modules/.bin/esbuild ts/selfcheck.ts --bundle --format=esm \
  --platform=node --target=node20 --outfile=dist/selfcheck.js --log-level=warning
# The browser demo (npm run demo:browser): a page script that finds the wasm
# and roots.js beside it, as served, and its server with `ws` inside. Not
# part of the package ("files" leaves them out).
node_modules/.bin/esbuild demo/browser/app.ts --bundle --format=esm --target=es2022 \
  --platform=browser --outfile=dist/demo-browser/app.js --log-level=warning
cp demo/browser/index.html dist/demo-browser/
# ws is CommonJS and require()s Node's modules; an ES module has no
# require, so the banner makes one.
node_modules/.bin/esbuild ts/demo-browser.ts --bundle --format=esm --platform=node --target=node20 \
  --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" \
  --outfile=dist/demo-browser.js --log-level=warning
node_modules/.bin/tsc -p demo/browser/tsconfig.json
# The CLI (package.json "bin") and the demo (npm start): Node programs with
# `ws` bundled in. ws require()s Node builtins, which esbuild's ESM output
# cannot do by itself: the banner gives the bundle a real require. ws's
# optional native add-ons stay out (it falls back to JS without them).
NODE_REQUIRE="import { createRequire as __wasmtlsRequire } from 'node:module'; const require = __wasmtlsRequire(import.meta.url);"
node_modules/.bin/esbuild ts/cli.ts --bundle --format=esm --platform=node --target=node20 \
  --external:bufferutil --external:utf-8-validate --banner:js="#!/usr/bin/env node
$NODE_REQUIRE" --outfile=dist/cli.js --log-level=warning
chmod +x dist/cli.js
# wasmtls/relay (package.json "exports"): a Node server module with `ws`
# bundled in the same way, so the package keeps no dependencies. ws reads
# WS_NO_BUFFER_UTIL / WS_NO_UTF_8_VALIDATE from the environment when it
# loads, which Deno refuses without --allow-env: fixed here to "skip the
# optional native add-ons" (ws's JS fallbacks; the relay's messages are
# binary, never UTF-8 validated), so importing the module reads no env.
node_modules/.bin/esbuild ts/relay/relay.ts --bundle --format=esm --platform=node --target=node20 \
  --external:bufferutil --external:utf-8-validate --banner:js="$NODE_REQUIRE" \
  --define:process.env.WS_NO_BUFFER_UTIL='"1"' --define:process.env.WS_NO_UTF_8_VALIDATE='"1"' \
  --outfile=dist/relay.js --log-level=warning
node_modules/.bin/esbuild ts/demo.ts --bundle --format=esm --platform=node --target=node20 \
  --external:bufferutil --external:utf-8-validate --banner:js="$NODE_REQUIRE" \
  --outfile=dist/demo.js --log-level=warning
node_modules/.bin/tsc -p tsconfig.json
# The programs are type-checked but get no declarations (tsconfig excludes them).
node_modules/.bin/tsc --noEmit --target es2022 --module nodenext --moduleResolution nodenext \
  --lib es2022,dom,dom.iterable --types node --strict --skipLibCheck --isolatedModules ts/cli.ts ts/demo.ts
# The optional default root store (Mozilla's, as Node ships it in
# tls.rootCertificates): generated, never committed, not in the core.
node scripts/gen-roots.mjs dist

# ---- 5. sizes ------------------------------------------------------------------
js=$(ls dist/*.js | grep -v -e selfcheck -e roots.js -e demo-browser -e cli.js -e demo.js -e relay.js)
printf '%-26s %10s %10s\n' file bytes gzip
for f in dist/wasmtls.wasm dist/wasmtls-scalar.wasm; do
  printf '%-26s %10d %10d\n' "$f" "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)"
done
# shellcheck disable=SC2086
printf '%-26s %10d %10d\n' "dist/*.js (all chunks)" "$(cat $js | wc -c)" "$(cat $js | gzip -9c | wc -c)"
printf '%-26s %10d %10d\n' "dist/roots.js (optional)" "$(stat -c %s dist/roots.js)" "$(gzip -9c dist/roots.js | wc -c)"
