{{/*
LBC's values that ask for something lbsg lacks. Any of them away from
LBC's default fails the install, all named at once, instead of installing a
controller that would quietly do less (or, for the flags, stop at start-up).
deploy/chart_test.go checks each message against internal/options (the
flag's and the feature gate's "lacks" text) and docs/migration.md.
*/}}
{{- define "lbsg.unsupported" -}}
{{- $v := .Values }}
{{- $out := list }}
{{- range $key := list "albGatewayMaxConcurrentReconciles" "nlbGatewayMaxConcurrentReconciles" }}
{{- if index $v $key }}
{{- $out = append $out (printf "%s: lbsg has no Gateway API controller yet (issue 22); remove it" $key) }}
{{- end }}
{{- end }}
{{- if $v.vpcTags }}
{{- $out = append $out "vpcTags (--aws-vpc-tags): lbsg lacks finding the VPC by tags (lbsg: --aws-vpc-id, or the VPC tagged for the cluster); set vpcId or remove it" }}
{{- end }}
{{- if $v.watchNamespace }}
{{- $out = append $out "watchNamespace (--watch-namespace): lbsg lacks watching one namespace only; remove it" }}
{{- end }}
{{- if $v.maxTargetsPerTargetGroup }}
{{- $out = append $out "maxTargetsPerTargetGroup (--max-targets-per-target-group): lbsg lacks capping targets per target group; remove it or set 0" }}
{{- end }}
{{- if and (kindIs "bool" $v.tolerateNonExistentBackendService) (not $v.tolerateNonExistentBackendService) }}
{{- $out = append $out "tolerateNonExistentBackendService (--tolerate-non-existent-backend-service): lbsg lacks failing Ingresses whose backend Service is missing; remove it or set true" }}
{{- end }}
{{- $gates := dict }}
{{- if $v.controllerConfig }}{{ $gates = default dict $v.controllerConfig.featureGates }}{{ end }}
{{- $lacks := include "lbsg.refusedGates" . | fromYaml }}
{{- range $name, $val := $gates }}
{{- with index $lacks $name }}
{{- if ne (toString $val) (toString .default) }}
{{- $out = append $out (printf "controllerConfig.featureGates.%s: %v: lbsg lacks %s; remove it or use LBC's default %v" $name $val .lacks .default) }}
{{- end }}
{{- end }}
{{- end }}
{{- with $out }}
{{- fail (printf "\n\nlbsg cannot honour these values (docs/migration.md, \"Helm values\"):\n  - %s\n" (join "\n  - " .)) }}
{{- end }}
{{- end }}

{{/*
LBC's feature gates whose other value lbsg lacks: LBC's default and what
lbsg lacks (internal/options gateSupport; deploy/chart_test.go keeps the
two in step).
*/}}
{{- define "lbsg.refusedGates" -}}
ALBTargetControlAgent: {default: false, lacks: "the pod webhook injecting the ALB target-control agent (target-control-port works without it)"}
EnableIPTargetType: {default: true, lacks: "refusing ip targets"}
EnableServiceController: {default: true, lacks: "running without the service controller"}
EndpointsFailOpen: {default: true, lacks: "fail-closed endpoints (lbsg's own EndpointSlice handling)"}
EnhancedDefaultBehavior: {default: false, lacks: "LBC's enhanced default behaviour"}
GlobalAcceleratorController: {default: false, lacks: "a Global Accelerator controller"}
IngressPlanAnnotation: {default: false, lacks: "LBC's dry-run plan annotation (lbsg plan instead)"}
ListenerRulesTagging: {default: true, lacks: "untagged listener rules"}
NLBHealthCheckAdvancedConfig: {default: true, lacks: "the legacy NLB health-check defaults"}
SubnetsClusterTagCheck: {default: true, lacks: "subnet discovery without the cluster tag check"}
{{- end }}
