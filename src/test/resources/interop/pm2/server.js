// The shop's web front: answers on $PORT and tells PM2 it is ready.
const http = require("http");
const port = Number(process.env.PORT || 3000);
const server = http.createServer((req, res) => {
  res.end(`shop web (${process.env.NODE_ENV})\n`);
});
server.listen(port, "127.0.0.1", () => {
  console.log(`web listening on ${port}`);
  if (process.send) process.send("ready");
});
process.on("SIGINT", () => server.close(() => process.exit(0)));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
