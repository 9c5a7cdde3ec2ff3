import type { PathwiseApi } from '../../main/contract.ts';
import { PathList } from './PathList.tsx';
import { usePaths } from './usePaths.ts';

export function App({ api }: { api: PathwiseApi }) {
  const paths = usePaths(api);
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          <h1>Pathwise</h1>
        </div>
      </header>
      <main className="content">
        <section aria-labelledby="paths-heading">
          <h2 id="paths-heading">Network paths</h2>
          {paths.state === 'loading' && <p className="muted">Looking for network interfaces…</p>}
          {paths.state === 'error' && (
            <p role="alert" className="error">
              Could not read the network interfaces: {paths.message}
            </p>
          )}
          {paths.state === 'ready' && <PathList paths={paths.value} />}
        </section>
      </main>
    </div>
  );
}
