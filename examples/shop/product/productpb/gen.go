// Package productpb is the generated code of catalog.proto, the product
// service's gRPC API. Building never needs protoc: the generated files are
// kept in the repository. To regenerate them (Debian: apt-get install
// protobuf-compiler), run go generate in this folder; the plugins are pinned
// to the protobuf and grpc versions of go.mod.
package productpb

//go:generate go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
//go:generate go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.1
//go:generate protoc --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative catalog.proto
