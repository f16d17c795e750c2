// Picks up jobs; here it only says it is alive.
console.log(`worker ${process.pid} started`);
setInterval(() => console.log(`worker ${process.pid} idle`), 60000);
