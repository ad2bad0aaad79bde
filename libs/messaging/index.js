module.exports = require('../../dist/libs/messaging/src/index.js');
