package web

// ClientLimited reports whether a route ("METHOD /template") is limited
// per client, for the route walk in security_test.go.
func ClientLimited(route string) bool { return clientLimitedRoutes[route] }
