package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// options are the flags of templates new.
type options struct {
	Name    string
	Module  string
	Dir     string
	GRPC    bool
	Events  bool
	Store   string // none, sqlite or postgres
	Replace string // a Gantry checkout, or ""
	Force   bool
}

func runNew(args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("templates new", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Module, "module", "", "module path of the new service (default example.com/NAME)")
	fs.StringVar(&o.Dir, "dir", "", "directory to write to (default ./NAME); it must be empty or absent unless -force")
	fs.BoolVar(&o.GRPC, "grpc", false, "add a gRPC server: .proto, generated code and handlers")
	fs.BoolVar(&o.Events, "events", false, "add a JetStream publisher and a consumer with dead letters")
	fs.StringVar(&o.Store, "store", "none", "add a SQL store with migrations: sqlite, postgres or none")
	fs.StringVar(&o.Replace, "replace", "", "Gantry checkout to use through a replace directive (default: the checkout this runs from, if any)")
	fs.BoolVar(&o.Force, "force", false, "write into a non-empty directory, overwriting the files it generates (it never deletes any)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: templates new [flags] NAME\n\nGenerates the service NAME: a module that builds and passes its tests at once.\nThen: cd NAME && go test ./... && go run ./cmd/NAME\n\nFlags (before or after NAME):\n")
		fs.PrintDefaults()
	}
	// Flags may come before or after NAME.
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		o.Name = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	if fs.NArg() > 0 || o.Name == "" {
		fs.Usage()
		return errors.New("templates new: want exactly one NAME")
	}
	if o.Module == "" {
		o.Module = "example.com/" + o.Name
	}
	if o.Dir == "" {
		o.Dir = o.Name
	}
	start := time.Now()
	n, err := generate(&o)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d files of %s (%s) to %s in %v\n", n, o.Name, o.Module, o.Dir, time.Since(start).Round(time.Millisecond))
	if o.Replace != "" {
		fmt.Fprintf(stdout, "go.mod uses the Gantry checkout at %s (replace directive)\n", o.Replace)
	} else {
		// A release: go.mod names Gantry's version; go mod tidy resolves
		// the rest and writes go.sum.
		if err := tidy(o.Dir, stdout, stderr); err != nil {
			return fmt.Errorf("the files are written, but %w; run go mod tidy in %s", err, o.Dir)
		}
	}
	fmt.Fprintf(stdout, "\nNext:\n  cd %s && go test ./... && go run ./cmd/%s\n", shellPath(o.Dir), o.Name)
	return nil
}

func tidy(dir string, stdout, stderr io.Writer) error {
	fmt.Fprintln(stdout, "go mod tidy")
	cmd := exec.Command("go", "mod", "tidy")
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go mod tidy: %w", err)
	}
	return nil
}

// generate checks o, renders every file in memory, then writes them.
func generate(o *options) (int, error) {
	if err := validate(o); err != nil {
		return 0, err
	}
	files, err := render(*o)
	if err != nil {
		return 0, err
	}
	if err := checkTarget(o.Dir, o.Force); err != nil {
		return 0, err
	}
	for _, f := range files {
		path := filepath.Join(o.Dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return 0, err
		}
		if err := os.WriteFile(path, f.data, f.mode); err != nil {
			return 0, err
		}
	}
	return len(files), nil
}

// checkTarget refuses a directory that exists and holds anything, unless
// force; and anything that is not a directory.
func checkTarget(dir string, force bool) error {
	st, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("-dir %s: exists and is not a directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 && !force {
		return fmt.Errorf("-dir %s: exists and is not empty; choose another -dir, or -force to write into it (generated files are overwritten, nothing is deleted)", dir)
	}
	return nil
}

func shellPath(p string) string {
	if strings.ContainsAny(p, " '\"$\\") {
		return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
	}
	return p
}
