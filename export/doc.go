// Package export writes a model's weights in the safetensors format — the
// one PyTorch (safetensors.torch.load_file) and Hugging Face tools load —
// with a model card beside them, and reads such weights back into a model.
//
// # Format
//
// A safetensors file (https://github.com/huggingface/safetensors) is an
// 8-byte little-endian header length N, N bytes of JSON naming each tensor's
// dtype, shape and byte range, then the raw little-endian values. The
// encoding and decoding are github.com/nlpodyssey/safetensors's; this
// package adds the checks a loader of untrusted files needs (header at most
// 100 MB, as in the reference implementation, before anything is read;
// nothing allocated beyond the bytes actually present) and the mapping
// between a model's parameters and the file's tensors.
//
// # Names, shapes and layouts
//
// With the zero Options a tensor is named after its parameter ("dense0/W",
// "layer3/b") and has the parameter's shape and dtype (F32 or F64): dense
// weights are (in, out) and biases (1, out), as in gradtune.
//
// With Options.Torch the file is what a PyTorch user expects of
// nn.Linear layers: every 2-D parameter whose name ends in "/W" is written
// transposed, (out, in), and every "/b" of shape (1, n) as (n); the names
// are TorchName's ("dense1/W" of an MLP → "2.weight", "layer0/b" of a
// Sequential → "0.bias", "linear/W" → "weight"), so that
// torch.nn.Sequential(Linear, ReLU, Linear, …).load_state_dict accepts the
// file. Other parameters keep their shapes. Options.Rename replaces the
// names in either layout.
//
// The header's __metadata__ holds "format": "pt" (which Hugging Face's
// loaders check), "gradtune.format" (this layout's version),
// "gradtune.layout" ("gradtune" or "torch") and "gradtune.architecture" (the
// Architecture as JSON).
//
// # Loading
//
// Read and ReadFile load a file into a model of the same shapes; a missing
// or extra tensor, or a dtype or shape that differs, is an error wrapping
// ErrMismatch that names the tensor and both shapes, and a file that is not
// valid safetensors is an error wrapping ErrFormat. Loading is all or
// nothing: on any error the model's parameters are unchanged.
//
// Every function taking a *model.Model returns an error for a nil one or
// one not made by model.New (the zero Model has nothing to export).
package export
