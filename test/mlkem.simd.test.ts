import { mlkemSuite } from './suites/mlkem.js';

mlkemSuite('simd');
