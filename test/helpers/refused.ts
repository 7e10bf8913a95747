/**
 * An address where nothing listens, for connection-refused cases: a port below 1024, which the kernel never
 * hands to a server binding port 0 (as every test server does) and no service on these machines uses. A port
 * from freePort() could be taken by another test's server between the check and the connection.
 */
export const REFUSED_HOST = "127.0.0.1:1";
