package grpc

import (
	"context"
	"reflect"
	"strings"
	"sync"

	"google.golang.org/grpc/metadata"
)

// incomingMD returns the metadata grpc-go received with the call in ctx,
// not a copy: the caller must not change it.
//
// grpc-go's public accessors cost more than the server's observer on its
// own: metadata.FromIncomingContext copies the whole map, and
// ValueFromIncomingContext copies the value it finds and, for each key
// that is absent (a caller sending no trace context, request ID or
// baggage), compares every key of the map case-insensitively. The map
// grpc-go keeps has lower-case keys only, as HTTP/2 sends them (x/net's
// framer refuses others), so reading it directly is exact. It is found
// under grpc-go's unexported context key, which incomingMDKey learns once
// from a context metadata.NewIncomingContext made; should that ever fail
// (grpc-go keeping metadata another way), the public copy is used.
func incomingMD(ctx context.Context) metadata.MD {
	if key := incomingMDKey(); key != nil {
		md, _ := ctx.Value(key).(metadata.MD)
		return md
	}
	md, _ := metadata.FromIncomingContext(ctx)
	return md
}

var incomingMDKey = sync.OnceValue(func() any {
	probe := metadata.MD{"probe": {"v"}}
	ctx := metadata.NewIncomingContext(context.Background(), probe)
	v := reflect.ValueOf(ctx)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("key") // context.valueCtx's
	if !f.IsValid() || f.Kind() != reflect.Interface || f.IsNil() {
		return nil
	}
	t := f.Elem().Type()
	if t.Kind() != reflect.Struct || t.Size() != 0 {
		return nil // only an empty struct's zero value is certainly the key
	}
	key := reflect.Zero(t).Interface()
	if md, ok := ctx.Value(key).(metadata.MD); !ok || len(md["probe"]) != 1 || &md["probe"][0] != &probe["probe"][0] {
		return nil
	}
	return key
})

// first returns the first value of key in md, or "". Keys are matched in
// lower case, as the wire carries them.
func first(md metadata.MD, key string) string {
	if v := md[strings.ToLower(key)]; len(v) > 0 {
		return v[0]
	}
	return ""
}
