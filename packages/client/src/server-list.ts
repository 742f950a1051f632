// The failover list: servers are tried in the order given, and a reconnect starts from the server that
// last accepted a connection (sticky), wrapping around, so a client that failed over to a standby stays
// there until the standby fails instead of flapping back to a primary that just came up.

/** The servers a client may connect to and which one worked last. */
export class ServerList {
  private readonly servers: URL[]
  private sticky = 0

  constructor(servers: readonly URL[]) {
    this.servers = [...servers]
  }

  /** Number of servers. */
  get size(): number {
    return this.servers.length
  }

  /**
   * The server an attempt starts from: the last one that worked (the first one before any did). The list is
   * never empty where it is used: connect() refuses a client without servers before anything reconnects.
   */
  get current(): URL {
    return this.servers[this.sticky]!
  }

  /** Every server once, starting from the sticky one and wrapping around. */
  order(): URL[] {
    const n = this.servers.length
    const out: URL[] = new Array<URL>(n)
    for (let i = 0; i < n; i++) out[i] = this.servers[(this.sticky + i) % n]!
    return out
  }

  /** A connection to `server` was accepted: later attempts start from it. */
  succeeded(server: URL): void {
    const i = this.indexOf(server)
    if (i >= 0) this.sticky = i
  }

  /** Swap the sticky server for another URL (a hook refreshed a token in it); it becomes the sticky one. */
  replaceCurrent(server: URL): void {
    if (this.servers.length === 0) {
      this.servers.push(server)
      this.sticky = 0
      return
    }
    const existing = this.indexOf(server)
    if (existing >= 0) this.sticky = existing
    else this.servers[this.sticky] = server
  }

  private indexOf(server: URL): number {
    const href = server.href
    return this.servers.findIndex((s) => s === server || s.href === href)
  }
}
