/**
 * An NDJSON file as batches of lines, read 1 MiB at a time: memory stays flat for files larger
 * than memory. Splitting whole chunks is several times faster than `readline`'s line events; a
 * line cut by a chunk edge is joined, and a trailing `\r` (CRLF files) is dropped.
 */
import { createReadStream } from 'node:fs';

export async function* readLineBatches(path: string): AsyncGenerator<string[], void, undefined> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let rest = '';
  for await (const chunk of stream as AsyncIterable<string>) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (let index = 0; index < lines.length; index += 1) {
      const line = lines[index] as string;
      if (line.endsWith('\r')) lines[index] = line.slice(0, -1);
    }
    yield lines;
  }
  if (rest !== '') yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}
