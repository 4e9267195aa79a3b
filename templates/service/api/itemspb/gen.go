// Package itemspb is the generated code of items.proto. The generated files
// are kept in the repository; to regenerate them after editing the .proto
// (needs protoc: apt-get install protobuf-compiler, or brew install protobuf)
// run go generate ./... (or make generate).
package itemspb

//go:generate go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
//go:generate go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.1
//go:generate protoc --go_out=. --go_opt=paths=source_relative --go_opt=Mitems.proto=github.com/gantrykit/gantry/templates/service/api/itemspb --go-grpc_out=. --go-grpc_opt=paths=source_relative --go-grpc_opt=Mitems.proto=github.com/gantrykit/gantry/templates/service/api/itemspb items.proto
