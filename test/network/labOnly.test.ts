import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { isLabHost } from '../support/labOnly.ts';

// The setup file every node test project loads (vitest.config.ts): the network rule, held in the
// test worker instead of a test-runner branch in the product.
describe('tests reach only loopback and the lab range', () => {
  it('knows the lab hosts', () => {
    for (const host of [
      '127.0.0.1',
      '127.8.9.10',
      'localhost',
      '::1',
      '[::1]',
      '198.18.0.1',
      '198.19.255.254',
    ]) {
      expect(isLabHost(host), host).toBe(true);
    }
    for (const host of ['198.20.0.1', '8.8.8.8', '203.0.113.7', 'example.com', '2001:db8::1']) {
      expect(isLabHost(host), host).toBe(false);
    }
  });

  it('refuses a connection anywhere else before a packet leaves', () => {
    expect(() => net.connect({ host: '203.0.113.7', port: 80 })).toThrow(
      /only loopback and 198\.18\.0\.0\/15/,
    );
    expect(() => net.connect(80, 'example.com')).toThrow(/not example\.com/);
  });

  it('refuses to resolve names outside the lab', async () => {
    const { lookup } = await import('node:dns/promises');
    await expect(lookup('example.com')).rejects.toThrow(/not example\.com/);
    expect((await lookup('localhost')).address).toMatch(/^(127\.|::1)/);
  });

  it('lets loopback through', async () => {
    const server = net.createServer((s) => s.end('hi'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const text = await new Promise<string>((resolve, reject) => {
      let got = '';
      net
        .connect(port, '127.0.0.1')
        .on('data', (d) => (got += d.toString()))
        .on('end', () => resolve(got))
        .on('error', reject);
    });
    server.close();
    expect(text).toBe('hi');
  });

  it('points the probe at a lab address unless a test chose one', () => {
    expect(isLabHost(new URL(process.env['PATHWISE_PROBE_URL'] ?? 'http://x').hostname)).toBe(true);
  });
});
