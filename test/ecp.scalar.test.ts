import { ecpSuite } from './suites/ecp.js';

ecpSuite('scalar');
