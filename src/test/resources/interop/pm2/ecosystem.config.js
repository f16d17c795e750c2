// PM2 ecosystem of the shop: pm2 start ecosystem.config.js [--env production]
const restarts = { max_restarts: 10, autorestart: true };

module.exports = {
  apps: [
    {
      name: "web",
      script: "./server.js",
      env: {
        NODE_ENV: "development",
        PORT: process.env.WEB_PORT || "3000",
      },
      env_production: {
        NODE_ENV: "production",
      },
      max_memory_restart: "200M",
      min_uptime: "5s",
      exp_backoff_restart_delay: 100,
      kill_timeout: 3000,
      wait_ready: true,
      listen_timeout: 8000,
      ...restarts,
    },
    {
      name: "worker",
      script: "worker.js",
      instances: 2,
      exec_mode: "cluster",
      restart_delay: 2000,
      out_file: "./logs/worker.log",
      watch: true,
      ...restarts,
    },
    {
      name: "report",
      script: "report.py",
      args: "--daily --out /tmp/shop-report.txt",
      cron_restart: "0 3 * * *",
      autorestart: false,
    },
  ],
};
