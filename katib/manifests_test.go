package katib_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// TestWorkerJobManifest reads deploy/k8s/tune-workers.yaml (kept in the core
// module's tree, parsed here so that k8s.io/api stays out of the core
// module) with Kubernetes' own types, strictly, and checks the wiring that
// a typo would break silently: an Indexed Job of several pods whose storage
// URL comes from the Secret in the same file, and every $(VAR) in the
// arguments defined in the container's environment.
func TestWorkerJobManifest(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "deploy", "k8s", "tune-workers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var secret *corev1.Secret
	var job *batchv1.Job
	for i, doc := range bytes.Split(raw, []byte("\n---\n")) {
		var head struct{ Kind string }
		if err := yaml.Unmarshal(doc, &head); err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		switch head.Kind {
		case "Secret":
			secret = new(corev1.Secret)
			err = yaml.UnmarshalStrict(doc, secret)
		case "Job":
			job = new(batchv1.Job)
			err = yaml.UnmarshalStrict(doc, job)
		default:
			t.Fatalf("document %d has kind %q, want Secret or Job", i, head.Kind)
		}
		if err != nil {
			t.Fatalf("document %d (%s) does not decode as Kubernetes' type: %v", i, head.Kind, err)
		}
	}
	if secret == nil || job == nil {
		t.Fatalf("secret %v, job %v: want one of each", secret != nil, job != nil)
	}

	s := job.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion {
		mode := batchv1.CompletionMode("(unset)")
		if s.CompletionMode != nil {
			mode = *s.CompletionMode
		}
		t.Errorf("completionMode %s, want Indexed", mode)
	}
	if s.Completions == nil || s.Parallelism == nil || *s.Completions < 2 || *s.Parallelism != *s.Completions {
		t.Errorf("completions %v, parallelism %v: want several pods, all at once", s.Completions, s.Parallelism)
	}
	pod := s.Template.Spec
	if pod.RestartPolicy != corev1.RestartPolicyOnFailure && pod.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy %q, want OnFailure or Never (a Job's only choices)", pod.RestartPolicy)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	if c.Image == "" || len(c.Command) == 0 {
		t.Errorf("image %q, command %q: want both", c.Image, c.Command)
	}

	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
	}
	storage, ok := env["GRADTUNE_STORAGE_URL"]
	if !ok || storage.ValueFrom == nil || storage.ValueFrom.SecretKeyRef == nil {
		t.Fatalf("GRADTUNE_STORAGE_URL %+v, want it from a Secret", storage)
	}
	ref := storage.ValueFrom.SecretKeyRef
	url, ok := secret.StringData[ref.Key]
	if ref.Name != secret.Name || !ok {
		t.Errorf("the URL comes from secret %s key %s; the file's Secret is %s with keys %v", ref.Name, ref.Key, secret.Name, secret.StringData)
	}
	if !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
		t.Errorf("secret URL %q, want postgres://", url)
	}

	varRef := regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)
	flags := map[string]string{}
	for _, a := range c.Args {
		for _, m := range varRef.FindAllStringSubmatch(a, -1) {
			if _, ok := env[m[1]]; !ok {
				t.Errorf("argument %q uses $(%s), which the container's env does not define (Kubernetes would pass it literally)", a, m[1])
			}
		}
		if name, value, ok := strings.Cut(a, "="); ok {
			flags[name] = value
		}
	}
	if flags["--storage"] != "$(GRADTUNE_STORAGE_URL)" || flags["--study"] == "" || flags["--workers"] == "" {
		t.Errorf("flags %v, want --storage=$(GRADTUNE_STORAGE_URL), a --study and --workers", flags)
	}
	if idx := env["JOB_COMPLETION_INDEX"]; idx.ValueFrom == nil || idx.ValueFrom.FieldRef == nil ||
		idx.ValueFrom.FieldRef.FieldPath != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("JOB_COMPLETION_INDEX %+v, want the completion-index annotation", idx)
	}
}
