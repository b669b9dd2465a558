import { ecpSuite } from './suites/ecp.js';

ecpSuite('simd');
