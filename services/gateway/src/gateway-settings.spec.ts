import { GATEWAY_SETTINGS_DEFAULTS, loadGatewaySettings } from './gateway-settings';

describe('loadGatewaySettings', () => {
  it('uses the defaults when nothing is set', () => {
    expect(loadGatewaySettings({})).toEqual(GATEWAY_SETTINGS_DEFAULTS);
  });

  it('reads each variable', () => {
    expect(
      loadGatewaySettings({ RATE_LIMIT_PER_MINUTE: '60', SERVICE_TIMEOUT_MS: '1500', API_KEY_CACHE_MS: '0' }),
    ).toEqual({ rateLimitPerMinute: 60, serviceTimeoutMs: 1500, apiKeyCacheMs: 0 });
  });

  it('refuses bad values, naming every variable', () => {
    expect(() =>
      loadGatewaySettings({ RATE_LIMIT_PER_MINUTE: '0', SERVICE_TIMEOUT_MS: 'soon', API_KEY_CACHE_MS: '-1' }),
    ).toThrow(
      /RATE_LIMIT_PER_MINUTE must be an integer from 1[\s\S]*SERVICE_TIMEOUT_MS[\s\S]*API_KEY_CACHE_MS/,
    );
  });
});
