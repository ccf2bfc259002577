package main

// greeting is what GET /hello answers. Edit it while the dev stack runs: the watcher rebuilds and
// restarts the api, and the next request shows the new text (scripts/bench/hot-reload.d/go.sh does
// exactly that to time it).
const greeting = "hello from the Go sample"
