import { mlkemSuite } from './suites/mlkem.js';

mlkemSuite('scalar');
