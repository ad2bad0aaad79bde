/** Bounded contexts by stream prefix: the owner of a stream's events, as named in subjects and sources. */
export const STREAM_CONTEXTS: Readonly<Record<string, string>> = {
  'community-': 'communities',
  'organisation-': 'communities',
  'partnership-': 'partnerships',
  'shipment-': 'logistics',
};

/** Every stream prefix the relay knows a context for. */
export const KNOWN_STREAM_PREFIXES: readonly string[] = Object.keys(STREAM_CONTEXTS);

/** The token used in subjects when an event concerns no community. */
export const NO_COMMUNITY = 'none';

/** The context owning a stream, or null for a stream of no known aggregate. */
export function contextOfStream(stream: string): string | null {
  for (const [prefix, context] of Object.entries(STREAM_CONTEXTS)) {
    if (stream.startsWith(prefix)) return context;
  }
  return null;
}

/**
 * One subject token: NATS splits subjects on '.', treats '*' and '>' as wildcards and forbids
 * whitespace, so those become '_' (ids are UUIDs and event types are PascalCase, so in practice
 * nothing changes). An empty value becomes '_' too, since empty tokens are invalid.
 */
export function subjectToken(value: string): string {
  const token = value.replace(/[.*>\s]/g, '_');
  return token === '' ? '_' : token;
}

/** `aid.<context>.<EventType>.<communityId>`; `prefix` replaces `aid` (tests use their own). */
export function eventSubject(
  prefix: string,
  context: string,
  eventType: string,
  communityId: string | null,
): string {
  return [prefix, context, subjectToken(eventType), subjectToken(communityId ?? NO_COMMUNITY)].join('.');
}
