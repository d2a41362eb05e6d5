package output

import (
	"archive/zip"
	"bufio"
	"bytes"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/klauspost/compress/flate"
)

// chunkDeflater deflates a stream given in chunks on every core and writes
// one deflate stream, in order, to w. Each chunk is compressed on its own
// (a sync flush ends it on a byte boundary) and the pieces are
// concatenated: a valid stream whose back-references stay inside a chunk,
// which at a megabyte a chunk costs under 1% of the size. The Findings
// sheet is most of a workbook's bytes: deflated on one goroutine, it held
// a run to what one core could compress.
type chunkDeflater struct {
	w       *bufio.Writer
	counter *countingWriter
	order   chan *deflateChunk
	done    chan struct{}
	crc     uint32
	size    int64
	err     error // the first write error, read after done
}

type deflateChunk struct {
	raw, packed []byte
	ready       chan struct{}
}

// deflateChunkSize is how much XML one chunk holds.
const deflateChunkSize = 1 << 20

// deflateSlots bounds the chunks being compressed at once, over all
// sheets: one per core.
var deflateSlots = make(chan struct{}, runtime.GOMAXPROCS(0))

var deflaters = sync.Pool{New: func() any {
	zw, _ := flate.NewWriter(io.Discard, flate.BestSpeed)
	return zw
}}

// rawBufs hold a chunk's XML, packedBufs its deflated bytes.
var rawBufs, packedBufs = sync.Pool{New: func() any { return new([]byte) }}, sync.Pool{New: func() any { return new([]byte) }}

func newChunkDeflater(w io.Writer) *chunkDeflater {
	c := &chunkDeflater{counter: &countingWriter{w: bufio.NewWriterSize(w, 1<<16)},
		order: make(chan *deflateChunk, 4), done: make(chan struct{})}
	c.w = c.counter.w
	go c.writeInOrder()
	return c
}

// add compresses raw (which it takes over) in the background; chunks come
// out in the order they were added. At most four chunks a sheet wait to
// be written, so memory stays bounded when the disk is slow.
func (c *chunkDeflater) add(raw []byte) {
	ch := &deflateChunk{raw: raw, ready: make(chan struct{})}
	c.order <- ch
	go func() {
		deflateSlots <- struct{}{}
		defer func() { <-deflateSlots; close(ch.ready) }()
		buf := packedBufs.Get().(*[]byte)
		out := bytes.NewBuffer((*buf)[:0])
		zw := deflaters.Get().(*flate.Writer)
		zw.Reset(out)
		zw.Write(ch.raw) // writes to a bytes.Buffer do not fail
		zw.Flush()
		deflaters.Put(zw)
		ch.packed = out.Bytes()
	}()
}

func (c *chunkDeflater) writeInOrder() {
	defer close(c.done)
	for ch := range c.order {
		<-ch.ready
		c.crc = crc32.Update(c.crc, crc32.IEEETable, ch.raw)
		c.size += int64(len(ch.raw))
		if c.err == nil {
			_, c.err = c.counter.Write(ch.packed)
		}
		raw, packed := ch.raw[:0], ch.packed[:0]
		rawBufs.Put(&raw)
		packedBufs.Put(&packed)
	}
}

// finalBlock ends a deflate stream: an empty stored block marked final.
var finalBlock = []byte{0x01, 0x00, 0x00, 0xff, 0xff}

// close waits for every chunk, ends the stream and flushes; it returns the
// first error.
func (c *chunkDeflater) close() error {
	close(c.order)
	<-c.done
	if c.err == nil {
		_, c.err = c.counter.Write(finalBlock)
	}
	if c.err == nil {
		c.err = c.w.Flush()
	}
	return c.err
}

// abort drops what is queued.
func (c *chunkDeflater) abort() {
	close(c.order)
	<-c.done
}

// chunkBuf is an empty buffer for the next chunk.
func chunkBuf() []byte {
	b := *rawBufs.Get().(*[]byte)
	if cap(b) < deflateChunkSize+64<<10 {
		return make([]byte, 0, deflateChunkSize+64<<10)
	}
	return b[:0]
}

type countingWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// deflatedPart is one part of the workbook (a sheet, the shared strings)
// written to a temporary file beside the workbook as it is made, and
// copied into the zip as it is at the end.
type deflatedPart struct {
	tmp *os.File
	// z deflates the body into tmp; nil once finished.
	z *chunkDeflater
	// buf collects the XML, handed to the deflater a chunk at a time.
	buf []byte
	// crc and size are the uncompressed body's checksum and length, and
	// packed the compressed length, for the zip entry.
	crc    uint32
	size   int64
	packed int64
}

// start opens the part's file, named after the workbook and the part
// (".findings.xlsx.partial-sheet-*", "…partial-strings-*") so that what an
// interrupted run left is plainly unfinished, and the next run's clean-up
// of ".*.partial-*" removes it.
func (p *deflatedPart) start(workbook, kind string) error {
	f, err := os.CreateTemp(filepath.Dir(workbook), "."+filepath.Base(workbook)+".partial-"+kind+"-*")
	if err != nil {
		return err
	}
	// The body is deflated as it is written, a chunk at a time on every
	// core: compression overlaps the run instead of being a serial tail at
	// the end, and the temporary file is a fraction of the XML's size.
	p.tmp, p.z, p.buf = f, newChunkDeflater(f), chunkBuf()
	return nil
}

// startIn deflates the part straight into w (the workbook's own zip
// entry) instead of a temporary file.
func (p *deflatedPart) startIn(w io.Writer) {
	p.z, p.buf = newChunkDeflater(w), chunkBuf()
}

// flushFull hands buf to the deflater once it holds a chunk.
func (p *deflatedPart) flushFull() {
	if len(p.buf) >= deflateChunkSize {
		p.z.add(p.buf)
		p.buf = chunkBuf()
	}
}

// finishPart deflates what buf still holds, ends the stream and rewinds
// the file (if it has one) for copying into the workbook.
func (p *deflatedPart) finishPart() error {
	p.z.add(p.buf)
	p.buf = nil
	z := p.z
	p.z = nil
	if err := z.close(); err != nil {
		return err
	}
	p.crc, p.size, p.packed = z.crc, z.size, z.counter.n
	if p.tmp == nil {
		return nil
	}
	_, err := p.tmp.Seek(0, io.SeekStart)
	return err
}

// zipHeader is the zip entry of the deflated body.
func (p *deflatedPart) zipHeader(name string) *zip.FileHeader {
	return &zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: p.crc,
		CompressedSize64: uint64(p.packed), UncompressedSize64: uint64(p.size)}
}

func (p *deflatedPart) remove() {
	if p.z != nil {
		p.z.abort()
		p.z = nil
	}
	if p.tmp == nil {
		return
	}
	p.tmp.Close()
	os.Remove(p.tmp.Name())
}
