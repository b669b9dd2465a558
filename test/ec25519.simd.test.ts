import { ec25519Suite } from './suites/ec25519.js';

ec25519Suite('simd');
