// Package liveconfig applies centralized configuration: an overlay document
// for one service, kept at a key of a shared store, is read when the
// service starts and watched while it runs, so that settings change without
// a restart or a deploy. The stores are [Source]s: discovery/natskv's
// ConfigSource reads a NATS JetStream key-value bucket, discovery/etcd's
// ConfigSource reads etcd, and [Memory] holds documents in process. The
// package itself imports no store's client.
//
// An [Overlay] knows two kinds of settings by their dotted key paths:
//
//   - dynamic settings ([Dynamic]): a typed value with a validation and an
//     apply function, such as the log level (a slog.LevelVar), feature
//     flags ([Flags]) or a rate limit the service owns. A key the overlay
//     does not hold gets the setting's base value again, so deleting a key
//     reverts the change.
//   - static settings ([Overlay.Static]): values read once at start, such as
//     listen addresses. An overlay that changes one is reported as needing
//     a restart, and nothing else happens to it.
//
// A document is applied all or nothing: malformed YAML, an unknown key, a
// value of the wrong type or one its validation refuses rejects the whole
// document, and every setting keeps its current value. [Overlay.Run] logs
// what it applied (info), what needs a restart (warn) and what it rejected
// (error), and [Overlay.Status] says the same to code, e.g. an admin page.
//
// The overlay is YAML (JSON is YAML too) with the same key paths as the
// settings it changes:
//
//	log_level: debug
//	features: {new_checkout: true}
//	http_addr: ":9000"   # static: reported as needing a restart
//
// A configuration struct's live keys are one table of [Key]s, made with
// [Field] and kept next to the code that applies the struct (the
// middleware chains' are middleware.LiveKeys and ClientLiveKeys): [Bind]
// makes a table live on an Overlay, with one validation and one apply
// function for the struct, and the owner applies a value with
// [Key.Copy]. One more entry in a table is one more live key.
//
// kit wires it: App.WatchConfig makes an Overlay with the runtime's live
// and static keys and runs it while the App runs. kit.LiveKeys lists the
// live ones (its package documentation shows the list); every other
// gantry.* key is static.
package liveconfig
