package cli

// The Kubernetes permissions `lbsg controller` needs, least privilege. The
// Helm chart's ClusterRole is generated from these markers:
//
//	make generate   (go generate ./internal/cli)
//
// and `make verify` fails when deploy/helm/lbsg/files/rbac/role.yaml is stale.
// The leader-election Lease Role is namespaced to the release and lives in
// the chart (templates/leader-election-rbac.yaml).

//go:generate ../../bin/controller-gen rbac:roleName=lbsg paths=./... output:rbac:artifacts:config=../../deploy/helm/lbsg/files/rbac

// Services: the NLB controller's key. Finalizers and status are written with
// merge patches (optimistic lock); services/finalizers covers owner
// references with blockOwnerDeletion.
// +kubebuilder:rbac:groups="",resources=services,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups="",resources=services/status,verbs=patch
// +kubebuilder:rbac:groups="",resources=services/finalizers,verbs=update

// Targets: endpoints behind a Service, the nodes that carry them (node
// security groups, instance IDs) and pods (IP targets, readiness).
// +kubebuilder:rbac:groups=discovery.k8s.io,resources=endpointslices,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=nodes,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=pods,verbs=get;list;watch

// Pod readiness gates (internal/controller/readiness): the
// target-health.elbv2.k8s.aws conditions, one strategic-merge patch each.
// +kubebuilder:rbac:groups="",resources=pods/status,verbs=patch
// A gate lbsg's stacks do not name is left alone when a TargetGroupBinding
// of that name exists (its controller's gate): one uncached get.
// +kubebuilder:rbac:groups=elbv2.k8s.aws,resources=targetgroupbindings,verbs=get

// Multi-cluster target groups: the record of the targets this cluster
// registered, one ConfigMap per target group in its Service's namespace,
// named and shaped as LBC's (internal/controller/multicluster).
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;create;update;delete

// TargetGroupBindings (internal/controller/tgb): read and watch them, add
// and remove the finalizer (merge patches), write status (observedGeneration,
// the Ready condition).
// +kubebuilder:rbac:groups=elbv2.k8s.aws,resources=targetgroupbindings,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=elbv2.k8s.aws,resources=targetgroupbindings/status,verbs=patch
// +kubebuilder:rbac:groups=elbv2.k8s.aws,resources=targetgroupbindings/finalizers,verbs=update

// Events: controller-runtime's recorder writes events.k8s.io/v1 Events;
// core/v1 for recorders on the older broadcaster.
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch

// Ingress → ALB (internal/controller/ingress): read Ingresses and their
// classes, add and remove the group finalizers (merge patches), write the
// load balancer address into status; namespace labels decide an
// IngressClassParams namespaceSelector.
// +kubebuilder:rbac:groups=networking.k8s.io,resources=ingresses,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=networking.k8s.io,resources=ingresses/status,verbs=patch
// +kubebuilder:rbac:groups=networking.k8s.io,resources=ingresses/finalizers,verbs=update
// +kubebuilder:rbac:groups=networking.k8s.io,resources=ingressclasses,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch

// IngressClassParams (LBC's CRD, internal/apis/elbv2/v1beta1): the
// parameters an IngressClass imposes on its Ingresses; read only.
// +kubebuilder:rbac:groups=elbv2.k8s.aws,resources=ingressclassparams,verbs=get;list;watch

// Gateway API → NLB (internal/controller/gateway): read GatewayClasses,
// Gateways, the L4 routes and ReferenceGrants; add and remove the Gateway
// and GatewayClass finalizers (merge patches); write the status of
// classes, Gateways and routes (merge patches); read LBC's LoadBalancerConfigurations,
// TargetGroupConfigurations and ListenerRuleConfigurations (their OIDC
// Secrets are read as the Ingresses' are). Namespaces (allowedRoutes selectors) are
// granted above.
// +kubebuilder:rbac:groups=gateway.networking.k8s.io,resources=gatewayclasses;gateways;tcproutes;udproutes;tlsroutes;httproutes;grpcroutes;referencegrants;listenersets,verbs=get;list;watch
// +kubebuilder:rbac:groups=gateway.networking.k8s.io,resources=gatewayclasses;gateways,verbs=patch
// +kubebuilder:rbac:groups=gateway.networking.k8s.io,resources=gatewayclasses/status;gateways/status;tcproutes/status;udproutes/status;tlsroutes/status;httproutes/status;grpcroutes/status;listenersets/status,verbs=patch
// +kubebuilder:rbac:groups=gateway.k8s.aws,resources=loadbalancerconfigurations;targetgroupconfigurations;listenerruleconfigurations,verbs=get;list;watch
