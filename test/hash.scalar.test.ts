import { hashSuite } from './suites/hash.js';

hashSuite('scalar');
