// Loaded with `--import` by scripts/run-tests.js: test files that import uvu get the guarded suites.
import { register } from 'node:module';

register('./resolve-uvu.js', import.meta.url);
