// Removes the package's dist/ before tsup writes its Node and browser builds (which run side by side, so
// neither may clean on its own).
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
