// amconvert turns AlertmanagerConfig objects into the Alertmanager configuration the Prometheus
// Operator would generate from them, using the operator's own conversion package
// (github.com/prometheus-operator/prometheus-operator/pkg/alertmanager, the version in go.mod =
// the vendored CRDs' version). It is a test harness for kbundle, not part of kbundle.
//
// It follows Operator.provisionAlertmanagerConfiguration (pkg/alertmanager/operator.go at
// v0.93.0) for an Alertmanager with an AlertmanagerConfigSelector and a base configuration
// Secret: NewConfigBuilder (default matcher strategy OnNamespace: the operator adds a
// `namespace="<AlertmanagerConfig namespace>"` matcher and `continue: true` to each
// AlertmanagerConfig's root route), InitializeFromRawConfiguration(base), AddAlertmanagerConfigs
// (all of them, keyed `<namespace>/<name>` as selectAlertmanagerConfigs keys them), MarshalJSON.
// Where the operator would skip an AlertmanagerConfig that fails
// validation/v1alpha1.ValidateAlertmanagerConfig (with a warning event), amconvert fails: for a
// test a silently dropped route is the bug to find.
//
// Usage: amconvert -base alertmanager.yaml < stream.yaml > generated.yaml
//
// The stream is YAML documents; `AlertmanagerConfig` (monitoring.coreos.com/v1alpha1) objects
// are converted, strictly decoded (an unknown field is an error, as the API server's strict field
// validation makes it), and `v1` `Secret` objects are the Secrets the operator would read
// (`stringData` or base64 `data`); every other document is ignored, so a kbundle render can be
// piped in as it is. A Secret that is referenced but not supplied is an error, as in a cluster.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/blang/semver/v4"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/prometheus-operator/prometheus-operator/pkg/alertmanager"
	validationv1alpha1 "github.com/prometheus-operator/prometheus-operator/pkg/alertmanager/validation/v1alpha1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	monitoringv1alpha1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1alpha1"
	"github.com/prometheus-operator/prometheus-operator/pkg/assets"
	"github.com/prometheus-operator/prometheus-operator/pkg/operator"
)

// noSecrets answers every Secret the stream did not supply with NotFound, as the API server
// would; only Get is ever called by the store (assets.StoreBuilder.GetSecretKey).
type noSecrets struct{ typedcorev1.SecretInterface }

func (noSecrets) Get(_ context.Context, name string, _ metav1.GetOptions) (*corev1.Secret, error) {
	return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "secrets"}, name)
}

type secretsGetter struct{}

func (secretsGetter) Secrets(string) typedcorev1.SecretInterface { return noSecrets{} }

type header struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

func main() {
	base := flag.String("base", "", "the base Alertmanager configuration (the Alertmanager's config Secret)")
	amNamespace := flag.String("alertmanager-namespace", "monitoring", "namespace of the Alertmanager object")
	amVersion := flag.String("version", operator.DefaultAlertmanagerVersion, "Alertmanager version the configuration is generated for")
	flag.Parse()
	if err := run(*base, *amNamespace, *amVersion, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "amconvert:", err)
		os.Exit(1)
	}
}

func run(basePath, amNamespace, amVersion string, in io.Reader, out io.Writer) error {
	if basePath == "" {
		return errors.New("-base is required")
	}
	rawBase, err := os.ReadFile(basePath)
	if err != nil {
		return err
	}
	version, err := semver.ParseTolerant(amVersion)
	if err != nil {
		return err
	}

	amConfigs := map[string]*monitoringv1alpha1.AlertmanagerConfig{}
	var secrets []any
	reader := utilyaml.NewYAMLReader(bufio.NewReader(in))
	for i := 0; ; i++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("document %d: %w", i, err)
		}
		var h header
		if err := yaml.Unmarshal(doc, &h); err != nil {
			return fmt.Errorf("document %d: %w", i, err)
		}
		switch {
		case h.Kind == monitoringv1alpha1.AlertmanagerConfigKind && h.APIVersion == monitoringv1alpha1.SchemeGroupVersion.String():
			amc := &monitoringv1alpha1.AlertmanagerConfig{}
			if err := yaml.UnmarshalStrict(doc, amc); err != nil {
				return fmt.Errorf("document %d (AlertmanagerConfig): %w", i, err)
			}
			if amc.Namespace == "" {
				return fmt.Errorf("AlertmanagerConfig %s has no namespace", amc.Name)
			}
			key := amc.Namespace + "/" + amc.Name
			if _, dup := amConfigs[key]; dup {
				return fmt.Errorf("AlertmanagerConfig %s appears twice", key)
			}
			if err := validationv1alpha1.ValidateAlertmanagerConfig(amc); err != nil {
				return fmt.Errorf("the operator would reject AlertmanagerConfig %s: %w", key, err)
			}
			amConfigs[key] = amc
		case h.Kind == "Secret" && h.APIVersion == "v1":
			s := &corev1.Secret{}
			if err := yaml.UnmarshalStrict(doc, s); err != nil {
				return fmt.Errorf("document %d (Secret): %w", i, err)
			}
			if s.Data == nil {
				s.Data = map[string][]byte{}
			}
			for k, v := range s.StringData {
				s.Data[k] = []byte(v)
			}
			secrets = append(secrets, s)
		}
	}
	if len(amConfigs) == 0 {
		return errors.New("no AlertmanagerConfig in the input")
	}

	// The store's cache answers first; a miss goes to the client, here one that has no Secrets.
	store := assets.NewStoreBuilder(nil, secretsGetter{})
	for _, s := range secrets {
		if err := store.AddObject(s); err != nil {
			return err
		}
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	am := &monitoringv1.Alertmanager{ObjectMeta: metav1.ObjectMeta{Name: "main", Namespace: amNamespace}}
	cb := alertmanager.NewConfigBuilder(logger, version, store, am)
	if err := cb.InitializeFromRawConfiguration(rawBase); err != nil {
		return fmt.Errorf("base configuration: %w", err)
	}
	if err := cb.AddAlertmanagerConfigs(context.Background(), amConfigs); err != nil {
		return err
	}
	generated, err := cb.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = out.Write(generated)
	return err
}
