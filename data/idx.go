package data

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// IDX magic numbers: two zero bytes, the element type (0x08: unsigned byte)
// and the number of dimensions.
const (
	idxImagesMagic = 0x00000803 // ubyte, 3 dimensions (n, rows, cols)
	idxLabelsMagic = 0x00000801 // ubyte, 1 dimension (n)
)

// DefaultIDXMaxBytes is the cap on the pixels or labels of one IDX file, in
// bytes after decompression, that IDXLimits{} applies: 128 MiB, 2.7 times
// MNIST's 47 MB of training pixels. Raise it (IDXLimits.MaxBytes,
// MNISTConfig.MaxBytes) for larger sets such as EMNIST (550 MB).
const DefaultIDXMaxBytes = 128 << 20

// IDXLimits bounds what the IDX readers allocate; its zero value applies the
// defaults. Whatever the cap, a reader allocates no more than the bytes that
// have arrived (twice that while growing), or than the bytes available when
// r tells them (a *bytes.Reader, *os.File or anything with Len() int), so a
// header claiming a huge size costs nothing.
type IDXLimits struct {
	// MaxBytes caps the pixels (n*rows*cols) or labels (n) a file may
	// declare, and the bytes a gzip stream may hold after them; 0 means
	// DefaultIDXMaxBytes. Negative is an error wrapping ErrLimit.
	MaxBytes int64
}

// ReadIDXImages reads images in the IDX3 format: the magic number 0x00000803,
// then n, rows and cols as big-endian uint32s, then n*rows*cols pixel bytes,
// image after image, row after row. A gzip stream (first bytes 0x1f 0x8b) is
// decompressed first, and its checksum verified. Bytes after the pixels are
// ignored. It is IDXLimits{}.ReadImages: at most DefaultIDXMaxBytes of pixels.
//
// Errors wrap ErrFormat: a wrong magic number (naming it), a truncated header
// or truncated pixels (saying how many bytes were expected and read, and also
// wrapping io.ErrUnexpectedEOF), a bad gzip stream, sizes whose product
// overflows, or a nil r. Sizes over the cap wrap ErrLimit. Errors from r are
// returned wrapped.
func ReadIDXImages(r io.Reader) (pixels []byte, n, rows, cols int, err error) {
	return IDXLimits{}.ReadImages(r)
}

// ReadIDXLabels reads labels in the IDX1 format: the magic number 0x00000801,
// n as a big-endian uint32, then n label bytes. A gzip stream is decompressed
// first and bytes after the labels are ignored, as in [ReadIDXImages]. It is
// IDXLimits{}.ReadLabels.
//
// Errors: as [ReadIDXImages].
func ReadIDXLabels(r io.Reader) ([]byte, error) {
	return IDXLimits{}.ReadLabels(r)
}

// ReadImages is [ReadIDXImages] with l's cap.
func (l IDXLimits) ReadImages(r io.Reader) (pixels []byte, n, rows, cols int, err error) {
	limit, err := l.maxBytes()
	if err != nil {
		return nil, 0, 0, 0, err
	}
	avail, known := availableBytes(r)
	r, finish, gzipped, err := maybeGunzip(r, limit)
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
	if int64(size) > limit {
		return nil, 0, 0, 0, fmt.Errorf("%w: images: %d × %d × %d = %d pixel bytes, over the cap of %d (IDXLimits.MaxBytes, MNISTConfig.MaxBytes)",
			ErrLimit, n, rows, cols, size, limit)
	}
	if pixels, err = readBody(r, size, bodyBytes(avail, known && !gzipped, 16), "images"); err != nil {
		return nil, 0, 0, 0, err
	}
	if err := finish("images"); err != nil {
		return nil, 0, 0, 0, err
	}
	return pixels, n, rows, cols, nil
}

// ReadLabels is [ReadIDXLabels] with l's cap.
func (l IDXLimits) ReadLabels(r io.Reader) ([]byte, error) {
	limit, err := l.maxBytes()
	if err != nil {
		return nil, err
	}
	avail, known := availableBytes(r)
	r, finish, gzipped, err := maybeGunzip(r, limit)
	if err != nil {
		return nil, err
	}
	dims, err := readIDXHeader(r, idxLabelsMagic, 1, "labels")
	if err != nil {
		return nil, err
	}
	if int64(dims[0]) > limit {
		return nil, fmt.Errorf("%w: labels: %d label bytes, over the cap of %d (IDXLimits.MaxBytes, MNISTConfig.MaxBytes)",
			ErrLimit, dims[0], limit)
	}
	labels, err := readBody(r, dims[0], bodyBytes(avail, known && !gzipped, 8), "labels")
	if err != nil {
		return nil, err
	}
	if err := finish("labels"); err != nil {
		return nil, err
	}
	return labels, nil
}

// maxBytes returns l.MaxBytes, or the default for 0.
func (l IDXLimits) maxBytes() (int64, error) {
	switch {
	case l.MaxBytes < 0:
		return 0, fmt.Errorf("%w: IDXLimits.MaxBytes is %d, want 0 (the default, %d) or more", ErrLimit, l.MaxBytes, DefaultIDXMaxBytes)
	case l.MaxBytes == 0:
		return DefaultIDXMaxBytes, nil
	}
	return l.MaxBytes, nil
}

// availableBytes returns how many bytes r still holds, when it can tell:
// anything with Len() int (bytes.Reader, strings.Reader, bytes.Buffer) or a
// regular *os.File (its size less its offset).
func availableBytes(r io.Reader) (int64, bool) {
	switch r := r.(type) {
	case interface{ Len() int }:
		return int64(r.Len()), true
	case *os.File:
		st, err := r.Stat()
		if err != nil || !st.Mode().IsRegular() {
			return 0, false
		}
		off, err := r.Seek(0, io.SeekCurrent)
		if err != nil || off > st.Size() {
			return 0, false
		}
		return st.Size() - off, true
	}
	return 0, false
}

// bodyBytes returns the bytes available after a header of headerLen bytes,
// or -1 when that is not known.
func bodyBytes(avail int64, known bool, headerLen int64) int64 {
	if !known {
		return -1
	}
	return max(avail-headerLen, 0)
}

// maybeGunzip returns a reader of r's bytes, decompressed if they start with
// the gzip magic bytes (gzipped then true), and a function to call after
// reading what is needed: for gzip it reads the stream to its end, so that
// its checksum and length are verified, and returns an error wrapping
// ErrFormat if they are wrong, or ErrLimit if more than maxAfter bytes
// follow the data (a zip bomb hidden after it would otherwise cost time).
func maybeGunzip(r io.Reader, maxAfter int64) (_ io.Reader, finish func(what string) error, gzipped bool, _ error) {
	if r == nil {
		return nil, nil, false, fmt.Errorf("%w: nil io.Reader, want one reading IDX data", ErrFormat)
	}
	br := bufio.NewReader(r)
	head, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, false, fmt.Errorf("data: reading IDX: %w", err)
	}
	if len(head) < 2 || head[0] != 0x1f || head[1] != 0x8b {
		return br, func(string) error { return nil }, false, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, nil, false, fmt.Errorf("%w: gzip: %w", ErrFormat, err)
	}
	finish = func(what string) error {
		n, err := io.CopyN(io.Discard, zr, maxAfter+1)
		switch {
		case n > maxAfter:
			return fmt.Errorf("%w: %s: the gzip stream holds more than %d bytes after the data (IDXLimits.MaxBytes)", ErrLimit, what, maxAfter)
		case err == nil || errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("%w: %s: gzip stream truncated after the data: %w", ErrFormat, what, err)
		}
		return gzipError(what, err)
	}
	return zr, finish, true, nil
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

// readBody reads exactly size bytes, of which avail are known to be there
// (-1: not known). It allocates what is known to be there, else grows its
// buffer as data arrives, so a header claiming a huge size costs nothing.
func readBody(r io.Reader, size int, avail int64, what string) ([]byte, error) {
	const initial = 64 << 10 // the first allocation when avail is unknown
	if avail >= 0 && int64(size) > avail {
		return nil, truncated(what, size, int(avail), io.ErrUnexpectedEOF)
	}
	buf := make([]byte, 0, min(size, initial))
	if avail >= 0 {
		buf = make([]byte, 0, size)
	}
	for len(buf) < size {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(size, 2*cap(buf)))
			copy(grown, buf)
			buf = grown
		}
		n, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			return nil, truncated(what, size, len(buf), err)
		}
	}
	return buf, nil
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
