/** The reference the load bench measures beside Huiying: a bare express app echoing a JSON body (run as its own process). */
import express from 'express';

const app = express();
app.use(express.json({ limit: '64kb' }));
app.post('/echo', (req, res) => {
  res.json(req.body);
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
