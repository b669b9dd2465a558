import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: one worker per core keeps the runtime tests (which start
    // Deno, workerd and Chromium) from starving each other.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
