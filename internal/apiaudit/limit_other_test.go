//go:build !unix

package apiaudit

func limitMemory() {}
