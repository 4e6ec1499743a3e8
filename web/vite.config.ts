// Builds the board and supervisor SPA into web/dist; the server serves dist/index.html at /board
// and /supervisor and the hashed files under /assets/.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { reportGzipSize } from './build/report-gzip-size.ts';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  // Vite 8 transforms TSX with oxc; automatic runtime so components need no `h` import.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
  },
  plugins: [reportGzipSize({ budgetBytes: 80 * 1024 })],
});
