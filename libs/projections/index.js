module.exports = require('../../dist/libs/projections/src/index.js');
