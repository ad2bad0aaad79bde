module.exports = require('../../dist/libs/testing/src/index.js');
