import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type DynamicModule, type INestApplication, type INestMicroservice, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NatsOptions, Transport } from '@nestjs/microservices';
import { loadConfig, natsConnectionOptions, redactUrl, type AppConfig } from './config';
import { checkDependencies } from './dependencies';
import { createLogger, PinoLoggerService, type Logger } from './logging';
import { MessageLoggingInterceptor } from './message-logging.interceptor';
import { RpcErrorFilter } from './rpc-error.filter';
import { ServiceContext, ServiceContextModule, type ServiceName } from './service-context';

/**
 * Node flags every service process is started with (npm start, the system tests and benchmark;
 * the Dockerfile sets the same through NODE_OPTIONS). A young generation twice V8's default
 * (semi-spaces of 32 MiB) scavenges half as often: a command's short-lived objects (request,
 * decoded message, events, replies) mostly die before a collection. Under the system benchmark it
 * gave 1,134-1,179 HTTP commands/s against 990-1,093 without, for about 40 MiB more under load.
 */
export const SERVICE_NODE_ARGUMENTS: readonly string[] = ['--max-semi-space-size=32'];

export interface ServiceDefinition {
  /** Also the NATS queue group, so replicas of one service share its requests. */
  name: ServiceName;
  /** The service's root module; ServiceContext is injectable everywhere inside it. */
  module: Type<unknown>;
  /** Serve HTTP on PORT as well (the gateway). setup adds the HTTP-only filters and middleware. */
  http?: { setup(app: INestApplication, context: ServiceContext): void };
}

export interface BootstrapOptions extends ServiceDefinition {
  /** Defaults to loadConfig() (the environment). */
  config?: AppConfig;
  /** Defaults to a pino logger on stdout at config.logLevel. */
  logger?: Logger;
  /** Defaults to name. */
  queue?: string;
}

export interface RunningService {
  context: ServiceContext;
  app: INestApplication | INestMicroservice;
  /** Where the HTTP server listens, for services that serve HTTP. */
  httpUrl: string | undefined;
  close(): Promise<void>;
}

// In-flight handlers get this long to finish between unsubscribing and closing the connection.
const SHUTDOWN_GRACE_PERIOD_MS = 1000;

/**
 * Starts one service: checks PostgreSQL and NATS first (DependencyUnavailableError says which
 * is missing and how to start it), then listens for its NATS requests in its queue group,
 * logging through pino, and closes gracefully on SIGTERM/SIGINT.
 */
export async function bootstrapService(options: BootstrapOptions): Promise<RunningService> {
  const config = options.config ?? loadConfig();
  const logger = options.logger ?? createLogger(options.name, config.logLevel);
  await checkDependencies(config);

  const context = new ServiceContext(options.name, config, logger);
  const rootModule: DynamicModule = { module: options.module, imports: [ServiceContextModule.with(context)] };
  const appOptions = { logger: new PinoLoggerService(logger), abortOnError: false };
  const queue = options.queue ?? options.name;
  const transport: NatsOptions = {
    transport: Transport.NATS,
    options: {
      ...natsConnectionOptions(config.natsUrl),
      queue,
      name: options.name,
      maxReconnectAttempts: -1,
      gracefulShutdown: true,
      gracePeriod: SHUTDOWN_GRACE_PERIOD_MS,
    },
  };
  const handleMessages = (microservice: INestMicroservice) =>
    microservice
      .useGlobalInterceptors(new MessageLoggingInterceptor(logger))
      .useGlobalFilters(new RpcErrorFilter(options.name));

  let app: INestApplication | INestMicroservice;
  let httpUrl: string | undefined;
  if (options.http) {
    const httpApp = await NestFactory.create<INestApplication<Server>>(rootModule, appOptions);
    app = httpApp;
    // Deferred, so the interceptor and filter are registered before its handlers are wired.
    handleMessages(httpApp.connectMicroservice<NatsOptions>(transport, { deferInitialization: true }));
    options.http.setup(httpApp, context);
    enableGracefulShutdown(httpApp);
    await httpApp.startAllMicroservices();
    for (const microservice of httpApp.getMicroservices()) await subscriptionsRegistered(microservice);
    await httpApp.listen(config.port);
    const { port } = httpApp.getHttpServer().address() as AddressInfo;
    httpUrl = `http://127.0.0.1:${port}`;
  } else {
    const microservice = await NestFactory.createMicroservice<NatsOptions>(rootModule, {
      ...transport,
      ...appOptions,
    });
    app = microservice;
    handleMessages(microservice);
    enableGracefulShutdown(microservice);
    await microservice.listen();
    await subscriptionsRegistered(microservice);
  }

  logger.info({ queue, natsUrl: redactUrl(config.natsUrl), httpUrl }, `${options.name} started`);
  return { context, app, httpUrl, close: () => app.close() };
}

/**
 * Nest's NATS server resolves listen() once it has sent its subscriptions, not once nats-server
 * has them: a request in between finds no responder. A flush round trip proves they arrived, so
 * a service that says it started answers at once.
 */
async function subscriptionsRegistered(microservice: INestMicroservice): Promise<void> {
  await microservice.unwrap<{ flush(): Promise<void> }>().flush();
}

/** For main.ts: starts the service, or explains on stderr why it cannot and exits with 1. */
export function runService(definition: ServiceDefinition): void {
  bootstrapService(definition).catch((error: unknown) => {
    process.stderr.write(
      `${definition.name} cannot start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}

function enableGracefulShutdown(app: INestApplication | INestMicroservice): void {
  // process.exit (instead of re-raising the signal) lets pino flush and gives a clean exit code.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
}
