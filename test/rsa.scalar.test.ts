import { rsaSuite } from './suites/rsa.js';

rsaSuite('scalar');
