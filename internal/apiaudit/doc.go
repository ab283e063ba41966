// Package apiaudit holds, in its tests only, the panic audit of gradtune's
// public API (issue 13): every exported function and method of the packages
// in auditedPackages is called with zero values, nil, empty slices, NaN, ±Inf,
// negative and huge sizes and a nil context, in a child process watched for
// panics, aborts and allocations over 256 MiB.
//
//	go test ./internal/apiaudit -run TestNoPanicEscapes -v
//
// lists every finding; APIAUDIT_VERBOSE=1 also prints every call, and
// APIAUDIT_ONLY=model,trainer/ audits only the packages named (prefixes).
package apiaudit
