import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The dev server runs in a container (docker/node/Dockerfile, target dev) on the bind-mounted source, behind the
// sample's nginx (compose/nginx.conf): nginx sends / (and the hot module reload websocket) here and /api/, /admin/,
// /static/ to Django, so the page calls '/api/...' on its own origin in dev and in local-prod alike, and the browser's
// HMR client reaches Vite through nginx's port. File watching uses inotify, which works on a Linux bind mount; where
// events do not cross into the container (Docker Desktop with the source on a Windows drive, some network file
// systems) set CHOKIDAR_USEPOLLING=true.
export default defineConfig({
  plugins: [react()],
  server: {
    watch: {
      usePolling: process.env.CHOKIDAR_USEPOLLING === 'true' || process.env.CHOKIDAR_USEPOLLING === '1',
      interval: Number(process.env.CHOKIDAR_INTERVAL || 100),
    },
  },
  build: {
    outDir: 'dist',
    // hashed file names under /assets: the final image's nginx caches them for a year
    assetsDir: 'assets',
  },
  test: {
    environment: 'node',
  },
});
