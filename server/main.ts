/** Entry point: read the configuration, start Peakboard, stop it cleanly on SIGINT/SIGTERM. */
import { ConfigError, CONFIG_VARIABLES, parseConfig } from './config/index.ts';
import { NatsServerMissingError } from './ingest/index.ts';
import { startPeakboard } from './peakboard.ts';
import { StoreError } from './store/index.ts';

if (process.argv.includes('--help')) {
  console.log('Peakboard server. Configuration (environment variables):');
  for (const v of CONFIG_VARIABLES) console.log(`  ${v.name.padEnd(18)} ${v.fallback.padEnd(14)} ${v.meaning}`);
  process.exit(0);
}

try {
  const running = await startPeakboard(parseConfig());
  console.error(`Peakboard is running: board ${running.url}/board  snapshot ${running.url}/api/snapshot`);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.error(`${signal}: stopping (committing and acking what is buffered)…`);
    const force = setTimeout(() => process.exit(1), 10_000);
    void running.stop().then(() => {
      clearTimeout(force);
      process.exit(0);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
} catch (error) {
  if (error instanceof ConfigError || error instanceof NatsServerMissingError || error instanceof StoreError) {
    console.error(`peakboard: ${error.message}`);
    process.exit(2);
  }
  throw error;
}
