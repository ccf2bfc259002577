import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The dev server runs in a container (docker/node/Dockerfile, target dev) on the bind-mounted source:
// - /api is proxied to the API service (API_PROXY_TARGET; compose sets it to http://api:8080), the same path nginx
//   proxies in production, so the code calls '/api/...' in both;
// - file watching uses inotify, which works on a Linux bind mount; where events do not cross into the container
//   (Docker Desktop with the source on a Windows drive, some network file systems) set CHOKIDAR_USEPOLLING=true.
export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': {
        target: process.env.API_PROXY_TARGET || 'http://127.0.0.1:8080',
        changeOrigin: true,
      },
    },
    watch: {
      usePolling: process.env.CHOKIDAR_USEPOLLING === 'true' || process.env.CHOKIDAR_USEPOLLING === '1',
      interval: Number(process.env.CHOKIDAR_INTERVAL || 100),
    },
  },
  build: {
    outDir: 'dist',
    // hashed file names under /assets: nginx caches them for a year (docker/node/nginx/default.conf.template)
    assetsDir: 'assets',
  },
  test: {
    environment: 'node',
  },
});
