// The npm registry reachable from our build machines lacks some platform builds of native
// packages (@swc/core-darwin-*, @unrs/resolver-binding-*). `npm install` then writes a lockfile
// without them, and `npm ci` refuses it as "out of sync". This adds the missing optional entries
// with their os/cpu, so npm ci skips them on other platforms. Run it after changing dependencies:
//   npm install && node scripts/complete-lockfile.mjs
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const check = spawnSync('npm', ['ci', '--dry-run', '--no-audit', '--no-fund'], {
  cwd: new URL('..', import.meta.url),
  encoding: 'utf8',
});
const missing = [
  ...new Set([...check.stderr.matchAll(/Missing: (\S+?)@\S* from lock file/g)].map((m) => m[1])),
];

const OSES = ['darwin', 'linux', 'win32', 'freebsd', 'android', 'openharmony'];
const CPUS = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64'];
const platformOf = (name) => {
  const parts = name.split('/').at(-1).split('-');
  const os = OSES.find((candidate) => parts.includes(candidate));
  const cpu = CPUS.find((candidate) => parts.includes(candidate));
  const libc = parts.some((p) => p.startsWith('musl'))
    ? 'musl'
    : os === 'linux' && parts.some((p) => p.startsWith('gnu'))
      ? 'glibc'
      : undefined;
  return { ...(os && { os: [os] }), ...(cpu && { cpu: [cpu] }), ...(libc && { libc: [libc] }) };
};

let added = 0;
for (const name of missing) {
  const parent = Object.values(lock.packages).find((entry) => entry.optionalDependencies?.[name]);
  if (!parent) continue;
  lock.packages[`node_modules/${name}`] = {
    version: parent.optionalDependencies[name].replace(/^[\^~=]/, ''),
    ...(parent.dev && { dev: true }),
    optional: true,
    ...platformOf(name),
  };
  added++;
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(
  `lockfile: ${added} missing platform entries added${missing.length > added ? `, ${missing.length - added} not resolvable` : ''}`,
);
