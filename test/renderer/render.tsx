import { render, screen } from '@testing-library/react';
import { App } from '../../renderer/src/App.tsx';
import type { Route } from '../../renderer/src/lib/useHashRoute.ts';
import type { FakeApi } from './fakeApi.ts';

/** Render the whole app at a view, and wait for that view's heading. */
export async function renderAt(api: FakeApi, route: Route, heading: string | RegExp) {
  window.location.hash = `/${route}`;
  const result = render(<App api={api} />);
  await screen.findByRole('heading', { level: 1, name: heading });
  return result;
}
