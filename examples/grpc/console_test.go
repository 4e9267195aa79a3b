package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/grpc"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/gantrykit/gantry/internal/exampletest"
)

// A command of the README's console block and the lines it printed.
type shown struct{ cmd, output string }

// readmeConsole returns the README's console commands that begin with
// prefix, in order, each with what it printed; at least one, or the test
// fails rather than check nothing.
func readmeConsole(t *testing.T, prefix string) []shown {
	t.Helper()
	f, err := os.Open("README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmds []shown
	var cur *shown
	for s := bufio.NewScanner(f); s.Scan(); {
		line := s.Text()
		if strings.HasPrefix(line, "$ ") || strings.HasPrefix(line, "```") {
			cur = nil
		}
		if cur != nil {
			cur.output += line + "\n"
			continue
		}
		if strings.HasPrefix(line, "$ "+prefix) {
			cmds = append(cmds, shown{cmd: line})
			cur = &cmds[len(cmds)-1]
		}
	}
	if len(cmds) < 1 {
		t.Fatalf("README has no %q commands", prefix)
	}
	return cmds
}

// checkREADMECurl makes each curl call of the README on the service at
// base and requires the body it shows.
func checkREADMECurl(t *testing.T, base string) {
	t.Helper()
	for _, c := range readmeConsole(t, "curl -s localhost:8080/") {
		path := strings.TrimPrefix(strings.Fields(c.cmd)[3], "localhost:8080")
		_, body := exampletest.Do(t, "GET", base+path, "", nil)
		if got := strings.TrimSpace(string(body)); got != strings.TrimSpace(c.output) {
			t.Errorf("%s printed %s, the README says %s", c.cmd, got, c.output)
		}
	}
}

// describe asks the server's reflection service for the file that defines
// full's service, as grpcurl does, and returns the method's descriptor
// built from that answer alone (never from the compiled-in pricespb).
func describe(t *testing.T, cc *grpc.ClientConn, full string) protoreflect.MethodDescriptor {
	t.Helper()
	svc, method, _ := strings.Cut(full, "/")
	stream, err := reflectionpb.NewServerReflectionClient(cc).ServerReflectionInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer stream.CloseSend()
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{
		MessageRequest: &reflectionpb.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: svc},
	}); err != nil {
		t.Fatal(err)
	}
	r, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	set := &descriptorpb.FileDescriptorSet{}
	for _, b := range r.GetFileDescriptorResponse().GetFileDescriptorProto() {
		fd := &descriptorpb.FileDescriptorProto{}
		if err := proto.Unmarshal(b, fd); err != nil {
			t.Fatal(err)
		}
		set.File = append(set.File, fd)
	}
	files, err := protodesc.NewFiles(set)
	if err != nil {
		t.Fatalf("reflection's files for %s: %v (answer %v)", svc, err, r)
	}
	d, err := files.FindDescriptorByName(protoreflect.FullName(svc))
	if err != nil {
		t.Fatalf("reflection does not describe %s: %v", svc, err)
	}
	sd, ok := d.(protoreflect.ServiceDescriptor)
	md := sd.Methods().ByName(protoreflect.Name(method))
	if !ok || md == nil {
		t.Fatalf("reflection's %s has no method %s", svc, method)
	}
	return md
}

// invoke calls md with the JSON body as grpcurl -d does and prints what
// grpcurl prints: the reply as JSON, or the status's code and message.
func invoke(cc *grpc.ClientConn, md protoreflect.MethodDescriptor, body string) (reply any, code, msg string, err error) {
	in := dynamicpb.NewMessage(md.Input())
	if err := protojson.Unmarshal([]byte(body), in); err != nil {
		return nil, "", "", err
	}
	out := dynamicpb.NewMessage(md.Output())
	full := "/" + string(md.Parent().FullName()) + "/" + string(md.Name())
	if err := cc.Invoke(context.Background(), full, in, out); err != nil {
		st := status.Convert(err)
		return nil, st.Code().String(), st.Message(), nil
	}
	b, err := protojson.Marshal(out)
	if err == nil {
		err = json.Unmarshal(b, &reply)
	}
	return reply, "", "", err
}

// checkREADMEGrpcurl runs each grpcurl call of the README on cc the way
// grpcurl makes it (the service described by reflection, the messages
// built from that description, the body read as protobuf JSON) and
// requires what the README says it prints.
func checkREADMEGrpcurl(t *testing.T, cc *grpc.ClientConn) {
	t.Helper()
	calls := readmeConsole(t, "grpcurl ")
	if len(calls) < 2 {
		t.Fatalf("README has %d grpcurl calls, want the found and the not-found one", len(calls))
	}
	for _, c := range calls {
		_, rest, ok := strings.Cut(c.cmd, " -d '")
		body, rest, ok2 := strings.Cut(rest, "' ")
		fields := strings.Fields(rest)
		if !ok || !ok2 || len(fields) == 0 {
			t.Fatalf("README: cannot read the grpcurl call %q", c.cmd)
		}
		method := fields[len(fields)-1]
		md := describe(t, cc, method)
		reply, code, msg, err := invoke(cc, md, body)
		if err != nil {
			t.Fatalf("grpcurl -d %s %s: %v", body, method, err)
		}
		if rest, isErr := strings.CutPrefix(c.output, "ERROR:\n"); isErr {
			want := "  Code: " + code + "\n  Message: " + msg + "\n"
			if rest != want {
				t.Errorf("grpcurl -d %s %s printed\nERROR:\n%s\nthe README says\nERROR:\n%s", body, method, want, rest)
			}
			continue
		}
		var want any
		if err := json.Unmarshal([]byte(c.output), &want); err != nil {
			t.Fatalf("README output of %s: %v", method, err)
		}
		if code != "" || !reflect.DeepEqual(reply, want) {
			t.Errorf("grpcurl -d %s %s = %v (code %q %s), the README says %v", body, method, reply, code, msg, want)
		}
	}
}
