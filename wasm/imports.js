// Declares the host imports of the wasm module for emcc's linker. Nothing
// here runs: emcc only needs to know these symbols come from the host.
// ts/core/loader.ts implements them (env.wt_random, env.wt_now).
mergeInto(LibraryManager.library, {
  wt_random: function () {},
  wt_now: function () {},
});
