package ratelimit

import (
	"strconv"
	"testing"
	"time"
)

func TestStoreBounds(t *testing.T) {
	tests := []struct {
		name    string
		maxKeys int
		keys    int
		step    time.Duration // time between new keys
		want    int
	}{
		{name: "below max", maxKeys: 10, keys: 5, want: 5},
		{name: "flood stays at max", maxKeys: 10, keys: 1000, want: 10},
		// Sweeps run every idle/2 (at minutes 1, 6, ... 46); the one at 46
		// keeps minutes 36-46, then 47-50 arrive.
		{name: "idle keys expire", maxKeys: 100, keys: 50, step: time.Minute, want: 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(1, 1, tt.maxKeys, 10*time.Minute)
			now := time.Unix(1e9, 0)
			for i := range tt.keys {
				now = now.Add(tt.step)
				s.get(strconv.Itoa(i), now)
			}
			if got := s.len(); got != tt.want {
				t.Errorf("got %d keys, want %d", got, tt.want)
			}
		})
	}
}
