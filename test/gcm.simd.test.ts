import { gcmSuite } from './suites/gcm.js';

gcmSuite('simd');
