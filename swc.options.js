// How TypeScript is compiled for Jest and for the test workers forked by integration tests
// (libs/testing/register-typescript.js): CommonJS, legacy decorators with their metadata.
module.exports = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
