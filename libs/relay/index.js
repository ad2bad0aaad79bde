module.exports = require('../../dist/libs/relay/src/index.js');
