module.exports = require('../../dist/libs/event-store/src/index.js');
