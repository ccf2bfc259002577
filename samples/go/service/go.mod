// The Go sample uses the standard library alone: no go.sum, nothing to download, so it builds where the
// module proxy is unreachable (docs/stacks.md, "Go").
module example.com/kit-go-sample

go 1.24
