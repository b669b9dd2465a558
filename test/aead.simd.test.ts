import { aeadSuite } from './suites/aead.js';

aeadSuite('simd');
