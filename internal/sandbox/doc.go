// Package sandbox is `lbsg sandbox`: a whole world on one machine. It starts
// the AWS emulator (state in DIR, so a second start resumes), a real
// Kubernetes control plane with kwok nodes that match the emulator's
// instances (providerID, InternalIP, zone; each node's pod CIDR registered as
// an IPv4 prefix on the instance's primary ENI, as the VPC CNI's prefix
// delegation does), what the chart installs for Ingresses (the
// IngressClassParams CRD and IngressClass alb), and optionally a controller, then writes DIR/kubeconfig,
// DIR/aws.env and DIR/ready and waits for Ctrl-C.
//
// It composes localenv and the emulator; the controller is handed in by the
// caller (cli) as a function, so this package does not import it.
package sandbox
