// The bench's load generator, in a process of its own: autocannon against one URL with a given
// number of connections, each connection speaking as one client — its own path and headers (its
// own user's token and job), as 50 waiting panels are 50 users, not one user 50 times. Prints
// autocannon's JSON summary.
//
//   node load.mjs '{"origin":"http://127.0.0.1:1234","connections":50,"seconds":10,
//                   "clients":[{"path":"/v1/me","headers":{"authorization":"Bearer …"}}, …]}'
import autocannon from "autocannon";

const { origin, connections, seconds, clients } = JSON.parse(process.argv[2]);
let next = 0;
const result = await autocannon({
  url: origin,
  connections,
  duration: seconds,
  // Connection i is client i (round robin when there are fewer clients than connections).
  setupClient(client) {
    const { path, headers } = clients[next++ % clients.length];
    client.setRequests([{ method: "GET", path, headers }]);
  },
});
process.stdout.write(JSON.stringify(result));
