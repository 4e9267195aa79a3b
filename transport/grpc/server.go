package grpc

import (
	"context"
	"errors"
	"net"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
)

// Server is a grpc.Server with the parts every Gantry service wants:
// grpc.health.v1 (SERVING for each registered service and for "" while it
// runs, NOT_SERVING from the moment shutdown starts), server reflection,
// tracing and metrics as configured by its options, and a shutdown that
// drains in-flight calls with GracefulStop.
//
// Register services, then Serve; call Shutdown once to stop. The methods
// are safe for concurrent use.
type Server struct {
	srv    *grpc.Server
	health *health.Server
	obs    *serverObserver // nil without tracing, propagation and metrics

	mu       sync.Mutex
	services []string
	draining bool
}

// NewServer returns a Server configured by opts. With no options it neither
// traces nor records metrics.
func NewServer(opts ...Option) *Server {
	o := newOptions(opts)
	var sopts []grpc.ServerOption
	obs := newServerObserver(o)
	if obs != nil {
		sopts = append(sopts, grpc.ChainUnaryInterceptor(obs.unary), grpc.ChainStreamInterceptor(obs.stream))
	}
	sopts = append(sopts, o.serverOpts...)
	s := &Server{srv: grpc.NewServer(sopts...), health: health.NewServer(), obs: obs}
	healthpb.RegisterHealthServer(s.srv, s.health)
	reflection.Register(s.srv)
	s.learn()
	return s
}

// RegisterService registers a service implementation (it makes Server a
// grpc.ServiceRegistrar, so generated RegisterXServer functions accept it)
// and marks the service SERVING in the health service, unless shutdown has
// begun. Register every service before Serve.
func (s *Server) RegisterService(desc *grpc.ServiceDesc, impl any) {
	s.srv.RegisterService(desc, impl)
	s.learn()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.services = append(s.services, desc.ServiceName)
	s.health.SetServingStatus(desc.ServiceName, healthpb.HealthCheckResponse_SERVING)
}

// learn tells the observer the methods registered so far: calls of any
// other method are recorded as _OTHER.
func (s *Server) learn() {
	if s.obs == nil {
		return
	}
	for svc, info := range s.srv.GetServiceInfo() {
		for _, m := range info.Methods {
			s.obs.methods.add("/" + svc + "/" + m.Name)
		}
	}
}

// Services returns the names of the services registered so far, excluding
// health and reflection. A caller owns the returned slice.
func (s *Server) Services() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.services...)
}

// GRPC returns the underlying grpc.Server, for what this type does not
// cover (GetServiceInfo, raw registration).
func (s *Server) GRPC() *grpc.Server { return s.srv }

// Serve accepts connections on lis until Shutdown; it returns nil after a
// Shutdown, and the listener's error otherwise.
func (s *Server) Serve(lis net.Listener) error {
	err := s.srv.Serve(lis)
	if errors.Is(err, grpc.ErrServerStopped) {
		return nil
	}
	return err
}

// Drain marks every service (and "") NOT_SERVING without refusing calls,
// so that health-checking load balancers move traffic away before the
// listener closes. Shutdown calls it first; an App may call it earlier, when
// its drain phase starts. It is idempotent.
func (s *Server) Drain() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.draining {
		s.draining = true
		s.health.Shutdown()
	}
}

// Shutdown drains the health status, then stops accepting new calls and
// waits for in-flight ones (GracefulStop). If ctx ends first, it closes
// every connection at once (Stop) and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.Drain()
	done := make(chan struct{})
	go func() {
		s.srv.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.srv.Stop()
		<-done
		return ctx.Err()
	}
}
