/**
 * `npm run asyncapi [-- --out <file>] [--nats-host <host:port>]`: writes the AsyncAPI 3.0
 * document of the partner feed, built from libs/contracts, to docs/asyncapi.json (the copy the
 * gateway serves at GET /asyncapi.json is built the same way, at start).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildAsyncApiDocument } from '@aid/contracts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      // npm runs scripts from the repository root.
      out: { type: 'string', default: 'docs/asyncapi.json' },
      'nats-host': { type: 'string' },
    },
  });
  const document = buildAsyncApiDocument({ natsHost: values['nats-host'] });
  const out = resolve(values.out);
  writeFileSync(out, await format(JSON.stringify(document, null, 2), out));
  process.stdout.write(`wrote ${out}\n`);
}

/** As `npm run lint` wants it: prettier, when installed (a development checkout), else plain JSON. */
async function format(json: string, file: string): Promise<string> {
  try {
    const prettier = await import('prettier');
    const config = (await prettier.resolveConfig(file)) ?? {};
    return await prettier.format(json, { ...config, filepath: file });
  } catch {
    return `${json}\n`;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`asyncapi: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
