// Jest 30 ignores `testTimeout` inside a project entry, so the int project sets it here.
// Real PostgreSQL and NATS on a 2-core machine: 5 s is too little when the machine is busy.
jest.setTimeout(30_000);
