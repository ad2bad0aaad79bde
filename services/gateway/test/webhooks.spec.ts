import { createHmac } from 'node:crypto';
import { ValidationError } from '@aid/contracts';
import { signWebhook, verifyWebhookSignature } from '../src/partner-feed/webhook-signature';
import { checkWebhookUrl } from '../src/partner-feed/webhook-url';

describe('webhook URLs', () => {
  it.each([
    'https://partner.example.org/aid/events',
    'http://203.0.113.7:8080/hook',
    'https://[2001:db8::1]/hook',
  ])('accepts the public URL %s', (url) => {
    expect(checkWebhookUrl(url, false)).toBe(new URL(url).toString());
  });

  it.each([
    ['http://localhost:3000/hook', 'localhost'],
    ['http://127.0.0.1/hook', 'loopback'],
    ['http://10.1.2.3/hook', 'private'],
    ['http://172.20.0.5/hook', 'private'],
    ['http://192.168.1.1/hook', 'private'],
    ['http://169.254.169.254/latest/meta-data', 'cloud metadata'],
    ['http://[::1]/hook', 'IPv6 loopback'],
    ['http://[::ffff:127.0.0.1]/hook', 'IPv4-mapped'],
    ['http://[fd00::1]/hook', 'IPv6 unique local'],
    ['http://postgres:5432/', 'a compose service name'],
    ['http://api.localhost/hook', 'a .localhost name'],
  ])('refuses %s (%s) unless private URLs are allowed', (url) => {
    expect(() => checkWebhookUrl(url, false)).toThrow(
      'url must not point at localhost or a private network address',
    );
    expect(checkWebhookUrl(url, true)).toBe(new URL(url).toString());
  });

  it.each([
    ['ftp://example.org/hook', 'url must use http or https'],
    ['example.org/hook', 'url must be an absolute http(s) URL'],
    ['https://user:pw@example.org/hook', 'url must not carry credentials'],
    [`https://example.org/${'a'.repeat(2000)}`, 'url must be at most 2000 characters'],
    [42, 'url must be an absolute http(s) URL'],
  ])('refuses %s naming the field', (url, message) => {
    let error: unknown;
    try {
      checkWebhookUrl(url, true);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ message, fields: [{ field: 'url' }] });
  });
});

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"id":"e-1","type":"aid.logistics.ShipmentSent.v1"}';
  const now = 1_714_550_400;

  it('is the documented HMAC-SHA256 of "<timestamp>.<body>", hex, after v1=', () => {
    const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    expect(signWebhook(secret, now, body)).toBe(`v1=${expected}`);
  });

  it('verifies a genuine delivery and refuses a changed body, another secret, or an old timestamp', () => {
    const signature = signWebhook(secret, now, body);
    const headers = { timestamp: String(now), signature };
    expect(verifyWebhookSignature(secret, headers, body, { now })).toBe(true);
    expect(verifyWebhookSignature(secret, headers, body.replace('e-1', 'e-2'), { now })).toBe(false);
    expect(verifyWebhookSignature('whsec_other', headers, body, { now })).toBe(false);
    expect(verifyWebhookSignature(secret, headers, body, { now: now + 301 })).toBe(false);
    expect(verifyWebhookSignature(secret, { timestamp: 'x', signature }, body, { now })).toBe(false);
    expect(
      verifyWebhookSignature(secret, { timestamp: String(now), signature: undefined }, body, { now }),
    ).toBe(false);
  });
});
