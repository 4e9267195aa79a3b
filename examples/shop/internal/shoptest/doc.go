// Package shoptest holds the shop's observability promise to what a user's
// own tools see, for the shop in one process (package main's tests) and as
// separate processes (cmd's tests) alike: the spans of one order as an
// OTLP/HTTP receiver decoded them (internal/otlptest), and every JSON log
// line of every service parsed by a duplicate-key-rejecting parser
// (internal/logcheck). Tests import it; nothing else does.
package shoptest
