package gateway

import (
	"github.com/lbsg/lbsg/internal/gwattach"
)

// l4Hostnames are the hostnames an NLB listener on port adds to its port's
// certificate discovery, as LBC collects them: the listener's hostname,
// and per attached route the hostnames it serves on the port (the
// intersection with the listener's), else the route's own hostnames.
func l4Hostnames(l *gwattach.Listener, att gwattach.Result, port int32) []string {
	var out []string
	if l.Spec.Hostname != nil {
		out = append(out, string(*l.Spec.Hostname))
	}
	for _, rt := range l.Routes {
		if hosts := att.Hostnames[rt.Key()][port]; len(hosts) > 0 {
			out = append(out, hosts...)
			continue
		}
		for _, h := range rt.Hostnames {
			out = append(out, string(h))
		}
	}
	return out
}
