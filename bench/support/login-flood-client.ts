/**
 * The attackers of `npm run bench:login-flood`, in a process of their own so that their traffic does not
 * delay the citizens' paced client: `count` clients, each bound to its own loopback address, sending wrong
 * logins back to back (a real name or an unknown one) until standard input closes, then printing the answers'
 * statuses as one JSON line.
 *
 *   tsx bench/support/login-flood-client.ts <url> <count>
 */
import { loginFrom } from '../../test/support/login-client.ts';

const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
const statuses: Record<string, number> = {};
let running = true;
process.stdin.on('end', () => (running = false)).resume();

const loops = Array.from({ length: count }, async (_, i) => {
  const address = `127.0.1.${(i % 254) + 1}`;
  for (let n = 0; running; n++) {
    const name = i % 2 === 0 ? ['admin', 'agent'][n % 2]! : `ghost-${i}-${n % 5}`;
    const status = await loginFrom(url!, name, `wrong-password-${i}-${n}`, { address }).then(
      (a) => String(a.status),
      () => 'error',
    );
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
});
await Promise.all(loops);
console.log(JSON.stringify(statuses));
