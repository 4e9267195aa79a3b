package kit

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/gantrykit/gantry/middleware"
)

// traceSetup is what the OTEL_* variables, the options and the
// configuration say about the App's tracing.
type traceSetup struct {
	res      *resource.Resource
	sampler  sdktrace.Sampler
	rootOnly float64 // root ratio of a ParentBased sampler; < 0: not parent-based or unknown
	prop     propagation.TextMapPropagator
	limits   sdktrace.SpanLimits
	batch    []sdktrace.BatchSpanProcessorOption
	disabled bool // OTEL_SDK_DISABLED: nothing recorded, nothing exported
}

// readTraceSetup reads the OpenTelemetry SDK's trace variables through
// getenv (see the package documentation for the table and precedence).
func readTraceSetup(name, version, instance string, tc middleware.TracingConfig, o options) (s traceSetup, err error) {
	env := func(k string) string { return strings.TrimSpace(o.getenv(k)) }
	defer func() {
		if err != nil && !strings.HasPrefix(err.Error(), "kit: ") {
			err = fmt.Errorf("kit: %w", err)
		}
	}()
	if s.res, err = traceResource(name, version, instance, env); err != nil {
		return s, err
	}
	switch v := strings.ToLower(env("OTEL_SDK_DISABLED")); v {
	case "true":
		s.disabled = true
	case "", "false":
	default:
		return s, fmt.Errorf("OTEL_SDK_DISABLED: got %q, want true or false", v)
	}
	if s.sampler, s.rootOnly, err = traceSampler(tc, o.sampler, env); err != nil {
		return s, err
	}
	if s.disabled {
		s.sampler, s.rootOnly = sdktrace.NeverSample(), -1
	}
	if s.prop = o.propagator; s.prop == nil {
		if s.prop, err = tracePropagator(env("OTEL_PROPAGATORS")); err != nil {
			return s, err
		}
	}
	if s.limits, err = spanLimits(env); err != nil {
		return s, err
	}
	if s.batch, err = batchOptions(env); err != nil {
		return s, err
	}
	_, err = otlpTarget(o.getenv, o.otlpGRPC != nil)
	return s, err
}

// defaultTraceSetup is the setup of an App whose variables are wrong: it
// is never run (Run returns the error), but its parts must work.
func defaultTraceSetup(name, version, instance string) traceSetup {
	res, _ := traceResource(name, version, instance, func(string) string { return "" })
	return traceSetup{
		res: res, sampler: sdktrace.ParentBased(sdktrace.NeverSample()), rootOnly: 0,
		prop:   propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
		limits: sdktrace.NewSpanLimits(),
	}
}

// traceResource is the SDK's attributes, then the App's service.name,
// service.version and service.instance.id, then OTEL_RESOURCE_ATTRIBUTES,
// then OTEL_SERVICE_NAME: a later one wins, as the specification orders
// the variables and as Gantry's environment overrides its defaults.
func traceResource(name, version, instance string, env func(string) string) (*resource.Resource, error) {
	attrs := []attribute.KeyValue{
		attribute.String("telemetry.sdk.name", "opentelemetry"),
		attribute.String("telemetry.sdk.language", "go"),
		attribute.String("telemetry.sdk.version", sdk.Version()),
		attribute.String("service.name", name),
		attribute.String("service.version", version),
		attribute.String("service.instance.id", instance),
	}
	if v := env("OTEL_RESOURCE_ATTRIBUTES"); v != "" {
		for pair := range strings.SplitSeq(v, ",") {
			k, val, ok := strings.Cut(pair, "=")
			k = strings.TrimSpace(k)
			if !ok || k == "" {
				return nil, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES: got %q, want key=value pairs separated by commas", pair)
			}
			dv, err := url.PathUnescape(strings.TrimSpace(val))
			if err != nil {
				return nil, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES: %s: %w", k, err)
			}
			attrs = append(attrs, attribute.String(k, dv))
		}
	}
	if v := env("OTEL_SERVICE_NAME"); v != "" {
		attrs = append(attrs, attribute.String("service.name", v))
	}
	return resource.NewSchemaless(attrs...), nil // a later value of a key wins
}

// traceSampler returns the App's sampler, in order of precedence: the
// WithSampler option, the Gantry key middleware.tracing.root_sample_ratio
// when set, OTEL_TRACES_SAMPLER (+ _ARG), and Gantry's default,
// parentbased_always_off. rootOnly is the root ratio of a parent-based
// sampler (for the middleware's fast paths), or -1.
func traceSampler(tc middleware.TracingConfig, explicit sdktrace.Sampler, env func(string) string) (_ sdktrace.Sampler, rootOnly float64, _ error) {
	if explicit != nil {
		return explicit, -1, nil
	}
	if r, ok := tc.RootSampleRatio.Get(); ok {
		return sdktrace.ParentBased(ratioSampler(r)), r, nil
	}
	name := env("OTEL_TRACES_SAMPLER")
	ratio := 1.0
	if arg := env("OTEL_TRACES_SAMPLER_ARG"); arg != "" && strings.HasSuffix(name, "traceidratio") {
		r, err := strconv.ParseFloat(arg, 64)
		if err != nil || !(r >= 0 && r <= 1) {
			return nil, 0, fmt.Errorf("OTEL_TRACES_SAMPLER_ARG: got %q, want a number from 0 to 1", arg)
		}
		ratio = r
	}
	switch name {
	case "", "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample()), 0, nil
	case "parentbased_always_on":
		return sdktrace.ParentBased(sdktrace.AlwaysSample()), 1, nil
	case "parentbased_traceidratio":
		return sdktrace.ParentBased(ratioSampler(ratio)), ratio, nil
	case "always_on":
		return sdktrace.AlwaysSample(), -1, nil
	case "always_off":
		return sdktrace.NeverSample(), -1, nil
	case "traceidratio":
		return ratioSampler(ratio), -1, nil
	case "jaeger_remote", "parentbased_jaeger_remote", "xray":
		return nil, 0, fmt.Errorf("OTEL_TRACES_SAMPLER: %s needs a remote sampling client that Gantry does not link; "+
			"pass your sampler with kit.WithSampler", name)
	}
	return nil, 0, fmt.Errorf("OTEL_TRACES_SAMPLER: got %q, want always_on, always_off, traceidratio or their parentbased_ forms", name)
}

func ratioSampler(r float64) sdktrace.Sampler {
	switch r {
	case 0:
		return sdktrace.NeverSample()
	case 1:
		return sdktrace.AlwaysSample()
	}
	return sdktrace.TraceIDRatioBased(r)
}

// tracePropagator reads OTEL_PROPAGATORS (default tracecontext,baggage).
func tracePropagator(v string) (propagation.TextMapPropagator, error) {
	if v == "" {
		v = "tracecontext,baggage"
	}
	var ps []propagation.TextMapPropagator
	for name := range strings.SplitSeq(v, ",") {
		switch name = strings.TrimSpace(name); name {
		case "tracecontext":
			ps = append(ps, propagation.TraceContext{})
		case "baggage":
			ps = append(ps, propagation.Baggage{})
		case "none":
			return propagation.NewCompositeTextMapPropagator(), nil
		case "b3", "b3multi", "jaeger", "xray", "ottrace":
			return nil, fmt.Errorf("OTEL_PROPAGATORS: %s is not linked into Gantry; pass it with kit.WithPropagator "+
				"(go.opentelemetry.io/contrib/propagators/...), or use tracecontext,baggage", name)
		default:
			return nil, fmt.Errorf("OTEL_PROPAGATORS: unknown propagator %q", name)
		}
	}
	return propagation.NewCompositeTextMapPropagator(ps...), nil
}

// spanLimits reads the OTEL_*_LIMIT variables as the SDK does, each
// span-specific one falling back to its general OTEL_ATTRIBUTE_* form.
func spanLimits(env func(string) string) (sdktrace.SpanLimits, error) {
	l := sdktrace.SpanLimits{
		AttributeValueLengthLimit:   sdktrace.DefaultAttributeValueLengthLimit,
		AttributeCountLimit:         sdktrace.DefaultAttributeCountLimit,
		EventCountLimit:             sdktrace.DefaultEventCountLimit,
		LinkCountLimit:              sdktrace.DefaultLinkCountLimit,
		AttributePerEventCountLimit: sdktrace.DefaultAttributePerEventCountLimit,
		AttributePerLinkCountLimit:  sdktrace.DefaultAttributePerLinkCountLimit,
	}
	var errs []error
	read := func(dst *int, keys ...string) {
		for _, k := range keys {
			if v := env(k); v != "" {
				n, err := strconv.Atoi(v)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: got %q, want an integer", k, v))
				}
				*dst = n
				return
			}
		}
	}
	read(&l.AttributeValueLengthLimit, "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT")
	read(&l.AttributeCountLimit, "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT")
	read(&l.EventCountLimit, "OTEL_SPAN_EVENT_COUNT_LIMIT")
	read(&l.LinkCountLimit, "OTEL_SPAN_LINK_COUNT_LIMIT")
	read(&l.AttributePerEventCountLimit, "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT")
	read(&l.AttributePerLinkCountLimit, "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT")
	return l, errors.Join(errs...)
}

// batchOptions reads the OTEL_BSP_* variables (milliseconds and counts).
func batchOptions(env func(string) string) ([]sdktrace.BatchSpanProcessorOption, error) {
	var opts []sdktrace.BatchSpanProcessorOption
	for _, v := range []struct {
		key string
		opt func(int) sdktrace.BatchSpanProcessorOption
	}{
		{"OTEL_BSP_SCHEDULE_DELAY", func(n int) sdktrace.BatchSpanProcessorOption {
			return sdktrace.WithBatchTimeout(time.Duration(n) * time.Millisecond)
		}},
		{"OTEL_BSP_EXPORT_TIMEOUT", func(n int) sdktrace.BatchSpanProcessorOption {
			return sdktrace.WithExportTimeout(time.Duration(n) * time.Millisecond)
		}},
		{"OTEL_BSP_MAX_QUEUE_SIZE", sdktrace.WithMaxQueueSize},
		{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", sdktrace.WithMaxExportBatchSize},
	} {
		s := env(v.key)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%s: got %q, want a positive integer", v.key, s)
		}
		opts = append(opts, v.opt(n))
	}
	return opts, nil
}
