import { mountTemplate, routePathTemplate } from '../src/route-template.js';

describe('routePathTemplate', () => {
  it('keeps a string path as written', () => {
    expect(routePathTemplate('/users/:id')).toBe('/users/:id');
  });

  it('reads a RegExp path from its source, without escapes before slashes or anchors', () => {
    expect(routePathTemplate(/^\/files\/[a-z]+$/i)).toBe('/files/[a-z]+');
  });

  it('takes the first path of an array', () => {
    expect(routePathTemplate([/^\/a$/, '/b'])).toBe('/a');
  });

  it('gives an empty template for anything else', () => {
    expect(routePathTemplate(undefined)).toBe('');
    expect(routePathTemplate([])).toBe('');
  });
});

describe('mountTemplate', () => {
  it('returns a mount without parameters as is', () => {
    expect(mountTemplate('/api/v1', {})).toBe('/api/v1');
    expect(mountTemplate('/api', undefined)).toBe('/api');
  });

  it('replaces each parameter value by its name', () => {
    expect(mountTemplate('/orgs/42/teams/red', { orgId: '42', teamId: 'red' })).toBe(
      '/orgs/:orgId/teams/:teamId',
    );
  });

  it('compares against the decoded segment', () => {
    expect(mountTemplate('/orgs/a%20b', { orgId: 'a b' })).toBe('/orgs/:orgId');
  });

  it('prefers the rightmost segment when a value repeats a literal', () => {
    expect(mountTemplate('/users/users', { name: 'users' })).toBe('/users/:name');
  });

  it('matches parameters given right to left, each before the one after it', () => {
    expect(mountTemplate('/a/x/b/x', { first: 'x', second: 'x' })).toBe('/a/:first/b/:second');
  });

  it('replaces a wildcard spanning several segments by one', () => {
    expect(mountTemplate('/docs/guide/intro', { path: ['guide', 'intro'] })).toBe('/docs/:path');
    expect(mountTemplate('/docs/guide/intro', { 0: 'guide/intro' })).toBe('/docs/:0');
  });

  it('leaves parameters it cannot find, and empty or missing values, alone', () => {
    expect(mountTemplate('/a/b', { id: 'c', empty: '', missing: undefined })).toBe('/a/b');
  });

  it('survives a malformed escape in the path', () => {
    expect(mountTemplate('/x/%E0%A4%A/7', { id: '7' })).toBe('/x/%E0%A4%A/:id');
  });
});
