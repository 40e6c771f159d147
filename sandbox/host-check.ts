// DNS rebinding guard. A web page on evil.example can make the browser resolve that name to 127.0.0.1
// and then read what the sandbox answers (the demo token is public, the control API acts as any user):
// the browser still sends `Host: evil.example:PORT`. So the sandbox answers only requests addressed to
// a loopback name, or to the one address it was told to listen on, with its own port. It sends no CORS
// headers either: nothing reads it from a browser (the demo chat page goes through the admin server).

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

/** The Host values (name:port) the sandbox answers to. */
export function allowedHosts(listenHost: string, port: number): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  // Listening on one specific address (e.g. a container's) makes that address a right name too;
  // the wildcards are not names anyone addresses.
  if (listenHost !== "0.0.0.0" && listenHost !== "::" && listenHost !== "") {
    names.add(listenHost.includes(":") && !listenHost.startsWith("[") ? `[${listenHost}]` : listenHost);
  }
  return new Set([...names].map((name) => `${name.toLowerCase()}:${port}`));
}

/** True when the request's Host header names this sandbox (missing or other hosts are refused). */
export function hostAllowed(hostHeader: string | undefined, allowed: Set<string>): boolean {
  if (!hostHeader) return false;
  return allowed.has(hostHeader.trim().toLowerCase());
}
