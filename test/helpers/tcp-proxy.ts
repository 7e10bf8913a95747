import type { Socket, TCPSocketListener } from "bun";

/** A TCP relay on 127.0.0.1 to a target port, which a test stops (every connection cut) and starts again. */
export interface TcpProxy {
  port: number;
  /** Closes the listener and every relayed connection: the target looks unreachable. */
  stop(): void;
  /** Listens again on the same port. */
  start(): void;
}

interface Pair {
  upstream: Socket<Pair> | null;
  pending: Uint8Array[];
  client: Socket<Pair>;
}

export function startTcpProxy(targetPort: number, port = 0): TcpProxy {
  const live = new Set<Socket<Pair>>();
  let listener: TCPSocketListener<Pair> | null = null;
  let boundPort = port;

  const listen = () => {
    listener = Bun.listen<Pair>({
      hostname: "127.0.0.1",
      port: boundPort,
      socket: {
        open(client) {
          const pair: Pair = { upstream: null, pending: [], client };
          client.data = pair;
          live.add(client);
          void Bun.connect<Pair>({
            hostname: "127.0.0.1",
            port: targetPort,
            data: pair,
            socket: {
              open(up) {
                live.add(up);
                pair.upstream = up;
                for (const chunk of pair.pending) up.write(chunk);
                pair.pending = [];
              },
              data(_up, chunk) {
                pair.client.write(chunk);
              },
              close(up) {
                live.delete(up);
                pair.client.end();
              },
              error() {
                pair.client.end();
              },
            },
          }).catch(() => client.end());
        },
        data(client, chunk) {
          const pair = client.data;
          if (pair.upstream) pair.upstream.write(chunk);
          else pair.pending.push(new Uint8Array(chunk));
        },
        close(client) {
          live.delete(client);
          client.data.upstream?.end();
        },
      },
    });
    boundPort = listener.port;
  };
  listen();

  return {
    get port() {
      return boundPort;
    },
    stop() {
      listener?.stop(true);
      listener = null;
      for (const s of live) s.terminate();
      live.clear();
    },
    start() {
      if (!listener) listen();
    },
  };
}
