/**
 * The staff UI build. Relative base so the same bundle loads from Electron's custom protocol and
 * from browser mode's 127.0.0.1 server; no inline scripts or styles are emitted (strict CSP).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // Inline assets would become data: URLs, which the CSP does not allow for scripts; keep files.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
});
