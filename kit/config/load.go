package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
)

// Source is where Load reads from. The zero value reads nothing but the
// defaults.
type Source struct {
	// Args are the command-line arguments without the program name
	// (os.Args[1:] in a real program).
	Args []string
	// Getenv looks up an environment variable (os.Getenv in a real
	// program); nil means no environment.
	Getenv func(string) string
	// FileFlag names the flag that gives the YAML file, e.g. "config";
	// empty means no such flag.
	FileFlag string
	// FileEnv names the environment variable that gives the YAML file when
	// the flag is absent, e.g. "GANTRY_CONFIG".
	FileEnv string
	// ReadFile reads the YAML file; nil means os.ReadFile.
	ReadFile func(name string) ([]byte, error)
}

// HelpError is returned by Load when the arguments ask for help (-h,
// -help). Its Error text is the usage; errors.Is(err, flag.ErrHelp) holds.
type HelpError struct{ Usage string }

// Error returns the usage text.
func (e *HelpError) Error() string { return e.Usage }

// Is makes errors.Is(err, flag.ErrHelp) true.
func (e *HelpError) Is(target error) bool { return target == flag.ErrHelp }

// Load fills the sections' targets from src in the order defaults, YAML
// file, environment, flags, then calls each target's Validate method if it
// has one. It stops at the first error. On error the targets may be
// partly filled.
func Load(src Source, sections ...Section) error {
	all := make([][]field, len(sections))
	for i, s := range sections {
		fs, err := s.fields()
		if err != nil {
			return err
		}
		all[i] = fs
	}
	flags, file, err := parseFlags(src, sections, all)
	if err != nil {
		return err
	}
	if file == "" && src.FileEnv != "" && src.Getenv != nil {
		file = src.Getenv(src.FileEnv)
	}
	if file != "" {
		read := src.ReadFile
		if read == nil {
			read = os.ReadFile
		}
		data, err := read(file)
		if err != nil {
			return fmt.Errorf("config: %w", err)
		}
		if err := loadYAML(file, data, sections, all); err != nil {
			return err
		}
	}
	if src.Getenv != nil {
		for _, fs := range all {
			for _, f := range fs {
				if f.env == "" {
					continue
				}
				if s := src.Getenv(f.env); s != "" {
					if err := set(f.v, s); err != nil {
						return fmt.Errorf("config: %s: %w", f.env, err)
					}
				}
			}
		}
	}
	for _, fl := range flags {
		if err := set(fl.f.v, fl.value); err != nil {
			return fmt.Errorf("config: -%s: %w", fl.f.flag, err)
		}
	}
	for _, s := range sections {
		if v, ok := s.Target.(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				return fmt.Errorf("config: %s: %w", s.Key, err)
			}
		}
	}
	return nil
}

// setFlag is one flag given on the command line, applied after the file
// and the environment.
type setFlag struct {
	f     *field
	value string
}

// flagValue records the raw text of a flag; parsing waits for Load so that
// precedence holds and errors read alike.
type flagValue struct {
	f    *field
	def  string
	seen *[]setFlag
}

func (v *flagValue) String() string {
	if v == nil {
		return ""
	}
	return v.def
}

func (v *flagValue) Set(s string) error {
	*v.seen = append(*v.seen, setFlag{f: v.f, value: s})
	return nil
}

func (v *flagValue) IsBoolFlag() bool { return v != nil && v.f.v.Kind() == reflect.Bool }

func newFlagSet(src Source, sections []Section, all [][]field, seen *[]setFlag, file *string) (*flag.FlagSet, error) {
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if src.FileFlag != "" {
		help := "YAML configuration file"
		if src.FileEnv != "" {
			help += " (env " + src.FileEnv + ")"
		}
		fs.StringVar(file, src.FileFlag, "", help)
	}
	for i := range all {
		for j := range all[i] {
			f := &all[i][j]
			if f.flag == "" {
				continue
			}
			if fs.Lookup(f.flag) != nil {
				return nil, fmt.Errorf("config: flag -%s is defined twice (section %q)", f.flag, sections[i].Key)
			}
			usage := f.help
			if f.env != "" {
				usage = strings.TrimSpace(usage + " (env " + f.env + ")")
			}
			fs.Var(&flagValue{f: f, def: format(f.v), seen: seen}, f.flag, usage)
		}
	}
	return fs, nil
}

func parseFlags(src Source, sections []Section, all [][]field) ([]setFlag, string, error) {
	var seen []setFlag
	var file string
	fs, err := newFlagSet(src, sections, all, &seen, &file)
	if err != nil {
		return nil, "", err
	}
	if err := fs.Parse(src.Args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, "", &HelpError{Usage: usage(fs)}
		}
		return nil, "", fmt.Errorf("config: %w", err)
	}
	if fs.NArg() > 0 {
		return nil, "", fmt.Errorf("config: unexpected argument %q", fs.Arg(0))
	}
	return seen, file, nil
}

// usage lists the flags as flag.PrintDefaults does, with the value's kind
// (string, int, duration, list…) instead of "value".
func usage(fs *flag.FlagSet) string {
	var b strings.Builder
	b.WriteString("Flags:\n")
	fs.VisitAll(func(f *flag.Flag) {
		kind := "string"
		if v, ok := f.Value.(*flagValue); ok {
			kind = kindName(v.f.v)
		}
		b.WriteString("  -" + f.Name)
		if kind != "bool" {
			b.WriteString(" " + kind)
		}
		b.WriteString("\n    \t" + f.Usage)
		if d := f.DefValue; d != "" && d != "0" && d != "0s" && d != "false" {
			fmt.Fprintf(&b, " (default %s)", f.DefValue)
		}
		b.WriteString("\n")
	})
	return b.String()
}

func kindName(v reflect.Value) string {
	switch {
	case v.Type() == durationType:
		return "duration"
	case reflect.PointerTo(v.Type()).Implements(textType):
		return "value"
	case v.Kind() == reflect.Slice:
		return "list"
	case v.Kind() >= reflect.Int && v.Kind() <= reflect.Int64:
		return "int"
	case v.Kind() >= reflect.Uint && v.Kind() <= reflect.Uint64:
		return "uint"
	case v.Kind() == reflect.Float32 || v.Kind() == reflect.Float64:
		return "float"
	}
	return v.Kind().String()
}

// Keys lists every key of the sections in declaration order, with the
// targets' current values as defaults. It does not load anything.
func Keys(sections ...Section) ([]Key, error) {
	var out []Key
	for _, s := range sections {
		fs, err := s.fields()
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			k := Key{Path: s.Key + "." + strings.Join(f.path, "."), Env: f.env, Flag: f.flag, Help: f.help, Type: f.v.Type().String()}
			if !f.secret {
				k.Default = format(f.v)
			}
			out = append(out, k)
		}
	}
	return out, nil
}
