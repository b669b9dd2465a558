import { tlsMatrixSuite } from './suites/tls-matrix.js';

tlsMatrixSuite('scalar');
