module.exports = require('../../dist/libs/commands/src/index.js');
