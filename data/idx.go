package data

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// IDX magic numbers: two zero bytes, the element type (0x08: unsigned byte)
// and the number of dimensions.
const (
	idxImagesMagic = 0x00000803 // ubyte, 3 dimensions (n, rows, cols)
	idxLabelsMagic = 0x00000801 // ubyte, 1 dimension (n)
)

// ReadIDXImages reads images in the IDX3 format: the magic number 0x00000803,
// then n, rows and cols as big-endian uint32s, then n*rows*cols pixel bytes,
// image after image, row after row. A gzip stream (first bytes 0x1f 0x8b) is
// decompressed first, and its checksum verified. Bytes after the pixels are
// ignored.
//
// Errors wrap ErrFormat: a wrong magic number (naming it), a truncated header
// or truncated pixels (saying how many bytes were expected and read, and also
// wrapping io.ErrUnexpectedEOF), a bad gzip stream, or sizes whose product
// overflows. Errors from r are returned wrapped.
func ReadIDXImages(r io.Reader) (pixels []byte, n, rows, cols int, err error) {
	r, finish, err := maybeGunzip(r)
	if err != nil {
		return nil, 0, 0, 0, err
	}
	dims, err := readIDXHeader(r, idxImagesMagic, 3, "images")
	if err != nil {
		return nil, 0, 0, 0, err
	}
	n, rows, cols = dims[0], dims[1], dims[2]
	size, ok := product(n, rows, cols)
	if !ok {
		return nil, 0, 0, 0, fmt.Errorf("%w: images: %d × %d × %d pixels overflow", ErrFormat, n, rows, cols)
	}
	if pixels, err = readBody(r, size, "images"); err != nil {
		return nil, 0, 0, 0, err
	}
	if err := finish("images"); err != nil {
		return nil, 0, 0, 0, err
	}
	return pixels, n, rows, cols, nil
}

// ReadIDXLabels reads labels in the IDX1 format: the magic number 0x00000801,
// n as a big-endian uint32, then n label bytes. A gzip stream is decompressed
// first and bytes after the labels are ignored, as in [ReadIDXImages].
//
// Errors: as [ReadIDXImages].
func ReadIDXLabels(r io.Reader) ([]byte, error) {
	r, finish, err := maybeGunzip(r)
	if err != nil {
		return nil, err
	}
	dims, err := readIDXHeader(r, idxLabelsMagic, 1, "labels")
	if err != nil {
		return nil, err
	}
	labels, err := readBody(r, dims[0], "labels")
	if err != nil {
		return nil, err
	}
	if err := finish("labels"); err != nil {
		return nil, err
	}
	return labels, nil
}

// maybeGunzip returns a reader of r's bytes, decompressed if they start with
// the gzip magic bytes, and a function to call after reading what is needed:
// for gzip it reads the stream to its end, so that its checksum and length
// are verified, and returns an error wrapping ErrFormat if they are wrong.
func maybeGunzip(r io.Reader) (io.Reader, func(what string) error, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("data: reading IDX: %w", err)
	}
	if len(head) < 2 || head[0] != 0x1f || head[1] != 0x8b {
		return br, func(string) error { return nil }, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: gzip: %w", ErrFormat, err)
	}
	finish := func(what string) error {
		_, err := io.Copy(io.Discard, zr)
		if err == nil {
			return nil
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: %s: gzip stream truncated after the data: %w", ErrFormat, what, err)
		}
		return gzipError(what, err)
	}
	return zr, finish, nil
}

// readIDXHeader reads and checks the magic number, then reads ndims
// big-endian uint32 sizes.
func readIDXHeader(r io.Reader, magic uint32, ndims int, what string) ([]int, error) {
	want := 4 * (1 + ndims)
	buf := make([]byte, want)
	if got, err := io.ReadFull(r, buf[:4]); err != nil {
		return nil, truncated(what+" header", want, got, err)
	}
	if m := binary.BigEndian.Uint32(buf); m != magic {
		return nil, fmt.Errorf("%w: %s: magic number 0x%08x, want 0x%08x", ErrFormat, what, m, magic)
	}
	if got, err := io.ReadFull(r, buf[4:]); err != nil {
		return nil, truncated(what+" header", want, 4+got, err)
	}
	dims := make([]int, ndims)
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(buf[4*(i+1):]))
	}
	return dims, nil
}

// readBody reads exactly size bytes. It grows its buffer as data arrives,
// so a header claiming a huge size does not allocate it up front.
func readBody(r io.Reader, size int, what string) ([]byte, error) {
	const initial = 64 << 20 // allocate at most 64 MiB before data arrives
	var buf bytes.Buffer
	buf.Grow(min(size, initial))
	got, err := io.CopyN(&buf, r, int64(size))
	if err != nil {
		return nil, truncated(what, size, int(got), err)
	}
	return buf.Bytes(), nil
}

// truncated wraps ErrFormat (and io.ErrUnexpectedEOF when the data ended)
// saying how many bytes of what were expected and read.
func truncated(what string, want, got int, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %s truncated: expected %d bytes, got %d: %w",
			ErrFormat, what, want, got, io.ErrUnexpectedEOF)
	}
	return gzipError(fmt.Sprintf("%s after %d of %d bytes", what, got, want), err)
}

// gzipError wraps ErrFormat around err if it tells of a corrupt gzip stream;
// other errors (from the underlying reader) are only wrapped with context.
func gzipError(what string, err error) error {
	var corrupt flate.CorruptInputError
	if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.As(err, &corrupt) {
		return fmt.Errorf("%w: %s: bad gzip stream: %w", ErrFormat, what, err)
	}
	return fmt.Errorf("data: reading IDX %s: %w", what, err)
}

// product returns a*b*c and whether it fits in an int.
func product(a, b, c int) (int, bool) {
	p := 1
	for _, v := range []int{a, b, c} {
		if v < 0 || v != 0 && p > math.MaxInt/v { // v < 0: a uint32 above MaxInt on 32-bit platforms
			return 0, false
		}
		p *= v
	}
	return p, true
}
