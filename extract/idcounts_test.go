package extract

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// idCounts must count as the map[uint64]uint32 it replaced: hashes that
// share low bits (one probe run, wrapping round the table's end), the
// hash 0, repeats before and after the table grows.
func TestIDCountsMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var hashes []uint64
	for i := range 5000 {
		hashes = append(hashes, rng.Uint64())
		// Same low 20 bits: one slot's run in every table size used.
		hashes = append(hashes, uint64(i)<<20|0xfffff)
	}
	hashes = append(hashes, 0, 0, 1, 1<<63)
	c := &idCounts{slots: make([]uint64, 1<<10)}
	want := map[uint64]uint32{}
	for round := range 3 {
		for i, h := range hashes {
			if round > 0 && i%3 != round {
				continue
			}
			want[h]++
			if got := c.addHash(h); got != want[h] {
				t.Fatalf("round %d, hash %#x: count %d, want %d", round, h, got, want[h])
			}
		}
	}
	if c.used+1 != len(want) || len(c.slots) <= c.used {
		t.Fatalf("%d hashes kept in %d slots, want %d", c.used, len(c.slots), len(want)-1)
	}
}

func TestIDCountsByID(t *testing.T) {
	c := newIDCounts()
	for i := range 3000 {
		if n := c.add("doc" + strconv.Itoa(i)); n != 1 {
			t.Fatalf("doc%d first seen: %d", i, n)
		}
	}
	for _, want := range []uint32{2, 3} {
		for i := 0; i < 3000; i += 7 {
			if n := c.add("doc" + strconv.Itoa(i)); n != want {
				t.Fatalf("doc%d: %d, want %d", i, n, want)
			}
		}
	}
}
