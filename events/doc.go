// Package events is typed publish/subscribe over NATS JetStream: the
// asynchronous half of Gantry, for facts a service announces ("order
// created") and other services react to, at least once, in their own time.
//
// It is its own package, not part of transport/nats, because it is not a
// transport of endpoints: there is no reply, the unit is a stored event
// with an ID, and the hard parts (acks, back-off, dead letters,
// idempotency) have nothing to do with request-reply. Business code imports
// it to publish; transport/nats stays a small request-reply transport. It
// depends on nats.go's jetstream package and errs only.
//
// Publish: [NewPublisher] for a subject, then [Publisher.Publish] with an
// event ID. The ID goes out as Nats-Msg-Id, so a retried publish is stored
// once; the call waits for the stream's ack, and when the ack does not come
// (the server or the stream's leader went away) it sends the event again
// with the same ID until ctx ends. Payloads are JSON unless [WithCodec]
// says otherwise; event type, version and the trace context travel in
// headers.
//
// Subscribe: [NewSubscriber] with a [Consumer] (stream, durable name and
// policy) and a [Handler]. Start declares the durable pull consumer (and a
// dead-letter stream) and consumes with at most Consumer.Concurrency
// handlers running. Pull requests are kept outstanding (jetstream's
// Consume), so handlers do not wait a round trip per batch, yet no more
// than Consumer.Prefetch events (16 per handler by default) wait in memory
// for a handler while their AckWait runs. With Concurrency 1 events are
// handled in stream order. What happens to an event:
//
//   - handler returns nil: acked, done;
//   - handler returns an error: naked, redelivered after the Backoff delay
//     for that attempt;
//   - [Permanent] error or errs.InvalidArgument, the MaxDeliver-th failed
//     delivery, or a payload the codec cannot decode: published to the
//     dead-letter subject with all its headers plus Gantry-Dead-Reason and
//     friends, then terminated, never redelivered;
//   - the process dies: redelivered after AckWait.
//
// Delivery is at least once, so wrap handlers with [Idempotent] and a
// [Store] kept in the service's own database: a redelivered event is then
// applied once. [MemoryStore] is the in-memory Store for tests.
//
// Observability: [WithTracerProvider] links the consumer's span to the
// producer's through the headers; [WithRegisterer] counts outcomes and
// times handlers and publishes.
//
// Shutdown: [Subscriber.Stop] stops pulling, lets the pull requests at the
// server end (about FetchWait), hands every event received to the handlers
// and waits for them and their answers, so no event is left to AckWait
// (short of a reconnection during Stop, or an event published at the very
// instant Stop unsubscribes from an idle stream); then drain the
// connection. A drain that has not finished within FetchWait (at least
// 1 s) plus 5 s is cut short with a warning, so Stop stays within a
// shutdown deadline: no further event goes to a handler, and the events
// received and not yet handled come again after AckWait. Handlers slower
// than that hold a drain; so does a defect of nats.go v1.53.1 after a
// reconnection during Stop (a cluster node killed), which leaves one of
// the client's goroutines blocked for good. A Subscriber survives
// reconnections and a server restart on its own. Declare streams in code
// with [EnsureStream].
//
// # Durability: what Gantry recommends, and why
//
// JetStream acknowledges a write before it reaches the disk: each server
// fsyncs its files every sync_interval, two minutes by default. Until then
// the writes sit in the kernel's page cache, which survives a killed
// server process but not a power loss or kernel crash. Jepsen's analysis
// of NATS 2.12.1 (https://jepsen.io/analyses/nats-2.12.1, December 2025)
// lost acknowledged writes on coordinated power failures, and on an OS
// crash of one node combined with network delays or process pauses;
// nats-io/nats-server#7564 tracks that default. nats-io/nats-server#7545
// reports acknowledged writes lost in 2.12.1 when membership changes meet
// process kills and partitions, even with sync_interval: always. Hence:
//
//   - In production run a cluster of three nodes and give every stream,
//     and the discovery and configuration buckets, three replicas
//     (StreamConfig.Replicas; GANTRY_NATS_REPLICAS=3 for the buckets, and
//     kit/natskit's NATS.Replicas for the streams a service declares): an
//     ack then means a majority holds the event, and losing any one node,
//     by a crash or a restart, loses nothing acknowledged. The dead-letter
//     stream a Subscriber declares takes its stream's replica count.
//   - Where a coordinated power failure (one rack, one zone) must not lose
//     the last events, set sync_interval: always on every node, at a cost
//     in publish throughput, and spread the nodes across failure domains.
//   - On one server (the embedded default, a single nats-server), replicas
//     cannot help: with sync_interval: always (embedded.Options.SyncAlways
//     in transport/nats/embedded) a power loss keeps every acknowledged
//     event; with the default it may lose up to two minutes of them. The
//     embedded server is meant for one machine.
//   - Change cluster membership (peer removal, new nodes) one node at a
//     time, with every stream current, and never during other faults.
//   - Keep the source of truth in the service's database and publish
//     through an outbox that sends an event again, with the same ID, until
//     its ack comes. That repairs an event lost before its ack, not one
//     lost after it: the points above are for those.
package events
