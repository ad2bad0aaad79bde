module.exports = require('../../dist/libs/contracts/src/index.js');
