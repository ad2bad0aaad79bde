'use strict';
/**
 * `node -r <this file> worker.ts` runs TypeScript sources the way Jest does (swc, CommonJS,
 * decorator metadata) and resolves the @aid/* path aliases to libs/<name>/src. The integration
 * tests fork their SIGKILL-able workers with it; it needs only @swc/core, already installed by
 * `npm ci`, and no build step.
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const repositoryRoot = path.resolve(__dirname, '../..');
const swcOptions = require(path.join(repositoryRoot, 'swc.options.js'));

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveAidAlias(request, ...rest) {
  const alias = /^@aid\/([a-z-]+)$/.exec(request);
  const target = alias ? path.join(repositoryRoot, 'libs', alias[1], 'src', 'index.ts') : request;
  return resolveFilename.call(this, target, ...rest);
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...swcOptions, filename });
  module._compile(code, filename);
};

require('reflect-metadata');
