/**
 * Prints the gzipped size of the emitted JavaScript after each build and fails the build above the
 * budget: a kiosk TV on shop Wi-Fi reloads the board after every deploy and every crash.
 */
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

export function reportGzipSize(options: { budgetBytes: number }): Plugin {
  return {
    name: 'peakboard:report-gzip-size',
    apply: 'build',
    generateBundle(_outputOptions, bundle) {
      let jsGzipBytes = 0;
      let cssGzipBytes = 0;
      for (const item of Object.values(bundle)) {
        const source = item.type === 'chunk' ? item.code : item.source;
        const gzipBytes = gzipSync(source, { level: 9 }).length;
        if (item.fileName.endsWith('.js')) jsGzipBytes += gzipBytes;
        if (item.fileName.endsWith('.css')) cssGzipBytes += gzipBytes;
      }
      const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
      console.log(
        `\nboard bundle: JS ${kb(jsGzipBytes)} gzipped (budget ${kb(options.budgetBytes)}), CSS ${kb(cssGzipBytes)} gzipped`,
      );
      if (jsGzipBytes > options.budgetBytes) {
        this.error(`board JS is ${kb(jsGzipBytes)} gzipped, over the ${kb(options.budgetBytes)} budget`);
      }
    },
  };
}
