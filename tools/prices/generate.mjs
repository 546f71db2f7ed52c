#!/usr/bin/env node
// Regenerates src/EdgeGw/Spend/BuiltInPrices.json from the npm package @pydantic/genai-prices (MIT).
// Usage: node tools/prices/generate.mjs [version|path-to-unpacked-package]   (default: latest)
// The package bundles its price data; waitForUpdate() resolves to it while no remote update is set up.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PACKAGE = '@pydantic/genai-prices';
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const output = join(repo, 'src', 'EdgeGw', 'Spend', 'BuiltInPrices.json');
// Token prices only: per-image, per-search, audio and per-request prices are not billed by EdgeGw.
// genai-prices ids of the providers EdgeGw has adapters for (src/EdgeGw/Providers/ProviderCatalog.cs);
// the providers they fall back to are added. The rest of the database would only grow the binary.
const SERVED = ['openai', 'anthropic', 'google', 'azure', 'groq', 'mistral', 'deepseek', 'together', 'fireworks',
  'openrouter', 'x-ai', 'perplexity', 'cerebras', 'aws'];
const RATES = { input_mtok: 'in', output_mtok: 'out', cache_read_mtok: 'cr', cache_write_mtok: 'cw' };

const arg = process.argv[2] ?? 'latest';
let dir = arg;
let temp = null;
if (!existsSync(arg)) {
  temp = mkdtempSync(join(tmpdir(), 'genai-prices-'));
  execFileSync('npm', ['pack', `${PACKAGE}@${arg}`, '--silent', '--pack-destination', temp], { stdio: ['ignore', 'pipe', 'inherit'] });
  execFileSync('sh', ['-c', 'tar xzf *.tgz'], { cwd: temp });
  dir = join(temp, 'package');
}
const pkg = (await import(pathToFileURL(join(dir, 'package.json')).href, { with: { type: 'json' } })).default;
const { waitForUpdate } = await import(pathToFileURL(join(dir, 'dist', 'index.js')).href);
const providers = await waitForUpdate();
const times = JSON.parse(execFileSync('npm', ['view', PACKAGE, 'time', '--json'], { encoding: 'utf8' }));
const published = (times[pkg.version] ?? '').slice(0, 10);
if (temp) rmSync(temp, { recursive: true, force: true });

const rate = (value) => typeof value === 'number' ? value
  : { b: value.base, t: value.tiers.map((t) => [t.start, t.price]) };

function prices(entry) {
  const out = {};
  for (const [key, short] of Object.entries(RATES))
    if (entry[key] !== undefined) out[short] = rate(entry[key]);
  return out;
}

function conditional(model) {
  if (!Array.isArray(model.prices)) return [prices(model.prices)];
  // Start-date changes are kept (the gateway picks the one in force); time-of-day discounts are
  // left out, so those hours bill at the standard rate.
  return model.prices
    .filter((p) => p.constraint === undefined || p.constraint.type === 'start_date')
    .map((p) => (p.constraint ? { from: p.constraint.start_date, ...prices(p.prices) } : prices(p.prices)));
}

const keep = new Set(SERVED);
for (const p of providers)
  if (keep.has(p.id)) for (const f of p.fallback_model_providers ?? []) keep.add(f);

let models = 0;
const data = {
  source: PACKAGE,
  version: pkg.version,
  published,
  providers: providers.filter((p) => keep.has(p.id)).map((p) => {
    const kept = p.models
      .map((m) => ({ id: m.id, match: m.match, prices: conditional(m) }))
      .filter((m) => m.prices.some((p) => p.in !== undefined || p.out !== undefined));
    models += kept.length;
    return {
      id: p.id,
      ...(p.provider_match ? { provider_match: p.provider_match } : {}),
      ...(p.model_match ? { model_match: p.model_match } : {}),
      ...(p.fallback_model_providers ? { fallbacks: p.fallback_model_providers } : {}),
      models: kept,
    };
  }),
};
writeFileSync(output, JSON.stringify(data) + '\n');
console.log(`${PACKAGE} ${pkg.version} (${published}): ${data.providers.length} providers, ${models} models -> ${output}`);
