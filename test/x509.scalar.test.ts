import { x509Suite } from './suites/x509.js';

x509Suite('scalar');
