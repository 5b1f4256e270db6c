/** Where tests share the trained sample model (inside node_modules/.cache, so `git clean` and CI start fresh). */
import { resolve } from 'node:path';

export const SHARED_MODEL_CACHE = resolve('node_modules/.cache/huiying-test-models');
